#!/usr/bin/env bash
# Builds the Linux bundle: a PyInstaller one-folder build in dist/fieldkit, checked against
# its size budget and by its own --self-test (including the upgrade of a data file from the
# first release's schema), then packed as dist/fieldkit_VERSION_ARCH.deb.
# Usage: installer/linux/build.sh [PYTHON]   (PYTHON: an environment with '.[server,camera,dist]')
set -euo pipefail
cd "$(dirname "$0")/../.."

PY=${1:-.venv/bin/python}
# Budgets, kept by this script: the unpacked folder (Qt with its ICU data is ~90 MB of it,
# Python ~35 MB, pdfium, Pillow and cryptography ~35 MB) and the compressed package.
SIZE_BUDGET_MB=250
DEB_BUDGET_MB=80
VERSION=$("$PY" -c 'import fieldkit; print(fieldkit.__version__)')
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)

"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller installer/fieldkit.spec

# CPython's own library and extension modules carry their symbol tables (libpython: 22 MB,
# 6 MB without). Only these are stripped: strip rewrites the libraries that wheels patched
# with patchelf (FFmpeg's, from PySide6-Addons) into files the loader refuses.
find dist/fieldkit/_internal -maxdepth 1 -name 'libpython3*.so*' -type f \
  -exec strip --strip-unneeded {} +
find dist/fieldkit/_internal/python3*/lib-dynload -name '*.so' -type f \
  -exec strip --strip-unneeded {} +

size=$(du -sm dist/fieldkit | cut -f1)
echo "bundle: dist/fieldkit, ${size} MB (budget ${SIZE_BUDGET_MB} MB)"
if ((size > SIZE_BUDGET_MB)); then
  echo "bundle is over its size budget: see installer/fieldkit.spec EXCLUDES" >&2
  exit 1
fi

# The built executable, not the source tree: a file missing from the bundle fails here.
env -u PYTHONPATH QT_QPA_PLATFORM=offscreen \
  dist/fieldkit/fieldkit --self-test --upgrade-from tests/data/db/fieldkit-0001.db

stage=build/deb/fieldkit_${VERSION}_${ARCH}
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
  "$stage/usr/share/icons/hicolor/256x256/apps" "$stage/usr/share/icons/hicolor/scalable/apps"
cp -a dist/fieldkit "$stage/opt/fieldkit"
ln -s /opt/fieldkit/fieldkit "$stage/usr/bin/fieldkit"
cp installer/linux/fieldkit.desktop "$stage/usr/share/applications/"
cp resources/icons/fieldkit.png "$stage/usr/share/icons/hicolor/256x256/apps/"
cp resources/icons/fieldkit.svg "$stage/usr/share/icons/hicolor/scalable/apps/"
installed_kb=$(du -sk "$stage" | cut -f1)
# Qt's X11 platform plugin needs these from the system (libgl1: the camera's FFmpeg media
# backend; PyInstaller leaves GL to the graphics driver); everything else is in the bundle.
cat > "$stage/DEBIAN/control" <<CONTROL
Package: fieldkit
Version: ${VERSION}
Architecture: ${ARCH}
Maintainer: FieldKit <support@fieldkit.example>
Installed-Size: ${installed_kb}
Depends: libc6, libegl1, libgl1, libfontconfig1, libxkbcommon0, libxkbcommon-x11-0, libdbus-1-3,
 libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-randr0,
 libxcb-render-util0, libxcb-shape0, libxcb-xinerama0, libxcb-xkb1
Section: utils
Priority: optional
Homepage: https://fieldkit.example
Description: FieldKit: offline-first field service for engineers
 Assigned jobs with SLA clocks, site drawings and device parameters, back up before
 repair, quotes approved by signature, signed service slips (PDF), escalation, and sync
 with the service center when online. Data lives in each user's own folder
 (~/.local/share/FieldKit) and is kept across upgrades and removal.
CONTROL
dpkg-deb --root-owner-group --build "$stage" dist/ >/dev/null
deb=dist/fieldkit_${VERSION}_${ARCH}.deb
deb_mb=$(du -m "$deb" | cut -f1)
echo "package: $deb, ${deb_mb} MB (budget ${DEB_BUDGET_MB} MB)"
if ((deb_mb > DEB_BUDGET_MB)); then
  echo "package is over its size budget" >&2
  exit 1
fi

# The service center ships as a wheel: `pip install 'fieldkit-VERSION-py3-none-any.whl[server]'`.
"$PY" -m pip wheel --no-deps -q -w dist .
echo "wheel: $(ls dist/fieldkit-"${VERSION}"-*.whl)"
