"""The sync indicator in the status bar, and the question asked when quitting with changes
the service center has not received yet. Loaded with the first paint: no store, no sync."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fieldkit.i18n import _, ngettext
from fieldkit.ui.qt import (
    QColor,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPainter,
    QPaintEvent,
    QPalette,
    QPushButton,
    Qt,
    QWidget,
)
from fieldkit.ui.theme import mark
from fieldkit.ui.touch import touch_height

if TYPE_CHECKING:  # the store loads after the first paint
    from fieldkit.services.queries import SyncSummary

# The theme role per connection state (sync.auto.Connection values): its colour is the
# current theme's, in the words and the dot.
ROLES = {
    "online": "ok",
    "offline": "warning",
    "login_needed": "warning",
    "error": "error",
    "wiped": "error",
    "unknown": "muted",
}


class StatusDot(QWidget):
    """A filled circle in the text colour its role gives it (the style sheet sets it)."""

    def __init__(self, size: int = 14) -> None:
        super().__init__()
        self.setFixedSize(size, size)

    def colour(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.WindowText)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(self.colour())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(1, 1, self.width() - 2, self.height() - 2)
        painter.end()


class SyncIndicator(QWidget):
    """Online / offline in words, colour and an icon; the full reason of a failed sync in
    the tooltip, so a long message is never lost to the width of the bar."""

    def __init__(self) -> None:
        super().__init__()
        self.icon = StatusDot()
        self.label = QLabel(_("Opening…"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.icon)
        layout.addWidget(self.label)
        self.connection = "unknown"

    def show_summary(self, summary: SyncSummary, online: bool, message: str = "") -> None:
        last = (
            summary.last_sync_at.astimezone().strftime("%Y-%m-%d %H:%M")
            if summary.last_sync_at
            else _("never")
        )
        connection = self.connection
        if connection == "unknown":  # no sync has reported yet
            connection = "online" if online else "offline"
        self.show_state(connection, last, summary.pending, message)

    def show_state(self, connection: str, last: str, pending: int, message: str = "") -> None:
        self.connection = connection
        word = {
            "online": _("Online"),
            "login_needed": _("Log in needed"),
            "error": _("Sync failed"),
            "wiped": _("Sync stopped"),
        }.get(connection, _("Offline"))
        changes = ngettext("{count} unsynced change", "{count} unsynced changes", pending)
        text = _("{state} · last sync {last} · {changes}").format(
            state=word, last=last, changes=changes.format(count=pending)
        )
        role = ROLES.get(connection, ROLES["unknown"])
        mark(self.icon, role=role)
        self.label.setText(text)
        mark(self.label, role=role, emphasis="strong")
        tip = f"{text}\n{message}" if message and connection != "online" else text
        self.setToolTip(tip)
        self.label.setToolTip(tip)


class QuitPrompt(QMessageBox):
    """Quitting with unsynced changes: how many, and "Sync now" or "Keep for later"
    (closing the question keeps the app open)."""

    def __init__(self, parent: QWidget | None, pending: int, online: bool) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle(_("Quit FieldKit"))
        self.setText(
            ngettext(
                "{count} change is not yet at the service center.",
                "{count} changes are not yet at the service center.",
                pending,
            ).format(count=pending)
        )
        self.setInformativeText(
            _("They are saved on this device and are sent with the next sync.")
            if online
            else _("The service center cannot be reached now: they are saved on this device.")
        )
        self.sync_now: QPushButton = self.addButton(
            _("Sync now"), QMessageBox.ButtonRole.AcceptRole
        )
        self.keep: QPushButton = self.addButton(
            _("Keep for later"), QMessageBox.ButtonRole.DestructiveRole
        )
        self.stay: QPushButton = self.addButton(_("Don't quit"), QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.sync_now)
        self.setEscapeButton(self.stay)
        for button in (self.sync_now, self.keep, self.stay):
            touch_height(button)


def may_quit(parent: QWidget, pending: int, online: bool, sync_now: Callable[[], None]) -> bool:
    """Ask before quitting with ``pending`` unsynced changes; True to go on quitting. "Sync
    now" runs ``sync_now`` (which shows the sync until the engineer closes it) first."""
    if not pending:
        return True
    prompt = QuitPrompt(parent, pending, online)
    prompt.exec()
    if prompt.clickedButton() is prompt.sync_now:
        sync_now()  # seen to the end, or to its failure: nothing is lost either way
        return True
    return prompt.clickedButton() is prompt.keep
