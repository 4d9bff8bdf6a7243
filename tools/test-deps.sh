#!/usr/bin/env bash
# The Debian packages the tests need (poppler, zbar, Qt's runtime libraries, a CJK font):
# installed when this user can (root, or sudo without a password), otherwise a stop at
# once with the one apt-get line to run. Called by `make test` and by .ci/run.
set -euo pipefail

need=()
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v make >/dev/null || need+=(make)
command -v zbarimg >/dev/null || need+=(zbar-tools)  # scans the printed QR code
# The console's browser tests drive Debian's Chromium (Playwright's own download is not used).
command -v chromium >/dev/null || need+=(chromium)
# QtMultimedia (in-app camera, tested without a camera) links the PulseAudio client library.
ldconfig -p 2>/dev/null | grep -q libpulse.so.0 || need+=(libpulse0)
fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei" || need+=(fonts-wqy-microhei)
# Qt's offscreen platform still loads xcb/xkb/EGL libraries at import time.
for lib in libEGL.so.1 libxkbcommon.so.0 libfontconfig.so.1 libdbus-1.so.3; do
  ldconfig -p 2>/dev/null | grep -q "$lib" || {
    need+=(libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3)
    break
  }
done
# The journey test: `fieldkit run` in a real X11 window (Xvfb, the openbox window manager,
# xdotool), and the xcb libraries Qt's X11 platform loads on a bare Debian.
command -v Xvfb >/dev/null || need+=(xvfb)
command -v openbox >/dev/null || need+=(openbox)
command -v xdotool >/dev/null || need+=(xdotool)
xcb=(libxcb-cursor0:libxcb-cursor.so.0 libxcb-icccm4:libxcb-icccm.so.4
  libxcb-image0:libxcb-image.so.0 libxcb-keysyms1:libxcb-keysyms.so.1
  libxcb-randr0:libxcb-randr.so.0 libxcb-render-util0:libxcb-render-util.so.0
  libxcb-shape0:libxcb-shape.so.0 libxcb-xinerama0:libxcb-xinerama.so.0
  libxcb-xkb1:libxcb-xkb.so.1 libxkbcommon-x11-0:libxkbcommon-x11.so.0)
for pair in "${xcb[@]}"; do
  ldconfig -p 2>/dev/null | grep -q "${pair#*:}" || need+=("${pair%%:*}")
done
((${#need[@]})) || exit 0

line="apt-get install -y --no-install-recommends ${need[*]}"
if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "The tests need Debian packages this user cannot install. Run:" >&2
  echo "  sudo $line" >&2
  exit 2
fi
if ! command -v apt-get >/dev/null; then
  echo "The tests need: ${need[*]} (no apt-get here: install them with this system's tools)" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
