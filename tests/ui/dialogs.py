"""Answering the modal dialogs a person answers: the text typed into the input dialog's
field, then its OK (or Cancel) button clicked, from inside the dialog's own event loop."""

from __future__ import annotations

from collections.abc import Iterable

from pytestqt.qtbot import QtBot

from fieldkit.ui.qt import (
    QApplication,
    QDialogButtonBox,
    QEvent,
    QInputDialog,
    QKeyEvent,
    QLineEdit,
    QPlainTextEdit,
    Qt,
    QTimer,
    QWidget,
)


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type into a field as a keyboard or input method does: QTest's keyClicks takes ASCII
    only, so other characters (Chinese names) arrive as key events carrying their text."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            )


def answer_dialogs(qtbot: QtBot, answers: Iterable[str | None]) -> list[str]:
    """Answer the next input dialogs in turn (None: press Cancel). Returns their prompts."""
    pending = list(answers)
    prompts: list[str] = []
    answered: set[int] = set()

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog) or id(dialog) in answered:
            QTimer.singleShot(20, answer)
            return
        answered.add(id(dialog))
        prompts.append(dialog.labelText())
        text = pending.pop(0)
        buttons = dialog.findChild(QDialogButtonBox)
        assert buttons is not None
        if text is None:
            button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        else:
            # A one-line prompt has a line edit, a multi-line one a plain text edit.
            edit = dialog.findChild(QLineEdit) or dialog.findChild(QPlainTextEdit)
            assert edit is not None
            type_text(qtbot, edit, text)
            button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert button is not None
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        if pending:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(0, answer)
    return prompts
