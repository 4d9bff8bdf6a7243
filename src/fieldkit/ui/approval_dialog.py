"""The customer approves a quote by signing, full screen on the tablet: the lines they agree
to and the total, their name and signature, and a visible Cancel (a tablet has no Escape).
A refusal (no name, a signature too short) is shown here, to the customer, and the screen
stays open."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from fieldkit.domain.enums import SignerRole
from fieldkit.domain.signature import SignatureCapture
from fieldkit.i18n import _
from fieldkit.labels import line_description
from fieldkit.services.quote_views import QuoteView
from fieldkit.ui.customer_language import CustomerLanguage
from fieldkit.ui.errors import show_error
from fieldkit.ui.qt import (
    QAbstractItemView,
    QDialog,
    QEvent,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)
from fieldkit.ui.signer_panel import SignerPanel
from fieldkit.ui.theme import mark
from fieldkit.ui.touch import touch_height


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


class ApprovalDialog(QDialog):
    def __init__(
        self,
        quote: QuoteView,
        names: Sequence[str],
        submit: Callable[[SignatureCapture], object],
    ) -> None:
        super().__init__()
        self._submit = submit
        self._quote = quote
        self.setWindowTitle(_("Customer approves the quote"))
        self.language = CustomerLanguage(self)  # the customer may read another language
        self.heading = heading = QLabel()
        mark(heading, emphasis="title")
        heading.setWordWrap(True)

        self.lines = QTableWidget(len(quote.lines), 4)
        self.lines.setHorizontalHeaderLabels(
            [_("Description"), _("Qty"), _("Unit price"), _("Line total")]
        )
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.lines.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.lines.verticalHeader().setVisible(False)
        self.lines.verticalHeader().setDefaultSectionSize(36)  # the customer reads these
        mark(self.lines, emphasis="large")
        header = self.lines.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for row, line in enumerate(quote.lines):
            cells = (
                "",  # the description, in the reader's language: _show_texts()
                f"{line.quantity.normalize():f}",
                money(line.unit_price.amount),
                money(line.net.amount),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.lines.setItem(row, column, item)
        # As tall as its lines (a long quote scrolls), so the pad keeps the room.
        rows = sum(self.lines.rowHeight(r) for r in range(self.lines.rowCount()))
        self.lines.setMaximumHeight(
            min(header.sizeHint().height() + rows + 2 * self.lines.frameWidth() + 2, 320)
        )
        self.total = QLabel()
        self._show_texts()
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight)
        mark(self.total, emphasis="title")

        self.signer = SignerPanel(SignerRole.CUSTOMER, _("Customer name"), names)
        self.error = QLabel()
        self.error.setWordWrap(True)
        mark(self.error, role="error", emphasis="large")
        self.signer.pad.changed.connect(self.error.clear)  # the customer is signing again
        self.cancel = QPushButton(_("Cancel"))
        self.approve = QPushButton(_("Approve and sign"))
        self.approve.setDefault(True)
        for button in (self.cancel, self.approve):
            touch_height(button, 1.2)
        self.cancel.clicked.connect(self.reject)
        self.approve.clicked.connect(self._approve)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel)
        buttons.addStretch(1)
        buttons.addWidget(self.language)  # in the button row: no height taken from the pad
        buttons.addWidget(self.approve)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.lines, 1)
        layout.addWidget(self.total)
        layout.addWidget(self.signer, 2)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def _show_texts(self) -> None:
        """The texts filled in with the quote, in the language now in effect."""
        quote, t = self._quote, self._quote.totals
        self.heading.setText(
            _("Quote {number}: please check the lines and sign").format(number=quote.number)
        )
        for row, line in enumerate(quote.lines):
            part = line.part_no + " · " if line.part_no else ""
            item = self.lines.item(row, 0)
            if item is not None:
                item.setText(part + line_description(line.description))
        self.total.setText(
            _("Subtotal {subtotal} · tax {tax} · total {total} {currency}").format(
                subtotal=money(t.subtotal.amount),
                tax=money(t.tax.amount),
                total=money(t.total.amount),
                currency=quote.currency,
            )
        )

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self._show_texts()
            self.error.clear()  # a refusal shown before reads in the language it was shown

    def _approve(self) -> None:
        self.error.setText("")
        try:
            self._submit(self.signer.capture())
        except Exception as exc:
            show_error(exc, self.error)
            return
        self.accept()
