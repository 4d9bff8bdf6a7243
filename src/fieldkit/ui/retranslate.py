"""Switching the UI language while the app runs: every open window shows the new language.

Two parts, as in Qt's own pattern. Fixed texts (labels, buttons, placeholders, tabs, menus,
combo box items, table headers, tool tips) are found from the text each widget shows: the
catalog remembers which msgid produced each text it gave out (:func:`fieldkit.i18n.source_of`),
so the text is translated again from that msgid, and the msgid is kept on the widget for the
next switch. Texts filled in with data ("3 jobs", a job's facts) cannot be found that way:
their owners render them again when they receive ``QEvent.LanguageChange``, which is sent
to every window afterwards (``changeEvent``). Text that did not come from the catalog (a
customer's name, a device tag, a signing screen shown in the customer's language) is left
as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from fieldkit.i18n import _, current_language, set_language, source_of
from fieldkit.ui.qt import (
    QAbstractButton,
    QAbstractItemView,
    QAction,
    QApplication,
    QComboBox,
    QEvent,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QObject,
    QPlainTextEdit,
    Qt,
    QTabBar,
    QTableWidget,
    QTextEdit,
    QWidget,
)

MSGID = "fieldkitMsgid"  # dynamic property prefix: the msgid of each text, once known


class Retranslation:
    """One switch: the texts of widgets shown in ``before``, in the language now in effect."""

    def __init__(self, before: str) -> None:
        self.before = before

    def again(self, owner: QObject, slot: str, text: str) -> str | None:
        """The text in the new language, or None when it did not come from the catalog."""
        if not text:
            return None
        key = f"{MSGID}:{slot}"
        kept = owner.property(key)
        # The kept msgid holds while the widget still shows what it gave: a text set since
        # then (another job opened) is looked up afresh.
        still = isinstance(kept, str) and text == owner.property(key + ":shown")
        msgid = kept if still else source_of(text, self.before)
        if not isinstance(msgid, str):
            return None
        again = _(msgid)
        owner.setProperty(key, msgid)
        owner.setProperty(key + ":shown", again)
        return again

    def update(
        self, owner: QObject, slot: str, get: Callable[[], str], put: Callable[[str], None]
    ) -> None:
        again = self.again(owner, slot, get())
        if again is not None and again != get():
            put(again)

    def action(self, action: QAction) -> None:
        self.update(action, "text", action.text, action.setText)
        self.update(action, "toolTip", action.toolTip, action.setToolTip)

    def widget(self, widget: QWidget) -> None:
        """The fixed texts of one widget (not its children)."""
        update = self.update
        update(widget, "windowTitle", widget.windowTitle, widget.setWindowTitle)
        update(widget, "toolTip", widget.toolTip, widget.setToolTip)
        if isinstance(widget, QLabel | QAbstractButton):
            update(widget, "text", widget.text, widget.setText)
        if isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit):
            update(widget, "placeholder", widget.placeholderText, widget.setPlaceholderText)
        if isinstance(widget, QGroupBox | QMenu):
            update(widget, "title", widget.title, widget.setTitle)
        if isinstance(widget, QComboBox):
            for i in range(widget.count()):
                update(
                    widget, f"item{i}", partial(widget.itemText, i), partial(widget.setItemText, i)
                )
        if isinstance(widget, QTabBar):
            for i in range(widget.count()):
                update(widget, f"tab{i}", partial(widget.tabText, i), partial(widget.setTabText, i))
        if isinstance(widget, QTableWidget):
            for c in range(widget.columnCount()):
                item = widget.horizontalHeaderItem(c)
                if item is not None:
                    update(widget, f"header{c}", item.text, item.setText)
        elif isinstance(widget, QListWidget):
            for r in range(widget.count()):
                row = widget.item(r)
                update(widget, f"row{r}", row.text, row.setText)
        elif isinstance(widget, QAbstractItemView):
            model = widget.model()  # a model translates in data() and headerData(): ask again
            if model is not None and model.columnCount():
                model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, model.columnCount() - 1)
                if model.rowCount():
                    last = model.index(model.rowCount() - 1, model.columnCount() - 1)
                    model.dataChanged.emit(model.index(0, 0), last)
        for action in widget.actions():
            self.action(action)


def switch_language(language: str | None) -> str:
    """Make ``language`` (None: the system's) the UI language of every open window; returns
    the language in effect."""
    before = current_language()
    now = set_language(language)
    app = QApplication.instance()
    if now == before or not isinstance(app, QApplication):
        return now
    retranslation = Retranslation(before)
    for widget in app.allWidgets():
        retranslation.widget(widget)
    for window in app.topLevelWidgets():  # owners render their filled-in texts again
        QApplication.sendEvent(window, QEvent(QEvent.Type.LanguageChange))
    return now


def show_window_in(window: QWidget, language: str) -> str:
    """Show one window (a screen handed to the customer) in ``language``; the catalog
    follows it until :func:`switch_language` gives every window the engineer's language
    back. Returns the language in effect."""
    before = current_language()
    now = set_language(language)
    if now != before:
        retranslation = Retranslation(before)
        for widget in (window, *window.findChildren(QWidget)):
            retranslation.widget(widget)
        QApplication.sendEvent(window, QEvent(QEvent.Type.LanguageChange))
    return now
