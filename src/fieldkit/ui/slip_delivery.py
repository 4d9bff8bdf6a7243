"""Getting the signed slip to the customer: "Send to the customer by e-mail" queues the
e-mail like any change (it works offline); the center sends it once the change arrives, and
each e-mail shows its status here (waiting to sync, queued at the center, sent, failed)."""

from __future__ import annotations

from fieldkit.domain.enums import DeliveryStatus
from fieldkit.domain.errors import DomainError
from fieldkit.i18n import N_, _, tr
from fieldkit.services import slip_delivery
from fieldkit.services.context import ServiceContext
from fieldkit.services.slip_delivery import Delivery
from fieldkit.ui.qt import (
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldkit.ui.theme import mark
from fieldkit.ui.touch import touch_height

LANGUAGE_NAMES = {"zh_CN": N_("Chinese"), "en": N_("English")}
ROLE_NAMES = {
    "system_owner": N_("system owner"),
    "installer": N_("installer"),
    "other": N_("contact"),
}


class SendSlipDialog(QDialog):
    """The address (offered from the site contacts, or typed) and the e-mail's language."""

    def __init__(self, ctx: ServiceContext, job_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx, self.job_id = ctx, job_id
        self.email_id: str | None = None
        self.setWindowTitle(_("Send to the customer by e-mail"))
        self.resize(560, 260)
        self.to = QComboBox()
        self.to.setEditable(True)
        touch_height(self.to)
        self.to.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for r in slip_delivery.recipients(ctx, job_id):
            role = _(ROLE_NAMES.get(r.role, ROLE_NAMES["other"]))
            self.to.addItem(f"{r.email}  —  {r.name} ({role})", r.email)
        if self.to.count():
            self.to.setCurrentIndex(0)
        else:
            self.to.setCurrentText("")
        line = self.to.lineEdit()
        if line is not None:
            line.setPlaceholderText(_("name@company.com"))
        self.language = QComboBox()
        touch_height(self.language)
        for code, name in LANGUAGE_NAMES.items():
            self.language.addItem(_(name), code)
        self.language.setCurrentIndex(
            max(self.language.findData(slip_delivery.customer_language(ctx, job_id)), 0)
        )
        self.error = QLabel()
        self.error.setWordWrap(True)
        mark(self.error, role="error")
        note = QLabel(
            _(
                "The e-mail is sent by the service center with the signed slip attached. "
                "Without a network it waits on this device and goes with the next sync."
            )
        )
        note.setWordWrap(True)
        self.send = QPushButton(_("Send"))
        self.cancel = QPushButton(_("Cancel"))
        for button in (self.send, self.cancel):
            touch_height(button)
        self.send.setDefault(True)  # Enter in the address field sends
        self.send.clicked.connect(self.submit)
        self.cancel.clicked.connect(self.reject)
        form = QFormLayout()
        form.addRow(_("E-mail address"), self.to)
        form.addRow(_("Language"), self.language)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.send)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def address(self) -> str:
        """The chosen contact's address, or what was typed."""
        index = self.to.currentIndex()
        if index >= 0 and self.to.currentText() == self.to.itemText(index):
            return str(self.to.itemData(index))
        return self.to.currentText()

    def submit(self) -> None:
        try:
            changed = slip_delivery.send_current_slip(
                self._ctx, self.job_id, self.address(), str(self.language.currentData())
            )
        except DomainError as exc:
            text = getattr(exc, "reason", None) or (exc.args[0] if exc.args else str(exc))
            self.error.setText(tr(text))
            return
        self.email_id = changed.entity_id
        self.accept()


def status_text(d: Delivery) -> str:
    if d.status is DeliveryStatus.SENT:
        when = d.status_at.astimezone().strftime("%Y-%m-%d %H:%M") if d.status_at else ""
        return _("Sent to {to} at {when}").format(to=d.to, when=when)
    if d.status is DeliveryStatus.FAILED:
        return _("Not sent to {to}: {why}").format(to=d.to, why=d.detail or "-")
    if not d.synced:
        return _("Queued for {to}: goes to the center with the next sync").format(to=d.to)
    if d.detail:  # what the center said (its fixed messages are in the catalog)
        return _("Queued for {to}, not sent yet: {why}").format(to=d.to, why=_(d.detail))
    return _("Queued for {to}: the center is sending it").format(to=d.to)


class SlipDeliveryPanel(QFrame):
    """Below the signed slip's button: send it by e-mail, and how each e-mail went."""

    changed = Signal(str)  # job id, after an e-mail was queued

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.job_id: str | None = None
        self.dialog: SendSlipDialog | None = None
        self.send = QPushButton(_("Send to the customer by e-mail…"))
        touch_height(self.send)
        self.send.clicked.connect(self.open_dialog)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.send)
        layout.addWidget(self.status)
        self.setVisible(False)

    def show_job(self, job_id: str, signed: bool) -> None:
        self.job_id = job_id
        self.setVisible(signed)
        if not signed:
            return
        items = slip_delivery.deliveries(self._ctx, job_id)
        self.status.setVisible(bool(items))
        self.status.setText("\n".join(status_text(d) for d in items))
        failed = bool(items) and items[0].status is DeliveryStatus.FAILED
        mark(self.status, role="error" if failed else "")

    def open_dialog(self) -> None:
        if self.job_id is None:
            return
        self.dialog = SendSlipDialog(self._ctx, self.job_id, self)
        self.dialog.accepted.connect(self._queued)
        self.dialog.open()

    def _queued(self) -> None:
        if self.job_id is not None:
            self.show_job(self.job_id, True)
            self.changed.emit(self.job_id)
