"""Quote builder for post-warranty work: parts from the price list, labour, travel, tax,
totals; a PDF preview; the customer approves by signing (or declines, with the reason)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from fieldkit.domain.enums import QuoteLineKind, QuoteStatus, SignerRole
from fieldkit.i18n import N_, _
from fieldkit.services import queries, quote_views, quotes
from fieldkit.services.context import ServiceContext
from fieldkit.ui.background import Background
from fieldkit.ui.errors import show_error
from fieldkit.ui.pdf_preview import PdfPreviewDialog
from fieldkit.ui.qt import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldkit.ui.signature_pad import SignaturePad

# Chinese VAT: 13 % on goods (parts come with their own rate), 6 % on services.
SERVICE_TAX = Decimal("0.06")
LABOUR_RATE = Decimal("280")  # per hour, the default the engineer can change
STATUS = {
    QuoteStatus.DRAFT: N_("Draft: not yet shown to the customer"),
    QuoteStatus.APPROVED: N_("Approved by {name}"),
    QuoteStatus.DECLINED: N_("Declined by {name}: {reason}"),
}


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


class ApprovalDialog(QDialog):
    """The customer signs the quote: name and signature, nothing else to fill in."""

    def __init__(self, total: str) -> None:
        super().__init__()
        self.setWindowTitle(_("Customer approves the quote"))
        self.name = QLineEdit()
        self.pad = SignaturePad()
        self.error = QLabel()
        self.error.setStyleSheet("color: #8a1c1c;")
        form = QFormLayout()
        form.addRow(_("Customer name"), self.name)
        approve = QPushButton(_("Approve and sign"))
        clear = QPushButton(_("Clear"))
        for button in (clear, approve):
            button.setMinimumHeight(52)
        clear.clicked.connect(self.pad.clear)
        approve.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(clear)
        buttons.addWidget(approve)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Total to approve: {total}").format(total=total)))
        layout.addLayout(form)
        layout.addWidget(self.pad, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)


class QuoteBuilder(QWidget):
    changed = Signal(str)  # job id, after the quote changed (outbox, status bar)

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.job_id: str | None = None
        self._quotes: list[quote_views.QuoteView] = []
        self.background = Background()
        self.preview: PdfPreviewDialog | None = None
        # Replaced in tests: how the customer's decision is captured.
        self.approve_with: Callable[[str], ApprovalDialog | None] = self._approval_dialog
        self.ask: Callable[[str], str | None] = self._ask
        self.present: Callable[[QDialog], None] = lambda dialog: dialog.show()

        self.billing = QLabel()
        self.billing.setWordWrap(True)
        self.chooser = QComboBox()
        self.chooser.currentIndexChanged.connect(lambda _i: self._show_quote())
        self.new_quote = QPushButton(_("New quote"))
        self.new_quote.clicked.connect(self.start_quote)
        top = QHBoxLayout()
        top.addWidget(self.chooser, 1)
        top.addWidget(self.new_quote)
        self.status = QLabel()
        self.status.setWordWrap(True)

        self.part_search = QLineEdit()
        self.part_search.setPlaceholderText(_("Search the price list: part number or name…"))
        self.part_search.setClearButtonEnabled(True)
        self.part_search.textChanged.connect(self._search_parts)
        self.parts = QListWidget()
        self.parts.setMaximumHeight(150)
        self.quantity = QDoubleSpinBox(decimals=0, minimum=1, maximum=999, value=1)
        self.add_part = QPushButton(_("Add part"))
        self.add_part.clicked.connect(self.add_selected_part)
        self.hours = QDoubleSpinBox(decimals=1, minimum=0.5, maximum=99, value=1, singleStep=0.5)
        self.rate = QDoubleSpinBox(decimals=2, minimum=0, maximum=99999, value=float(LABOUR_RATE))
        self.add_labour = QPushButton(_("Add labour"))
        self.add_labour.clicked.connect(self.add_labour_line)
        self.travel = QDoubleSpinBox(decimals=2, minimum=0, maximum=99999, value=150)
        self.add_travel = QPushButton(_("Add travel"))
        self.add_travel.clicked.connect(self.add_travel_line)
        self.replace = QPushButton(_("Record replaced part"))
        self.replace.setToolTip(
            _("The selected part, during the repair; a paid part needs an approved quote")
        )
        self.replace.clicked.connect(self.record_replacement)
        grid = QGridLayout()
        grid.addWidget(QLabel(_("Quantity")), 0, 0)
        grid.addWidget(self.quantity, 0, 1)
        grid.addWidget(self.add_part, 0, 2)
        grid.addWidget(self.replace, 0, 3)
        grid.addWidget(QLabel(_("Labour hours / rate")), 1, 0)
        hours = QHBoxLayout()
        hours.addWidget(self.hours)
        hours.addWidget(self.rate)
        grid.addLayout(hours, 1, 1)
        grid.addWidget(self.add_labour, 1, 2)
        grid.addWidget(QLabel(_("Travel")), 2, 0)
        grid.addWidget(self.travel, 2, 1)
        grid.addWidget(self.add_travel, 2, 2)

        self.lines = QTableWidget(0, 5)
        self.lines.setHorizontalHeaderLabels(
            [_("Description"), _("Qty"), _("Unit price"), _("Tax"), _("Amount")]
        )
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines.verticalHeader().setVisible(False)
        self.lines.horizontalHeader().setStretchLastSection(True)
        self.totals = QLabel()
        self.totals.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.totals.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #8a1c1c;")
        self.preview_button = QPushButton(_("Preview PDF"))
        self.preview_button.clicked.connect(self.show_preview)
        self.approve = QPushButton(_("Customer approves (sign)"))
        self.approve.clicked.connect(self.record_approval)
        self.decline = QPushButton(_("Customer declines"))
        self.decline.clicked.connect(self.record_decline)
        actions = QHBoxLayout()
        for button in (self.preview_button, self.decline, self.approve):
            button.setMinimumHeight(52)
            actions.addWidget(button)
        for button in (
            self.new_quote,
            self.add_part,
            self.add_labour,
            self.add_travel,
            self.replace,
        ):
            button.setMinimumHeight(44)

        layout = QVBoxLayout(self)
        layout.addWidget(self.billing)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.part_search)
        layout.addWidget(self.parts)
        layout.addLayout(grid)
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
        self._search_parts()

    def _load(self, select_last: bool = False) -> None:
        assert self.job_id is not None
        self._quotes = quote_views.quotes_for_job(self._ctx, self.job_id)
        current = self.current_id()
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for q in self._quotes:
            self.chooser.addItem(f"{q.number} · {_money(q.totals.total.amount)} {q.currency}", q.id)
        index = len(self._quotes) - 1 if select_last else self.chooser.findData(current)
        self.chooser.setCurrentIndex(max(index, 0) if self._quotes else -1)
        self.chooser.blockSignals(False)
        self._show_quote()

    def current_id(self) -> str | None:
        data = self.chooser.currentData()
        return str(data) if data else None

    def current(self) -> quote_views.QuoteView | None:
        return next((q for q in self._quotes if q.id == self.current_id()), None)

    def _show_quote(self) -> None:
        quote = self.current()
        draft = quote is not None and quote.status is QuoteStatus.DRAFT
        for widget in (self.add_part, self.add_labour, self.add_travel, self.decline):
            widget.setEnabled(draft)
        self.approve.setEnabled(draft and quote is not None and bool(quote.lines))
        self.preview_button.setEnabled(quote is not None and bool(quote.lines))
        self.lines.setRowCount(0)
        if quote is None:
            self.status.setText(_("No quote yet for this job."))
            self.totals.setText("")
            return
        self.status.setText(
            _(STATUS[quote.status]).format(name=quote.decided_by, reason=quote.decline_reason)
            + "  ·  "
            + _("valid until {date}").format(date=quote.valid_until.isoformat())
        )
        self.lines.setRowCount(len(quote.lines))
        for row, line in enumerate(quote.lines):
            cells = (
                f"{line.part_no + ' · ' if line.part_no else ''}{line.description}",
                f"{line.quantity.normalize():f}",
                _money(line.unit_price.amount),
                f"{line.tax_rate * 100:.0f}%",
                _money(line.net.amount),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.lines.setItem(row, column, item)
        self.lines.resizeColumnsToContents()
        t = quote.totals
        self.totals.setText(
            _("Subtotal {subtotal} · tax {tax} · total {total} {currency}").format(
                subtotal=_money(t.subtotal.amount),
                tax=_money(t.tax.amount),
                total=_money(t.total.amount),
                currency=quote.currency,
            )
        )

    def _search_parts(self) -> None:
        self.parts.clear()
        for offer in quote_views.search_parts(self._ctx, self.part_search.text()):
            item = QListWidgetItem(
                f"{offer.part_no}  {offer.name} {offer.name_en}  ·  "
                f"{_money(offer.unit_price)} {offer.currency} / {offer.unit}"
            )
            item.setData(Qt.ItemDataRole.UserRole, offer.part_no)
            self.parts.addItem(item)
        if self.parts.count():
            self.parts.setCurrentRow(0)

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
                description=_("Labour (hours)"),
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
                description=_("Travel"),
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
        removed = self.ask(_("Serial number of the part removed"))
        if removed is None:
            return False
        installed = self.ask(_("Serial number of the part installed"))
        if installed is None:
            return False
        qty = int(self.quantity.value())
        if not self._do(
            lambda: quotes.record_part_replacement(
                self._ctx, job_id, part_no, qty, removed, installed
            )
        ):
            return False
        self.error.setText(_("Recorded: {part} replaced").format(part=part_no))
        return True

    # -- the customer's decision -------------------------------------------------------------

    def record_approval(self) -> bool:
        quote = self.current()
        if quote is None:
            return False
        dialog = self.approve_with(f"{_money(quote.totals.total.amount)} {quote.currency}")
        if dialog is None:
            return False
        try:
            capture = dialog.pad.capture(SignerRole.CUSTOMER, dialog.name.text())
        except Exception as exc:
            show_error(exc, self.error)
            return False
        return self._do(lambda: quotes.record_customer_approval(self._ctx, quote.id, capture))

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

    def _approval_dialog(self, total: str) -> ApprovalDialog | None:
        dialog = ApprovalDialog(total)
        dialog.showFullScreen()  # the customer holds the tablet
        return dialog if dialog.exec() else None

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
