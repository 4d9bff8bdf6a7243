"""Signing the service slip, full screen so the customer can hold the tablet: satisfaction,
comments, the signer (name offered from the job's people, pad, Undo stroke), a visible
Cancel; then a pause that shows what becomes frozen before the slip is locked. A refusal
(no name, a signature too short) stays on this screen, where the customer sees it."""

from __future__ import annotations

from collections.abc import Callable

from fieldkit.domain.enums import SignerRole
from fieldkit.domain.errors import InvalidValue
from fieldkit.domain.signature import SignatureCapture
from fieldkit.i18n import _
from fieldkit.services import quote_views
from fieldkit.services.context import ServiceContext
from fieldkit.ui.background import Background
from fieldkit.ui.customer_language import CustomerLanguage
from fieldkit.ui.engineer_signature import (
    EngineerSignature,
    on_site_label,
    on_site_text,
    signed_in_name,
)
from fieldkit.ui.errors import show_error
from fieldkit.ui.pdf_preview import PdfPreviewDialog, write_temp_pdf
from fieldkit.ui.qt import (
    QDialog,
    QEvent,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.satisfaction_picker import SatisfactionPicker
from fieldkit.ui.signer_panel import SignerPanel
from fieldkit.ui.slip_confirm import SlipConfirmPage, summary_rows
from fieldkit.ui.theme import mark
from fieldkit.ui.touch import touch_height


class SigningDialog(QDialog):
    def __init__(self, ctx: ServiceContext, job_id: str) -> None:
        super().__init__()
        self._ctx, self.job_id = ctx, job_id
        self.slip_id: str | None = None
        self._capture: SignatureCapture | None = None
        self._engineer_capture: SignatureCapture | None = None
        self.setWindowTitle(_("Customer signs the slip"))
        self.language = CustomerLanguage(self)  # the customer may read another language
        self.satisfaction = SatisfactionPicker()  # unset until the customer chooses
        self.comments = QLineEdit()
        form = QFormLayout()
        form.addRow(_("Customer satisfaction"), self.satisfaction)
        form.addRow(_("Comments"), self.comments)
        self.signer = SignerPanel(
            SignerRole.CUSTOMER,
            _("Customer name"),
            quote_views.signer_names(ctx, job_id),
            _("Please sign below"),
        )
        # The signers on this slip, in signing order; an engineer's panel can join the list.
        self.signers: list[SignerPanel] = [self.signer]
        self.pad, self.undo, self.clear = self.signer.pad, self.signer.undo, self.signer.clear
        self.on_site = on_site_label(ctx, job_id)
        form.addRow(_("Time on site"), self.on_site)
        # The engineer signs too, beside the customer.
        self.engineer = EngineerSignature(signed_in_name(ctx))
        self.engineer.lock_absent.clicked.connect(self.lock_without_customer)
        self.error = QLabel()
        mark(self.error, role="error", emphasis="large")
        self.error.setWordWrap(True)
        self.signer.pad.changed.connect(self.error.clear)  # the customer is signing again
        self.satisfaction.chosen.connect(self.error.clear)
        self.background = Background()
        self.preview: PdfPreviewDialog | None = None
        self.present: Callable[[QDialog], None] = lambda dialog: dialog.show()
        self.cancel = QPushButton(_("Cancel"))
        self.preview_button = QPushButton(_("Preview slip"))
        self.sign = QPushButton(_("Sign and lock the slip…"))
        for button in (self.cancel, self.preview_button, self.sign):
            touch_height(button, 1.2)
        self.cancel.clicked.connect(self.reject)
        self.preview_button.clicked.connect(self.show_preview)
        self.sign.clicked.connect(self.review)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel)
        buttons.addStretch(1)
        buttons.addWidget(self.language)  # in the button row: no height taken from the pads
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.sign)

        self.signing = QWidget()
        page = QVBoxLayout(self.signing)
        page.setContentsMargins(0, 0, 0, 0)
        page.addLayout(form)
        self.pads = QHBoxLayout()  # one column per signer
        self.pads.addWidget(self.signer, 3)
        self.pads.addWidget(self.engineer, 2)
        page.addLayout(self.pads, 1)
        page.addWidget(self.error)
        page.addLayout(buttons)
        self.confirm = SlipConfirmPage()
        self.confirm.back.clicked.connect(self.back_to_signing)
        self.confirm.lock.clicked.connect(self.submit)
        self.confirm.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.signing)
        layout.addWidget(self.confirm)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.on_site.setText(on_site_text(self._ctx, self.job_id))
            self.error.clear()  # a refusal shown before reads in the language it was shown

    # -- preview -----------------------------------------------------------------------------

    def show_preview(self) -> None:
        """The slip as it will be signed, rendered off the UI thread, for the customer to read."""
        from fieldkit.services import documents  # PDF machinery: loaded when first needed

        self.preview_button.setEnabled(False)
        satisfaction, comments = self.satisfaction.value(), self.comments.text()
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
        show_error(exc, self.error, context=_("The slip could not be rendered: {error}"))

    # -- signing -----------------------------------------------------------------------------

    def review(self) -> bool:
        """Check the signature, then show what the slip freezes; nothing is locked yet."""
        from fieldkit.services import slip_summary

        self.error.setText("")
        rating = self.satisfaction.value()
        if rating is None:
            self.error.setText(
                _(
                    "Ask the customer to rate the service (1 to 5), or choose "
                    '"Declined to rate" if they do not want to'
                )
            )
            return False
        try:
            self._capture = self.signer.capture()
            self._engineer_capture = self.engineer.capture()
            self._engineer_capture.validate()  # both signatures are checked before the pause
            content = slip_summary.content_to_sign(
                self._ctx, self.job_id, rating, self.comments.text()
            )
        except Exception as exc:
            show_error(exc, self.error)
            return False
        self.confirm.show_summary(summary_rows(content, self._capture.signer_name.strip()))
        self.signing.hide()
        self.confirm.show()
        return True

    def back_to_signing(self) -> None:
        self._capture = self._engineer_capture = None
        self.confirm.hide()
        self.signing.show()

    def submit(self) -> bool:
        """Lock the slip with the signature reviewed (or, if none was, the one on the pad)."""
        from fieldkit.services import slips  # device keys and the keyring: loaded when signing

        try:
            rating = self.satisfaction.value()
            if rating is None:  # the pause is only reached with a rating chosen
                raise InvalidValue(
                    "Customer satisfaction is rated 1 to 5, or the customer declines"
                )
            capture = self._capture or self.signer.capture()
            changed = slips.sign_slip(
                self._ctx,
                self.job_id,
                capture,
                self.engineer.capture(),
                rating,
                self.comments.text(),
            )
        except Exception as exc:
            target = self.error if self.confirm.isHidden() else self.confirm.error
            show_error(exc, target)
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
        except Exception as exc:
            show_error(exc, self.error)
            return False
        self.slip_id = changed.entity_id
        self.accept()
        return True
