"""Signing the service slip: customer's name, satisfaction, comments, the signature pad;
full screen so the customer can hold the tablet."""

from __future__ import annotations

from collections.abc import Callable

from fieldkit.domain.enums import SignerRole
from fieldkit.domain.errors import DomainError
from fieldkit.i18n import _, tr
from fieldkit.services.context import ServiceContext
from fieldkit.ui.background import Background
from fieldkit.ui.engineer_signature import EngineerSignature, on_site_label, signed_in_name
from fieldkit.ui.pdf_preview import PdfPreviewDialog, write_temp_pdf
from fieldkit.ui.qt import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)
from fieldkit.ui.signature_pad import SignaturePad


class SigningDialog(QDialog):
    def __init__(self, ctx: ServiceContext, job_id: str) -> None:
        super().__init__()
        self._ctx, self.job_id = ctx, job_id
        self.slip_id: str | None = None
        self.setWindowTitle(_("Customer signs the slip"))
        self.name = QLineEdit()
        self.satisfaction = QComboBox()
        for score in (5, 4, 3, 2, 1):
            self.satisfaction.addItem(f"{score} / 5", score)
        self.comments = QLineEdit()
        form = QFormLayout()
        form.addRow(_("Customer name"), self.name)
        form.addRow(_("Customer satisfaction"), self.satisfaction)
        form.addRow(_("Comments"), self.comments)
        self.on_site = on_site_label(ctx, job_id)
        form.addRow(_("On site"), self.on_site)
        self.pad = SignaturePad()
        self.error = QLabel()
        self.error.setStyleSheet("color: #8a1c1c;")
        self.error.setWordWrap(True)
        buttons = QHBoxLayout()
        self.preview_button = QPushButton(_("Preview slip"))
        self.preview_button.clicked.connect(self.show_preview)
        self.background = Background()
        self.preview: PdfPreviewDialog | None = None
        self.present: Callable[[QDialog], None] = lambda dialog: dialog.show()
        self.undo = QPushButton(_("Undo stroke"))
        self.clear = QPushButton(_("Clear"))
        self.sign = QPushButton(_("Sign and lock the slip"))
        self.sign.setMinimumHeight(56)
        for button in (self.preview_button, self.undo, self.clear, self.sign):
            button.setMinimumHeight(48)
            buttons.addWidget(button)
        self.undo.clicked.connect(self.pad.undo)
        self.clear.clicked.connect(self.pad.clear)
        self.sign.clicked.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self.engineer = EngineerSignature(signed_in_name(ctx))
        self.engineer.lock_absent.clicked.connect(self.lock_without_customer)
        pads = QHBoxLayout()
        customer = QVBoxLayout()
        customer.addWidget(QLabel(_("Please sign below")))
        customer.addWidget(self.pad, 1)
        pads.addLayout(customer, 3)
        pads.addWidget(self.engineer, 2)
        layout.addLayout(pads, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def show_preview(self) -> None:
        """The slip as it will be signed, rendered off the UI thread, for the customer to read."""
        from fieldkit.services import documents  # PDF machinery: loaded when first needed

        self.preview_button.setEnabled(False)
        satisfaction, comments = int(self.satisfaction.currentData()), self.comments.text()
        self.background.run(
            lambda: documents.slip_preview_pdf(self._ctx, self.job_id, satisfaction, comments),
            self._open_preview,
            self._preview_failed,
        )

    def _open_preview(self, pdf: bytes) -> None:
        self.preview_button.setEnabled(True)
        path = write_temp_pdf(pdf, "slip-preview")
        self.preview = PdfPreviewDialog(path, _("Preview slip"), "slip-preview.pdf")
        self.present(self.preview)

    def _preview_failed(self, exc: Exception) -> None:
        self.preview_button.setEnabled(True)
        self.error.setText(_("The slip could not be rendered: {error}").format(error=exc))

    def submit(self) -> bool:
        from fieldkit.services import slips  # device keys and the keyring: loaded when signing

        try:
            capture = self.pad.capture(SignerRole.CUSTOMER, self.name.text())
            changed = slips.sign_slip(
                self._ctx,
                self.job_id,
                capture,
                self.engineer.capture(),
                int(self.satisfaction.currentData()),
                self.comments.text(),
            )
        except DomainError as exc:
            self.error.setText(tr(str(exc)))
            return False
        self.slip_id = changed.entity_id
        self.accept()
        return True

    def lock_without_customer(self) -> bool:
        """The customer is not present or refuses: the engineer's signature and reason only."""
        from fieldkit.services import slips  # device keys and the keyring: loaded when signing

        try:
            changed = slips.lock_without_customer(
                self._ctx,
                self.job_id,
                self.engineer.capture(),
                self.engineer.absent_reason.text(),
            )
        except DomainError as exc:
            self.error.setText(tr(str(exc)))
            return False
        self.slip_id = changed.entity_id
        self.accept()
        return True
