"""The main window on the screen it opens on: inside the screen's free area with its title
bar and frame, maximised on a tablet-sized screen the first time, and where the engineer
left it (size, place, maximised) the next time, clamped to the screen it opens on now.

Only the window's geometry lives in QSettings (a small file in the data folder); every other
setting is in the local store.
"""

from __future__ import annotations

from pathlib import Path

from fieldkit.ui.qt import (
    QByteArray,
    QEvent,
    QMainWindow,
    QMargins,
    QObject,
    QRect,
    QSettings,
    Qt,
    QTimer,
    QWidget,
)

GEOMETRY_FILE = "window.ini"
GEOMETRY_KEY = "main_window/geometry"
# Until the window manager has framed the window its frame is unknown: assume a title bar.
ASSUMED_FRAME = QMargins(8, 40, 8, 8)
# A screen smaller than this (in widget pixels) is a tablet's or a small laptop's: open
# maximised the first time.
ROOMY = (1600, 1000)


def window_settings(data_dir: Path) -> QSettings:
    return QSettings(str(Path(data_dir) / GEOMETRY_FILE), QSettings.Format.IniFormat)


def frame_margins(window: QWidget) -> QMargins:
    """The frame around the client area: the real one once known, else an assumed one."""
    frame, inner = window.frameGeometry(), window.geometry()
    real = QMargins(
        inner.left() - frame.left(),
        inner.top() - frame.top(),
        frame.right() - inner.right(),
        frame.bottom() - inner.bottom(),
    )
    if real.top() > 0:
        return real
    return ASSUMED_FRAME


def fitted(client: QRect, frame: QMargins, area: QRect) -> QRect:
    """``client`` moved and shrunk so that it and its frame lie inside ``area``."""
    width = min(client.width(), area.width() - frame.left() - frame.right())
    height = min(client.height(), area.height() - frame.top() - frame.bottom())
    right = area.right() - frame.right() - width + 1  # the furthest left edge that fits
    bottom = area.bottom() - frame.bottom() - height + 1
    left = min(max(client.left(), area.left() + frame.left()), right)
    top = min(max(client.top(), area.top() + frame.top()), bottom)
    return QRect(left, top, max(width, 1), max(height, 1))


def fit_to_screen(window: QWidget) -> None:
    """Keep a normal (not maximised) window and its frame inside its screen's free area."""
    if window.windowState() & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
        return
    screen = window.screen()
    if screen is None:
        return
    inside = fitted(window.geometry(), frame_margins(window), screen.availableGeometry())
    if inside != window.geometry():
        window.setGeometry(inside)


class WindowPlacement(QObject):
    """Places ``window`` before it is shown and remembers its geometry when it closes."""

    def __init__(self, window: QMainWindow, settings: QSettings | None) -> None:
        super().__init__(window)
        self.window, self.settings = window, settings
        self._settling = 0
        window.installEventFilter(self)

    def place(self) -> None:
        window = self.window
        screen = window.screen()
        area = screen.availableGeometry()
        saved = self.settings.value(GEOMETRY_KEY) if self.settings is not None else None
        if isinstance(saved, QByteArray) and not saved.isEmpty() and window.restoreGeometry(saved):
            fit_to_screen(window)  # Qt clamps the place; this keeps the frame in as well
            return
        size = area.size() * 0.85
        client = QRect(0, 0, size.width(), size.height())
        client.moveCenter(area.center())
        window.setGeometry(fitted(client, ASSUMED_FRAME, area))
        if area.width() < ROOMY[0] or area.height() < ROOMY[1]:
            window.setWindowState(Qt.WindowState.WindowMaximized)

    def remember(self) -> None:
        if self.settings is not None:
            self.settings.setValue(GEOMETRY_KEY, self.window.saveGeometry())
            self.settings.sync()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window:
            kind = event.type()
            if kind == QEvent.Type.Show:
                # The window manager frames the window after it is shown: fit again then.
                self._settling = 4
                QTimer.singleShot(0, self._settle)
            elif kind == QEvent.Type.Close:
                self.remember()
        return False

    def _settle(self) -> None:
        fit_to_screen(self.window)
        self._settling -= 1
        if self._settling > 0:
            QTimer.singleShot(150, self._settle)
