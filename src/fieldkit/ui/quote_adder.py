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
from fieldkit.ui.touch import touch_height

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
            touch_height(button)
        # Each field's name over its controls, one row each: beside them (a grid) they were
        # wider than the job's pane at 1280 px with finger-sized spin boxes, and a longer
        # translation would only make it worse.
        rows = QVBoxLayout()
        for text, controls in (
            (_("Quantity"), (self.quantity, self.add_part, self.replace)),
            (_("Labour hours / rate"), (self.hours, self.rate, self.add_labour)),
            (_("Travel"), (self.travel, self.add_travel)),
        ):
            row = QHBoxLayout()
            for control in controls:
                row.addWidget(control, 1 if isinstance(control, QDoubleSpinBox) else 0)
            rows.addWidget(QLabel(text))
            rows.addLayout(row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.part_search)
        layout.addWidget(self.parts)
        layout.addLayout(rows)

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
