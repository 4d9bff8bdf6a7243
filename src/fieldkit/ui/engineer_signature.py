"""The engineer's signature on the slip, beside the customer's: name (pre-filled with the
signed-in engineer), a pad of its own, Undo stroke and Clear."""

from __future__ import annotations

from fieldkit.domain.enums import SignerRole
from fieldkit.domain.signature import SignatureCapture
from fieldkit.i18n import _
from fieldkit.services.context import ServiceContext
from fieldkit.ui.qt import QHBoxLayout, QLabel, QLineEdit, QPushButton, QSize, QVBoxLayout, QWidget
from fieldkit.ui.signature_pad import SignaturePad
from fieldkit.ui.touch import touch_height


def signed_in_name(ctx: ServiceContext) -> str:
    """The engineer's name as the center knows it (kept at login), else the login name."""
    from fieldkit.services.settings import get_setting

    return str(get_setting(ctx, "sync.display_name") or ctx.actor)


class EngineerSignature(QWidget):
    def __init__(self, engineer: str) -> None:
        super().__init__()
        self.name = QLineEdit(engineer)
        self.name.setPlaceholderText(_("Engineer's name"))
        self.pad = SignaturePad()
        self.pad.setMinimumSize(QSize(240, 120))
        self.undo = QPushButton(_("Undo stroke"))
        self.clear = QPushButton(_("Clear"))
        for button in (self.undo, self.clear):
            touch_height(button)
        self.undo.clicked.connect(self.pad.undo)
        self.clear.clicked.connect(self.pad.clear)
        for button in (self.undo, self.clear):
            button.setAutoDefault(False)  # Enter in a name field never clears a pad
        buttons = QHBoxLayout()
        buttons.addWidget(self.undo)
        buttons.addWidget(self.clear)
        # When the customer is not there or will not sign: the engineer says why and locks.
        self.absent_reason = QLineEdit()
        self.absent_reason.setPlaceholderText(_("Why the customer does not sign"))
        self.lock_absent = QPushButton(_("Lock without the customer's signature"))
        self.lock_absent.setAutoDefault(False)
        touch_height(self.lock_absent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(_("Engineer signs here")))
        layout.addWidget(self.name)
        layout.addWidget(self.pad, 1)
        layout.addLayout(buttons)
        layout.addWidget(QLabel(_("Customer not present or refuses to sign?")))
        layout.addWidget(self.absent_reason)
        layout.addWidget(self.lock_absent)

    def capture(self) -> SignatureCapture:
        return self.pad.capture(SignerRole.ENGINEER, self.name.text())


def on_site_text(ctx: ServiceContext, job_id: str) -> str:
    """The work log's times in the site's local time, as the slip will print them."""
    from fieldkit.services import slips  # device keys and the keyring: loaded when signing

    times = slips.on_site_times(ctx, job_id)
    return _("arrived {arrived} · started {started} · finished {finished} ({zone})").format(
        arrived=times.arrived,
        started=times.started,
        finished=times.finished,
        zone=times.timezone,
    )


def on_site_label(ctx: ServiceContext, job_id: str) -> QLabel:
    label = QLabel(on_site_text(ctx, job_id))
    label.setWordWrap(True)
    return label
