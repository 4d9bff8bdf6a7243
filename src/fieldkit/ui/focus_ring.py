"""A focus ring that can be seen: a thick line in the theme's highlight colour around the
control that has the keyboard focus in a window (the style's own is a faint 1 px line).

The ring is a transparent child of the window drawn over the focused control, moved when
the focus moves or the control moves (a scrolled workspace), so every kind of control gets
the same ring without a style sheet rule per widget. ``ring_every_window`` gives each window
the keyboard reaches (a dialog: settings, signing, approval, the file picker) its own ring
the first time a control in it takes the focus.
"""

from __future__ import annotations

from shiboken6 import isValid

from fieldkit.ui.qt import (
    QApplication,
    QEvent,
    QMessageBox,
    QObject,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPoint,
    QRect,
    Qt,
    QWidget,
)

WIDTH = 3  # px: plain to see at arm's length, in sunlight


class FocusRing(QWidget):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self.target: QWidget | None = None
        self._watched: list[QWidget] = []
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hide()
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._focus_changed)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if not isValid(self) or not isValid(self._window):
            return
        for watched in self._watched:
            if isValid(watched):
                watched.removeEventFilter(self)
        self._watched = []
        self.target = None
        if new is None or new is self or new.window() is not self._window:
            self.hide()
            return
        if not new.focusPolicy() & Qt.FocusPolicy.TabFocus:
            self.hide()  # a control the keyboard never reaches needs no ring
            return
        self.target = new
        # The control and every parent up to the window: a list folding away moves the
        # workspace, not the focused tab bar inside it.
        widget: QWidget | None = new
        while widget is not None and widget is not self._window:
            widget.installEventFilter(self)
            self._watched.append(widget)
            widget = widget.parentWidget()
        self.follow()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched in self._watched and event.type() in (
            QEvent.Type.Move,
            QEvent.Type.Resize,
            QEvent.Type.Show,
            QEvent.Type.Hide,
        ):
            self.follow()
        return False

    def follow(self) -> None:
        """Around the focused control, clipped to what of it is in view."""
        target = self.target
        if target is None or not isValid(target) or not target.isVisible():
            self.hide()
            return
        visible = target.visibleRegion().boundingRect()
        if visible.isEmpty():
            self.hide()
            return
        top_left = target.mapTo(self._window, visible.topLeft())
        ring = QRect(top_left, visible.size()).adjusted(-WIDTH, -WIDTH, WIDTH, WIDTH)
        self.setGeometry(ring)
        self.show()
        self.raise_()
        self.update()

    def ring_rect(self) -> QRect:
        """Where the ring is drawn, in the window's coordinates."""
        return QRect(self.mapTo(self._window, QPoint(0, 0)), self.size())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), WIDTH)
        painter.setPen(pen)
        half = WIDTH / 2
        painter.drawRoundedRect(self.rect().toRectF().adjusted(half, half, -half, -half), 4, 4)
        painter.end()


def ring_of(window: QWidget) -> FocusRing | None:
    return next((c for c in window.children() if isinstance(c, FocusRing)), None)


class _EveryWindow(QObject):
    """Puts a ring on each window as the focus first comes into it."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        app.focusChanged.connect(self._focus_changed)

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if new is None or not isValid(new) or isinstance(new, FocusRing):
            return
        window = new.window()
        if window.windowType() in (Qt.WindowType.Popup, Qt.WindowType.ToolTip):
            return  # a combo box's list or a menu: its rows show the focus themselves
        if isinstance(window, QMessageBox):
            return  # a question of a few buttons, asked and gone (the quit question among them)
        if ring_of(window) is None:
            FocusRing(window)._focus_changed(old, new)  # it hears the changes after this one


def ring_every_window() -> None:
    """Every window of the application shows where the keyboard is (once per application)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    if not any(isinstance(c, _EveryWindow) for c in app.children()):
        _EveryWindow(app)
