"""Is there a camera to take evidence photos with? Answered without loading QtMultimedia
until a job actually shows a photo item, so a start-up or a desktop without the optional
``camera`` extra pays nothing for it."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)

# FFmpeg's hardware decoders and PipeWire are optional in QtMultimedia; their absence is
# reported as a warning per library on every start, which says nothing the user can act on.
_QUIET_RULES = "qt.multimedia.symbolsresolver=false\nqt.multimedia.ffmpeg.info=false"


@functools.cache
def support_problem() -> str | None:
    """Why this installation cannot use a camera, or None when QtMultimedia loads."""
    try:
        from fieldkit.ui.qt import QLoggingCategory

        QLoggingCategory.setFilterRules(_QUIET_RULES)
        from fieldkit.ui import qt_multimedia  # noqa: F401
    except ImportError as exc:  # the extra is not installed, or a system library is missing
        log.info("camera capture unavailable: %s", exc)
        return str(exc)
    return None


def installed() -> bool:
    """Whether the optional ``camera`` extra (QtMultimedia) is installed at all, loadable or
    not: a missing system library is a broken installation, a missing extra is a choice."""
    try:
        from fieldkit.ui import qt_multimedia  # noqa: F401
    except ModuleNotFoundError as exc:
        return exc.name != "PySide6.QtMultimedia"
    except ImportError:  # e.g. libpulse.so.0 missing
        return True
    return True


def camera_count() -> int:
    """Video inputs present now; 0 when there are none or no camera support."""
    if support_problem() is not None:
        return 0
    from fieldkit.ui.qt_multimedia import QMediaDevices

    return len(QMediaDevices.videoInputs())


def preferred(back_facing: Sequence[bool]) -> int:
    """Evidence is photographed away from the engineer: the back camera of a tablet first."""
    return next((i for i, back in enumerate(back_facing) if back), 0)


def pick_format(formats: Sequence[tuple[int, int, float]], max_pixels: int = 2592 * 1944) -> int:
    """Index of the capture format to use: the most pixels up to ``max_pixels`` (5 MP reads a
    rating plate; more costs a cheap tablet its viewfinder frame rate) at 15 fps or better.
    -1 when the camera reports no formats (the backend's default is used)."""
    best, best_key = -1, (False, False, 0, 0.0)
    for index, (width, height, fps) in enumerate(formats):
        pixels = width * height
        fits = pixels <= max_pixels
        # A smooth viewfinder first, then the size limit, then the largest image that fits
        # (or, when none fits, the smallest that does not), then the frame rate.
        key = (fps >= 15, fits, pixels if fits else -pixels, fps)
        if best < 0 or key > best_key:
            best, best_key = index, key
    return best


class CameraWatch:
    """Calls back when a camera is plugged in or removed (a USB camera on a laptop)."""

    def __init__(self, changed: Callable[[], None]) -> None:
        self._devices: object | None = None  # a QMediaDevices, kept alive for its signal
        if support_problem() is None:
            from fieldkit.ui.qt_multimedia import QMediaDevices

            self._devices = QMediaDevices()
            self._devices.videoInputsChanged.connect(changed)
