"""Quote builder for post-warranty work: parts from the price list, labour, travel, tax,
totals; a draft's lines are corrected or removed, a mistaken draft withdrawn; a PDF preview;
the customer approves by signing (or declines, with the reason). A signed job takes no new
quote."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from fieldkit.domain.enums import QuoteLineKind, QuoteStatus
from fieldkit.domain.signature import SignatureCapture
from fieldkit.i18n import N_, _
from fieldkit.labels import LABOUR_LINE, TRAVEL_LINE
from fieldkit.services import queries, quote_views, quotes
from fieldkit.services.context import ServiceContext
from fieldkit.ui.approval_dialog import ApprovalDialog
from fieldkit.ui.background import Background
from fieldkit.ui.errors import show_error
from fieldkit.ui.pdf_preview import PdfPreviewDialog
from fieldkit.ui.qt import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QShowEvent,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldkit.ui.quote_adder import LABOUR_RATE, SERVICE_TAX, LineAdder
from fieldkit.ui.quote_chooser import QuoteChooser
from fieldkit.ui.quote_lines import QuoteLinesPanel
from fieldkit.ui.theme import mark
from fieldkit.ui.touch import touch_height

__all__ = ["LABOUR_RATE", "SERVICE_TAX", "ApprovalDialog", "QuoteBuilder"]
STATUS = {
    QuoteStatus.DRAFT: N_("Draft: not yet shown to the customer"),
    QuoteStatus.APPROVED: N_("Approved by {name}"),
    QuoteStatus.DECLINED: N_("Declined by {name}: {reason}"),
    QuoteStatus.WITHDRAWN: N_("Withdrawn by {name}: {reason}"),
    QuoteStatus.SUPERSEDED: N_("Superseded"),
}


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


class QuoteBuilder(QWidget):
    changed = Signal(str)  # job id, after the quote changed (outbox, status bar)

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.job_id: str | None = None
        self._quotes: list[quote_views.QuoteView] = []
        self.background = Background()
        self.preview: PdfPreviewDialog | None = None
        self.signed = False  # the job's slip is signed: no new quote, drafts only withdrawn
        # How the approval screen is shown (full screen on the tablet; tests drive it).
        self.approve_with: Callable[[ApprovalDialog], bool] = self._approval_dialog
        self.approval: ApprovalDialog | None = None
        self.ask: Callable[[str], str | None] = self._ask
        self.present: Callable[[QDialog], None] = lambda dialog: dialog.show()

        self.billing = QLabel()
        self.billing.setWordWrap(True)
        self.chooser = QuoteChooser()
        self.chooser.currentIndexChanged.connect(lambda _i: self._show_quote())
        self.new_quote = QPushButton(_("New quote"))
        self.new_quote.clicked.connect(self.start_quote)
        top = QHBoxLayout()
        top.addWidget(self.chooser, 1)
        top.addWidget(self.new_quote)
        self.status = QLabel()
        self.status.setWordWrap(True)

        self.adder = LineAdder(ctx)
        # The adder's controls, under the names the rest of the tab uses.
        self.part_search, self.parts, self.quantity = (
            self.adder.part_search,
            self.adder.parts,
            self.adder.quantity,
        )
        self.hours, self.rate, self.travel = self.adder.hours, self.adder.rate, self.adder.travel
        self.add_part, self.add_labour, self.add_travel, self.replace = (
            self.adder.add_part,
            self.adder.add_labour,
            self.adder.add_travel,
            self.adder.replace,
        )
        self.add_part.clicked.connect(self.add_selected_part)
        self.add_labour.clicked.connect(self.add_labour_line)
        self.add_travel.clicked.connect(self.add_travel_line)
        self.replace.clicked.connect(self.record_replacement)

        self.lines = QuoteLinesPanel()
        self.lines.save_line.connect(self.save_line)
        self.lines.remove_line.connect(self.remove_line)
        self.totals = QLabel()
        self.totals.setAlignment(Qt.AlignmentFlag.AlignRight)
        mark(self.totals, emphasis="heading")
        self.totals.setWordWrap(True)  # net, tax and total: two lines in a long translation
        self.error = QLabel()
        self.error.setWordWrap(True)
        mark(self.error, role="error")
        self.preview_button = QPushButton(_("Preview PDF"))
        self.preview_button.clicked.connect(self.show_preview)
        self.approve = QPushButton(_("Customer approves (sign)"))
        self.approve.clicked.connect(self.record_approval)
        self.decline = QPushButton(_("Customer declines"))
        self.decline.clicked.connect(self.record_decline)
        self.withdraw = QPushButton(_("Withdraw draft…"))
        self.withdraw.setToolTip(_("A mistaken or stale draft: kept on record, never offered"))
        self.withdraw.clicked.connect(self.withdraw_draft)
        # Two by two: in one row the four were wider than the job's pane at 1280 px.
        actions = QGridLayout()
        for n, button in enumerate(
            (self.preview_button, self.withdraw, self.decline, self.approve)
        ):
            touch_height(button, 1.1)
            actions.addWidget(button, n // 2, n % 2)
        touch_height(self.new_quote)

        layout = QVBoxLayout(self)
        layout.addWidget(self.billing)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.adder)
        layout.addWidget(self.lines, 1)
        layout.addWidget(self.totals)
        layout.addWidget(self.error)
        layout.addLayout(actions)

    # -- loading ----------------------------------------------------------------------------

    def show_job(self, job_id: str) -> None:
        self.job_id = job_id
        detail = queries.job_detail(self._ctx, job_id)
        paid = detail.billing == "paid"
        self.billing.setText(
            _("Post-warranty: paid parts need the customer's approved quote.")
            if paid
            else _("Covered by warranty or contract: no quote is needed for parts.")
        )
        self._load(select_last=True)
        self.adder.search()

    def showEvent(self, event: QShowEvent) -> None:
        # The job may have moved on while another tab was shown (the slip signed there).
        if self.job_id is not None:
            self._load()
        super().showEvent(event)

    def _load(self, select_last: bool = False) -> None:
        assert self.job_id is not None
        self._quotes = quote_views.quotes_for_job(self._ctx, self.job_id)
        self.signed = quote_views.job_is_signed(self._ctx, self.job_id)
        self.chooser.set_quotes(self._quotes, select_last)
        self._show_quote()

    def current_id(self) -> str | None:
        return self.chooser.current_id()

    def current(self) -> quote_views.QuoteView | None:
        return next((q for q in self._quotes if q.id == self.current_id()), None)

    def _show_quote(self) -> None:
        quote = self.current()
        draft = quote is not None and quote.status is QuoteStatus.DRAFT
        open_draft = draft and not self.signed
        self.new_quote.setEnabled(not self.signed)
        for widget in (self.add_part, self.add_labour, self.add_travel, self.decline):
            widget.setEnabled(open_draft)
        self.withdraw.setEnabled(draft)
        self.approve.setEnabled(open_draft and quote is not None and bool(quote.lines))
        self.preview_button.setEnabled(quote is not None and bool(quote.lines))
        self.lines.show_quote(quote, editable=open_draft)
        signed_note = (
            "  ·  " + _("The service slip is signed: this job takes no new quote.")
            if self.signed
            else ""
        )
        if quote is None:
            self.status.setText(_("No quote yet for this job.") + signed_note)
            self.totals.setText("")
            return
        self.status.setText(
            _(STATUS[quote.status]).format(name=quote.decided_by, reason=quote.decline_reason)
            + "  ·  "
            + _("valid until {date}").format(date=quote.valid_until.isoformat())
            + signed_note
        )
        t = quote.totals
        self.totals.setText(
            _("Subtotal {subtotal} · tax {tax} · total {total} {currency}").format(
                subtotal=_money(t.subtotal.amount),
                tax=_money(t.tax.amount),
                total=_money(t.total.amount),
                currency=quote.currency,
            )
        )

    # -- editing ----------------------------------------------------------------------------

    def _do(self, action: Callable[[], object]) -> bool:
        self.error.setText("")
        try:
            action()
        except Exception as exc:
            show_error(exc, self.error)
            return False
        self._load()
        if self.job_id is not None:
            self.changed.emit(self.job_id)
        return True

    def start_quote(self) -> bool:
        if self.job_id is None:
            return False
        job_id = self.job_id
        if not self._do(lambda: quotes.create_quote(self._ctx, job_id)):
            return False
        self._load(select_last=True)
        return True

    def add_selected_part(self) -> bool:
        item, quote = self.parts.currentItem(), self.current()
        if item is None or quote is None:
            return False
        part_no = str(item.data(Qt.ItemDataRole.UserRole))
        qty = int(self.quantity.value())
        return self._do(
            lambda: quotes.add_quote_line(
                self._ctx,
                quote.id,
                QuoteLineKind.PART,
                qty,
                part_no=part_no,
                expected_version=quote.version,
            )
        )

    def add_labour_line(self) -> bool:
        quote = self.current()
        if quote is None:
            return False
        hours, rate = Decimal(str(self.hours.value())), Decimal(str(self.rate.value()))
        return self._do(
            lambda: quotes.add_quote_line(
                self._ctx,
                quote.id,
                QuoteLineKind.LABOUR,
                hours,
                description=LABOUR_LINE,  # stored in English, shown translated
                unit_price=rate,
                tax_rate=SERVICE_TAX,
                expected_version=quote.version,
            )
        )

    def add_travel_line(self) -> bool:
        quote = self.current()
        if quote is None:
            return False
        amount = Decimal(str(self.travel.value()))
        return self._do(
            lambda: quotes.add_quote_line(
                self._ctx,
                quote.id,
                QuoteLineKind.TRAVEL,
                1,
                description=TRAVEL_LINE,
                unit_price=amount,
                tax_rate=SERVICE_TAX,
                expected_version=quote.version,
            )
        )

    def record_replacement(self) -> bool:
        item = self.parts.currentItem()
        if item is None or self.job_id is None:
            return False
        part_no, job_id = str(item.data(Qt.ItemDataRole.UserRole)), self.job_id
        qty = int(self.quantity.value())
        try:  # refused before the engineer types two serial numbers for nothing
            quotes.check_part_replacement(self._ctx, job_id, part_no, qty)
        except Exception as exc:
            show_error(exc, self.error)
            return False
        removed = self.ask(_("Serial number of the part removed"))
        if removed is None:
            return False
        installed = self.ask(_("Serial number of the part installed"))
        if installed is None:
            return False
        if not self._do(
            lambda: quotes.record_part_replacement(
                self._ctx, job_id, part_no, qty, removed, installed
            )
        ):
            return False
        self.error.setText(_("Recorded: {part} replaced").format(part=part_no))
        return True

    def save_line(self, line_id: str, description: str, quantity: str, unit_price: str) -> bool:
        quote = self.current()
        if quote is None:
            return False
        return self._do(
            lambda: quotes.update_quote_line(
                self._ctx,
                quote.id,
                line_id,
                description=description,
                quantity=quantity,
                unit_price=unit_price,
                expected_version=quote.version,
            )
        )

    def remove_line(self, line_id: str) -> bool:
        quote = self.current()
        if quote is None:
            return False
        return self._do(
            lambda: quotes.remove_quote_line(
                self._ctx, quote.id, line_id, expected_version=quote.version
            )
        )

    def withdraw_draft(self) -> bool:
        quote = self.current()
        if quote is None:
            return False
        reason = self.ask(
            _("Why is draft {number} withdrawn? It stays on record and is never offered.").format(
                number=quote.number
            )
        )
        if reason is None:
            return False
        return self._do(
            lambda: quotes.withdraw_quote(
                self._ctx, quote.id, reason, expected_version=quote.version
            )
        )

    # -- the customer's decision -------------------------------------------------------------

    def record_approval(self) -> bool:
        """The approval screen signs the quote itself and stays open on a refusal."""
        quote, job_id = self.current(), self.job_id
        if quote is None or job_id is None:
            return False
        self.error.setText("")

        def submit(capture: SignatureCapture) -> None:
            quotes.record_customer_approval(self._ctx, quote.id, capture)

        self.approval = ApprovalDialog(quote, quote_views.signer_names(self._ctx, job_id), submit)
        approved = self.approve_with(self.approval)
        self._load()
        if approved:
            self.changed.emit(job_id)
        return approved

    def record_decline(self) -> bool:
        quote = self.current()
        if quote is None:
            return False
        name = self.ask(_("Name of the customer who declined"))
        if name is None:
            return False
        reason = self.ask(_("Why was the quote declined?"))
        if reason is None:
            return False
        return self._do(lambda: quotes.decline_quote(self._ctx, quote.id, name, reason))

    def _approval_dialog(self, dialog: ApprovalDialog) -> bool:
        dialog.showFullScreen()  # the customer holds the tablet
        return bool(dialog.exec())

    def _ask(self, prompt: str) -> str | None:
        text, ok = QInputDialog.getText(self, _("FieldKit"), prompt)
        return text if ok else None

    # -- preview -----------------------------------------------------------------------------

    def show_preview(self) -> None:
        quote = self.current()
        if quote is None:
            return
        from fieldkit.services import documents  # PDF machinery: loaded when first needed

        self.preview_button.setEnabled(False)
        self.error.setText(_("Rendering the quote…"))
        self.background.run(
            lambda: self._ctx.blobs.path(documents.quote_pdf(self._ctx, quote.id)),
            lambda path: self._open_preview(path, quote.number),
            self._preview_failed,
        )

    def _open_preview(self, path: Path, number: str) -> None:
        self.preview_button.setEnabled(True)
        self.error.setText("")
        self.preview = PdfPreviewDialog(path, _("Quote") + f" {number}", f"{number}.pdf")
        self.present(self.preview)

    def _preview_failed(self, exc: Exception) -> None:
        self.preview_button.setEnabled(True)
        show_error(exc, self.error, context=_("The quote could not be rendered: {error}"))
