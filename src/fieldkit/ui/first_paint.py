"""Run something once a widget has painted for the first time: the engineer sees the job
list while the rest of the app loads."""

from __future__ import annotations

from collections.abc import Callable

from fieldkit.ui.qt import QEvent, QObject, QTimer, QWidget


class _FirstPaint(QObject):
    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._then = then

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            # After this paint has reached the screen, not inside it.
            QTimer.singleShot(0, self._then)
        return False


def after_first_paint(widget: QWidget, then: Callable[[], None]) -> None:
    widget.installEventFilter(_FirstPaint(widget, then))
