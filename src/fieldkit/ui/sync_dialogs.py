"""Sync seen by the engineer: logging in to a service center, a sync with its progress
(phase, items, bytes, cancel), and the changes the center refused, with what to do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fieldkit.i18n import N_, _, tr
from fieldkit.services import conflicts
from fieldkit.services.context import ServiceContext
from fieldkit.sync import session
from fieldkit.sync.auto import Connection, SyncState
from fieldkit.sync.engine import Progress
from fieldkit.sync.transport import check_server_url
from fieldkit.ui.background import Background
from fieldkit.ui.errors import show_error
from fieldkit.ui.qt import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    Qt,
    QVBoxLayout,
)
from fieldkit.ui.sync_status import SyncBridge
from fieldkit.ui.theme import mark
from fieldkit.ui.touch import touch_height

OUTCOME_ROLE = Qt.ItemDataRole.UserRole + 1

PHASE = {
    "upload": N_("Sending files (photos, backups, slips)"),
    "push": N_("Sending your changes"),
    "pull": N_("Receiving jobs and updates"),
    "download": N_("Downloading site drawings and documents"),
    "done": N_("Finished"),
}


class LoginDialog(QDialog):
    """Service center URL, user name and password; the token goes to the OS keyring."""

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.setWindowTitle(_("Log in to the service center"))
        known = session.account(ctx)
        self.server = QLineEdit(known.server_url if known else "https://")
        self.user = QLineEdit(known.username if known else "")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.ca_bundle = QLineEdit(str(known.ca_bundle) if known and known.ca_bundle else "")
        self.ca_bundle.setPlaceholderText(_("Only for a private certificate authority (PEM file)"))
        form = QFormLayout()
        form.addRow(_("Service center"), self.server)
        form.addRow(_("User"), self.user)
        form.addRow(_("Password"), self.password)
        form.addRow(_("CA certificate"), self.ca_bundle)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.login = QPushButton(_("Log in"))
        touch_height(self.login)
        self.login.setDefault(True)
        self.login.clicked.connect(self.submit)
        self.background = Background()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.login)

    def submit(self) -> None:
        url, user, password = (
            self.server.text().strip(),
            self.user.text().strip(),
            self.password.text(),
        )
        ca = Path(self.ca_bundle.text().strip()) if self.ca_bundle.text().strip() else None
        if not url.startswith(("https://", "http://")) or not user or not password:
            self.message.setText(
                _("Enter the service center address, your user name and password.")
            )
            return
        try:
            check_server_url(url)
        except ValueError:
            self.message.setText(
                _(
                    "Use an https:// address: plain http:// would send your password "
                    "unprotected (it is allowed only for this computer)."
                )
            )
            return
        self.login.setEnabled(False)
        self.message.setText(_("Connecting…"))
        self.background.run(
            lambda: session.login(self._ctx, url, user, password, ca),
            self._done,
            self._failed,
        )

    def _done(self, _reply: Any) -> None:
        self.password.clear()  # never kept in the dialog longer than needed
        self.login.setEnabled(True)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.login.setEnabled(True)
        self.password.clear()
        show_error(exc, self.message, context=_("Login failed: {error}"))


class SyncProgressDialog(QDialog):
    """Sync now: the phase, items and bytes as they happen; Cancel stops it cleanly (what was
    sent stays sent, the rest goes next time)."""

    def __init__(self, bridge: SyncBridge) -> None:
        super().__init__()
        self.setWindowTitle(_("Sync"))
        self.setMinimumWidth(460)
        self._bridge = bridge
        self.phase = QLabel(_("Connecting to the service center…"))
        self.phase.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy until the first item moves: it is waiting, not stuck
        self.detail = QLabel()
        # A long reason (offline, refused) wraps: it is never cut off at the dialog's edge.
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cancel = QPushButton(_("Cancel"))
        touch_height(self.cancel)
        self.cancel.clicked.connect(self._cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.phase)
        layout.addWidget(self.bar)
        layout.addWidget(self.detail)
        layout.addWidget(self.cancel)
        bridge.progress.connect(self.show_progress)
        bridge.state_changed.connect(self.finished_with)
        self.outcome: SyncState | None = None
        self._after = -1

    def start(self) -> None:
        # A sync already running may have started before the latest change: this dialog
        # reports one that starts after the request.
        self._after = self._bridge.auto.runs
        self._bridge.sync_now()

    def show_progress(self, progress: Progress) -> None:
        if self.outcome is not None:
            # A background sync that started after this one ended: the result stays shown.
            return
        self.phase.setText(_(PHASE.get(progress.phase, progress.phase)))
        if progress.total > 0 and progress.done == 0 and progress.bytes == 0:
            self.bar.setRange(0, 0)  # the first item is on its way
        else:
            self.bar.setRange(0, max(progress.total, 1))
            self.bar.setValue(min(progress.done, max(progress.total, 1)))
        self.detail.setText(
            _("{done} of {total} · {kb} KB").format(
                done=progress.done, total=progress.total, kb=progress.bytes >> 10
            )
        )

    def finished_with(self, state: SyncState) -> None:
        if self.outcome is not None:  # the dialog reports the sync it started, not later ones
            return
        if self._after >= 0 and state.run <= self._after:  # a sync from before the request
            return
        if not state.final:  # a request failed and is being retried
            self.phase.setText(_("The service center does not answer: trying again…"))
            self.bar.setRange(0, 0)
            self.detail.setText(tr(state.message))
            return
        self.outcome = state
        self.cancel.setText(_("Close"))
        self.cancel.clicked.disconnect()
        self.cancel.clicked.connect(self.accept)
        if state.connection is Connection.ONLINE and state.report is not None:
            r = state.report
            self.phase.setText(_(PHASE["done"]))
            self.bar.setMaximum(1)
            self.bar.setValue(1)
            self.detail.setText(
                _("Sent {pushed}, received {pulled}, refused {rejected}").format(
                    pushed=r.pushed, pulled=r.pulled, rejected=r.rejected
                )
            )
        else:
            self.phase.setText(_("Not synced"))
            self.bar.setRange(0, 1)
            self.bar.setValue(0)
            self.bar.setTextVisible(False)  # "0%" would read as stuck; the reason says it
            self.detail.setText(
                tr(state.message) if state.message else _("Not synced: working offline")
            )

    def _cancel(self) -> None:
        self._bridge.cancel()
        self.phase.setText(_("Cancelling…"))


class ConflictsDialog(QDialog):
    """Changes the center refused, each with the reason; keep mine (send again) or use the
    center's version."""

    def __init__(self, ctx: ServiceContext, on_change: Callable[[], None] | None = None) -> None:
        super().__init__()
        self._ctx = ctx
        self._on_change = on_change or (lambda: None)
        self.setWindowTitle(_("Changes the service center refused"))
        self.resize(720, 420)
        self.items = QListWidget()
        self.empty = QLabel(_("Nothing to decide: every change was accepted."))
        self.keep = QPushButton(_("Keep mine (send again)"))
        self.use_server = QPushButton(_("Use the center's version"))
        for button in (self.keep, self.use_server):
            touch_height(button)
        self.keep.clicked.connect(lambda: self._decide(conflicts.keep_mine))
        self.use_server.clicked.connect(lambda: self._decide(conflicts.use_server))
        self.message = QLabel()
        self.message.setWordWrap(True)
        # What became of the selected work (e.g. kept for the office: the job went to another
        # engineer), in one sentence.
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        mark(self.outcome, emphasis="strong")
        self.items.currentItemChanged.connect(self._show_outcome)
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep)
        buttons.addWidget(self.use_server)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.items, 1)
        layout.addWidget(self.outcome)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.items.clear()
        for change in conflicts.inbox(self._ctx):
            item = QListWidgetItem(
                f"{change.label} · {change.created_at:%Y-%m-%d %H:%M}\n{tr(change.reason)}"
            )
            item.setData(Qt.ItemDataRole.UserRole, change.mutation_id)
            item.setData(OUTCOME_ROLE, tr(change.outcome) if change.outcome else "")
            self.items.addItem(item)
        has = self.items.count() > 0
        self.empty.setVisible(not has)
        self.keep.setEnabled(has)
        self.use_server.setEnabled(has)
        if has:
            self.items.setCurrentRow(0)
        self._show_outcome(self.items.currentItem(), None)

    def _show_outcome(self, item: QListWidgetItem | None, _previous: object) -> None:
        text = str(item.data(OUTCOME_ROLE) or "") if item is not None else ""
        self.outcome.setText(text)
        self.outcome.setVisible(bool(text))

    def _decide(self, decision: Callable[[ServiceContext, str], object]) -> None:
        item = self.items.currentItem()
        if item is None:
            return
        try:
            decision(self._ctx, str(item.data(Qt.ItemDataRole.UserRole)))
        except Exception as exc:
            show_error(exc, self.message)
            return
        self.message.setText(_("Done: it goes to the center with the next sync."))
        self.refresh()
        self._on_change()
