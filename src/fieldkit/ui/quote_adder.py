"""What goes onto a quote: a part searched in the price list, labour hours at a rate, travel;
and the button that records a replaced part."""

from __future__ import annotations

from decimal import Decimal

from fieldkit.i18n import _
from fieldkit.labels import unit_label
from fieldkit.services import quote_views
from fieldkit.services.context import ServiceContext
from fieldkit.ui.qt import (
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
)

# Chinese VAT: 13 % on goods (parts come with their own rate), 6 % on services.
SERVICE_TAX = Decimal("0.06")
LABOUR_RATE = Decimal("280")  # per hour, the default the engineer can change


class LineAdder(QWidget):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.part_search = QLineEdit()
        self.part_search.setPlaceholderText(_("Search the price list: part number or name…"))
        self.part_search.setClearButtonEnabled(True)
        self.part_search.textChanged.connect(self.search)
        self.parts = QListWidget()
        self.parts.setMaximumHeight(150)
        self.quantity = QDoubleSpinBox(decimals=0, minimum=1, maximum=999, value=1)
        self.add_part = QPushButton(_("Add part"))
        self.hours = QDoubleSpinBox(decimals=1, minimum=0.5, maximum=99, value=1, singleStep=0.5)
        self.rate = QDoubleSpinBox(decimals=2, minimum=0, maximum=99999, value=float(LABOUR_RATE))
        self.add_labour = QPushButton(_("Add labour"))
        self.travel = QDoubleSpinBox(decimals=2, minimum=0, maximum=99999, value=150)
        self.add_travel = QPushButton(_("Add travel"))
        self.replace = QPushButton(_("Record replaced part"))
        self.replace.setToolTip(
            _("The selected part, during the repair; a paid part needs an approved quote")
        )
        for button in (self.add_part, self.add_labour, self.add_travel, self.replace):
            button.setMinimumHeight(44)
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.part_search)
        layout.addWidget(self.parts)
        layout.addLayout(grid)

    def search(self) -> None:
        self.parts.clear()
        for offer in quote_views.search_parts(self._ctx, self.part_search.text()):
            item = QListWidgetItem(
                f"{offer.part_no}  {offer.name} {offer.name_en}  ·  "
                f"{offer.unit_price:,.2f} {offer.currency} / {unit_label(offer.unit)}"
            )
            item.setData(Qt.ItemDataRole.UserRole, offer.part_no)
            self.parts.addItem(item)
        if self.parts.count():
            self.parts.setCurrentRow(0)
