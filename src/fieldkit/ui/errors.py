"""One error path for every screen: a known error is shown as one translated sentence that
says what to do; a bug is logged with its traceback and reported in a dialog whose details
can be copied, with where the log file is.

Slots call :func:`show_error` for whatever they catch; exceptions nobody catches (a slot, a
thread) arrive through the hooks :func:`install` sets, on the UI thread, in the same dialog.
"""

from __future__ import annotations

import logging
import platform
import traceback
from collections.abc import Callable
from pathlib import Path

from fieldkit import __version__
from fieldkit.i18n import _, tr
from fieldkit.logs import install_hooks
from fieldkit.services.errors import known_error, reason
from fieldkit.ui.qt import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QObject,
    QPlainTextEdit,
    QPushButton,
    Qt,
    QtMsgType,
    QVBoxLayout,
    QWidget,
    Signal,
    Slot,
    qInstallMessageHandler,
)
from fieldkit.ui.touch import touch_height

log = logging.getLogger(__name__)
_log_file: Path | None = None


def explain(exc: BaseException) -> str | None:
    """The translated sentence for a known error; None for a bug."""
    known = known_error(exc)
    return tr(reason(known)) if known is not None else None


def show_error(
    exc: BaseException,
    where: QLabel | None = None,
    parent: QWidget | None = None,
    context: str | None = None,
) -> None:
    """Show what went wrong: a known error in ``where`` (or a message box), a bug in the bug
    dialog (logged first), with a short sentence in ``where`` too. ``context`` is a
    translated template with ``{error}`` ("The slip could not be rendered: {error}")."""
    text = explain(exc)
    if text is None:
        log.error("error in the app", exc_info=(type(exc), exc, exc.__traceback__))
        report_bug(exc, parent or (where.window() if where is not None else None))
        if where is not None:
            fault = _("a fault in FieldKit; details were logged")
            where.setText(
                context.format(error=fault)
                if context
                else _("Something went wrong; it was not saved. Details were logged.")
            )
        return
    if context:
        text = context.format(error=text)
    if where is not None:
        where.setText(text)
        return
    box = QMessageBox(QMessageBox.Icon.Warning, _("FieldKit"), text, parent=parent)
    box.setObjectName("known-error")
    _keep_open(box)


class BugDialog(QDialog):
    """A bug: an apology, the copyable details (versions, traceback) and the log file."""

    def __init__(self, exc: BaseException, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("FieldKit: something went wrong"))
        self.resize(640, 420)
        where = str(_log_file) if _log_file else _("(no log file)")
        intro = QLabel(
            _(
                "This is a fault in FieldKit, not something you did. What you saved before "
                "is safe. Copy the details below (or use Export diagnostics) and send them "
                "to the office. Log file: {path}"
            ).format(path=where)
        )
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QPlainTextEdit(details(exc))
        self.details.setReadOnly(True)
        self.copy, self.close_button, buttons = copy_and_close(
            self, _("Copy details"), self.details.toPlainText
        )
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.details, 1)
        layout.addLayout(buttons)


def copy_and_close(
    dialog: QDialog, label: str, text: Callable[[], str]
) -> tuple[QPushButton, QPushButton, QHBoxLayout]:
    """The row under a report: copy its text to the clipboard (the button says so), close."""
    copy, close = QPushButton(label), QPushButton(_("Close"))

    def copied() -> None:
        QApplication.clipboard().setText(text())
        copy.setText(_("Copied"))

    copy.clicked.connect(copied)
    close.clicked.connect(dialog.accept)
    row = QHBoxLayout()
    for button in (copy, close):
        touch_height(button)
    row.addWidget(copy)
    row.addStretch(1)
    row.addWidget(close)
    return copy, close, row


def details(exc: BaseException) -> str:
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return (
        f"FieldKit {__version__} · Python {platform.python_version()} · {platform.platform()}\n"
        f"log: {_log_file or '-'}\n\n" + "".join(lines)
    )


_shown: list[QDialog] = []  # open dialogs without a parent window, kept alive until closed


def _keep_open(dialog: QDialog) -> None:
    _shown.append(dialog)
    dialog.finished.connect(lambda _code: _shown.remove(dialog) if dialog in _shown else None)
    dialog.open()


def report_bug(exc: BaseException, parent: QWidget | None = None) -> BugDialog:
    dialog = BugDialog(exc, parent)
    _keep_open(dialog)
    return dialog


class _Relay(QObject):
    """Carries an exception from any thread to the UI thread (a queued signal to a slot of
    an object that lives there)."""

    raised = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.raised.connect(self.deliver)

    @Slot(object)
    def deliver(self, exc: BaseException) -> None:
        _uncaught(exc)


_relay: _Relay | None = None


def install(log_file: Path | None) -> None:
    """Route every uncaught exception (slots, threads) to the log and the bug dialog; known
    errors nobody caught get their sentence instead."""
    global _relay, _log_file
    _log_file = log_file
    _relay = _Relay()
    relay = _relay
    install_hooks(lambda exc: relay.raised.emit(exc))
    qInstallMessageHandler(_qt_message)


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(kind: QtMsgType, context: object, message: str) -> None:
    """Qt's own warnings go to the log file too, not only to a console nobody sees."""
    logging.getLogger("qt").log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)


def _uncaught(exc: BaseException) -> None:
    parent = QApplication.activeWindow()
    text = explain(exc)
    if text is not None:
        show_error(exc, parent=parent)
    else:
        report_bug(exc, parent)
