"""A quote's lines, and on a draft the editor for the selected line: change its description,
quantity or unit price, or remove it (also with the Delete key)."""

from __future__ import annotations

from decimal import Decimal

from fieldkit.domain.enums import QuoteStatus
from fieldkit.domain.quote import QuoteLine
from fieldkit.i18n import _
from fieldkit.labels import line_description
from fieldkit.services.quote_views import QuoteView
from fieldkit.ui.qt import (
    QAbstractItemView,
    QDoubleSpinBox,
    QEvent,
    QHBoxLayout,
    QHeaderView,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QObject,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldkit.ui.touch import touch_height


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def spin_decimal(spin: QDoubleSpinBox) -> Decimal:
    """The spin box's value as the decimal the engineer sees (no binary float noise)."""
    value = Decimal(f"{spin.value():.{spin.decimals()}f}")
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


class QuoteLinesPanel(QWidget):
    save_line = Signal(str, str, str, str)  # line id, description, quantity, unit price
    remove_line = Signal(str)  # line id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lines: tuple[QuoteLine, ...] = ()
        self._editable = False
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [_("Description"), _("Qty"), _("Unit price"), _("Tax"), _("Amount")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        # Fixed rules, not resize-to-contents after each change: columns no longer collapse.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        touch_height(self.table, 4)
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.itemDoubleClicked.connect(self._edit_selected)
        self.table.installEventFilter(self)  # Delete (or Backspace) removes the selected line

        self.description = QLineEdit()
        # Short, so a longer language shows it whole beside the buttons; the tooltip says more.
        self.description.setPlaceholderText(_("Line description"))
        self.description.setToolTip(_("Description of the selected line"))
        self.quantity = QDoubleSpinBox(decimals=2, minimum=0.01, maximum=9999, value=1)
        self.unit_price = QDoubleSpinBox(decimals=2, minimum=0, maximum=9_999_999, value=0)
        self.save = QPushButton(_("Save line"))
        self.remove = QPushButton(_("Remove line"))
        for widget in (self.description, self.quantity, self.unit_price, self.save, self.remove):
            touch_height(widget)
        self.save.clicked.connect(self._save)
        self.remove.clicked.connect(self._remove)
        # Two rows: with finger-sized spin boxes one row was wider than the job's pane.
        editor = QVBoxLayout()
        text_row, number_row = QHBoxLayout(), QHBoxLayout()
        text_row.addWidget(self.description, 1)
        text_row.addWidget(self.save)
        text_row.addWidget(self.remove)
        number_row.addWidget(QLabel(_("Qty")))
        number_row.addWidget(self.quantity, 1)
        number_row.addWidget(QLabel(_("Unit price")))
        number_row.addWidget(self.unit_price, 1)
        editor.addLayout(text_row)
        editor.addLayout(number_row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(editor)
        self._selected()

    def show_quote(self, quote: QuoteView | None, editable: bool) -> None:
        """Show a quote's lines; only an open draft's lines can be edited."""
        selected = self.selected_line_id()
        self._lines = quote.lines if quote else ()
        self._editable = editable and quote is not None and quote.status is QuoteStatus.DRAFT
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.setRowCount(len(self._lines))
        for row, line in enumerate(self._lines):
            cells = (
                (line.part_no + ' · ' if line.part_no else '') + line_description(line.description),
                f"{line.quantity.normalize():f}",
                money(line.unit_price.amount),
                f"{line.tax_rate * 100:.0f}%",
                money(line.net.amount),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        ids = [line.line_id for line in self._lines]
        if selected in ids:
            self.table.selectRow(ids.index(selected))
        self._selected()

    def selected_line(self) -> QuoteLine | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._lines):
            return None
        return self._lines[rows[0].row()]

    def selected_line_id(self) -> str | None:
        line = self.selected_line()
        return line.line_id if line else None

    def _selected(self) -> None:
        line = self.selected_line()
        editing = line is not None and self._editable
        for widget in (self.description, self.quantity, self.unit_price, self.save, self.remove):
            widget.setEnabled(editing)
        if line is None:
            self.description.clear()
            self.quantity.setValue(self.quantity.minimum())
            self.unit_price.setValue(0)
            return
        self.description.setText(line.description)
        self.quantity.setValue(float(line.quantity))
        self.unit_price.setValue(float(line.unit_price.amount))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
            and self._editable
            and self.selected_line() is not None
        ):
            self._remove()
            return True
        return super().eventFilter(watched, event)

    def _edit_selected(self, _item: QTableWidgetItem) -> None:
        if self._editable:
            self.description.setFocus()
            self.description.selectAll()

    def _save(self) -> None:
        line = self.selected_line()
        if line is None or not self._editable:
            return
        self.save_line.emit(
            line.line_id,
            self.description.text(),
            str(spin_decimal(self.quantity)),
            str(spin_decimal(self.unit_price)),
        )

    def _remove(self) -> None:
        line = self.selected_line()
        if line is not None and self._editable:
            self.remove_line.emit(line.line_id)
