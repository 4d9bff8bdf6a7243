"""Focus goes back where the engineer was after a file picker, a camera or a signing screen.

Answering a dialog often rebuilds the part of the workspace it came from (an attached file
turns "Attach…" into "Replace…"), so the focused button no longer exists when the window is
active again, and Qt gave the focus to the first field of the window: the search box, its
text selected, so the next keystroke replaced the search. The keeper puts the focus on the
same control, or on the one that took its place (same name and kind, nearest to where it
was), and never on the search box unless the engineer goes there.
"""

from __future__ import annotations

from shiboken6 import isValid

from fieldkit.ui.qt import QApplication, QEvent, QLineEdit, QObject, QPoint, Qt, QTimer, QWidget


class FocusKeeper(QObject):
    def __init__(self, window: QWidget, search: QLineEdit, *first: QWidget) -> None:
        """``search`` and ``first`` are where Qt puts a lost focus (the window's first
        controls): the focus is taken back from them unless the engineer was there."""
        super().__init__(window)
        self.window, self.search = window, search
        self.fallbacks = (search, *first)
        self._in_fallback = False  # the engineer's own last focus was on one of them
        self._widget: QWidget | None = None
        self._name, self._kind, self._where = "", QWidget, QPoint()
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._changed)
        window.installEventFilter(self)

    def _changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None or not isValid(self.window) or new.window() is not self.window:
            return
        self._in_fallback = any(f is new or f.isAncestorOf(new) for f in self.fallbacks)
        if self._in_fallback:
            return
        if self._widget is not None and isValid(self._widget):
            self._widget.destroyed.disconnect(self._gone)
        self._widget, self._name, self._kind = new, new.objectName(), type(new)
        self._where = new.mapTo(self.window, new.rect().center())
        new.destroyed.connect(self._gone)

    def _gone(self) -> None:
        self._widget = None
        QTimer.singleShot(0, self.restore)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.WindowActivate:
            QTimer.singleShot(0, self.restore)
        return False

    def restore(self) -> None:
        if not isValid(self.window):
            return
        # The window's own focus (given back by Qt when it is active again), even while a
        # dialog still holds the keyboard.
        focus = self.window.focusWidget()
        if self._in_fallback or (self._usable(focus) and focus not in self.fallbacks):
            return  # where it was, or where the engineer went
        target = self._widget if self._usable(self._widget) else self._replacement()
        if target is None:
            return
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        self.search.deselect()

    def _usable(self, widget: QWidget | None) -> bool:
        return (
            widget is not None
            and isValid(widget)
            and widget.isVisible()
            and widget.isEnabled()
            and widget.window() is self.window
            and widget not in self.fallbacks
        )

    def _replacement(self) -> QWidget | None:
        """The control of the same name and kind nearest to where the lost one was."""
        if not self._name:
            return None
        candidates = [
            w
            for w in self.window.findChildren(self._kind, self._name)
            if isinstance(w, QWidget) and self._usable(w)
        ]

        def distance(w: QWidget) -> int:
            return (w.mapTo(self.window, w.rect().center()) - self._where).manhattanLength()

        return min(candidates, key=distance, default=None)
