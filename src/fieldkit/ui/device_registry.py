"""The site's device registry on the dossier's Devices tab: one row per device (tag, model,
serial, firmware, location) and, beside it, the chosen device's details and parameters under
their display names. A search keeps the columns where they are and says how many devices
match; a tap on a detail copies its value."""

from __future__ import annotations

from fieldkit.i18n import N_, _, ngettext
from fieldkit.labels import parameter_label, unit_label
from fieldkit.services.context import ServiceContext
from fieldkit.services.device_registry import DeviceEntry, Parameter, device_registry
from fieldkit.ui.qt import (
    QAbstractItemView,
    QEvent,
    QGuiApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.touch import touch_px

COLUMNS = (N_("Tag"), N_("Model"), N_("Serial number"), N_("Firmware"), N_("Location"))
# Fixed widths (the last column takes the rest): a search never moves a column.
WIDTHS = (170, 130, 130, 100)
FACTS = (N_("Tag"), N_("Manufacturer"), N_("Model"), N_("Serial number"), N_("Firmware"))


def shown_value(parameter: Parameter) -> str:
    """A value as a person reads it: a yes/no setting in words, anything else as stored."""
    if parameter.value_type == "bool":
        return _("Yes") if parameter.value.strip().lower() in ("true", "1", "yes") else _("No")
    return parameter.value


class DeviceRegistry(QWidget):
    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.site_id: str | None = None
        self.entries: list[DeviceEntry] = []
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search devices, locations, parameters, values…"))
        self.search.setClearButtonEnabled(True)
        self.count = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count)

        self.devices = QTableWidget(0, len(COLUMNS))
        self.devices.setHorizontalHeaderLabels([_(c) for c in COLUMNS])
        self.devices.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.devices.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.devices.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.devices.setTabKeyNavigation(False)  # Tab leaves the list; arrows walk its rows
        self.devices.verticalHeader().setVisible(False)
        self.devices.verticalHeader().setDefaultSectionSize(touch_px())
        self.devices.setWordWrap(False)
        header = self.devices.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate(WIDTHS):
            self.devices.setColumnWidth(column, width)
        self.devices.currentCellChanged.connect(lambda row, *_a: self._show_device(row))

        self.details = QTableWidget(0, 3)
        self.details.setHorizontalHeaderLabels([_("Parameter"), _("Value"), _("Unit")])
        self.details.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.details.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.details.setTabKeyNavigation(False)
        self.details.verticalHeader().setVisible(False)
        self.details.verticalHeader().setDefaultSectionSize(touch_px())
        self.details.setWordWrap(False)  # a long value is cut at its end, whole in its tip
        detail_header = self.details.horizontalHeader()  # names and units short, values long
        detail_header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        detail_header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        detail_header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.details.cellClicked.connect(self._copy)
        self.details.cellActivated.connect(self._copy)  # Enter on a row, from the keyboard
        self.copied = QLabel()
        self.copied.setWordWrap(True)
        hint = QLabel(_("Tap a value to copy it."))
        hint.setWordWrap(True)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.details, 1)
        side_layout.addWidget(hint)
        side_layout.addWidget(self.copied)

        self.splitter = QSplitter()
        self.splitter.addWidget(self.devices)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)  # the list's five columns, the details' three
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self.fill)
        self.search.textChanged.connect(self._debounce.start)

    def show_site(self, site_id: str) -> None:
        self.site_id = site_id
        self.fill()

    def fill(self) -> None:
        """The devices matching the search; the device shown beside stays if it still does."""
        if self.site_id is None:
            return
        current = self.current_device()
        self.entries = device_registry(
            self._ctx, self.site_id, self.search.text(), shown_name=parameter_label
        )
        self.devices.blockSignals(True)
        try:
            self.devices.setRowCount(len(self.entries))
            for r, d in enumerate(self.entries):
                for c, value in enumerate((d.tag, d.model, d.serial, d.firmware, d.location)):
                    item = QTableWidgetItem(value)
                    item.setToolTip(value)  # a long location is cut: the whole of it here
                    self.devices.setItem(r, c, item)
        finally:
            self.devices.blockSignals(False)
        self.count.setText(
            ngettext("{count} device found", "{count} devices found", len(self.entries)).format(
                count=len(self.entries)
            )
        )
        ids = [d.id for d in self.entries]
        row = ids.index(current.id) if current is not None and current.id in ids else 0
        if self.entries:
            self.devices.setCurrentCell(row, 0)
        self._show_device(row if self.entries else -1)

    def current_device(self) -> DeviceEntry | None:
        row = self.devices.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def _show_device(self, row: int) -> None:
        self.copied.clear()
        if not 0 <= row < len(self.entries):
            self.details.setRowCount(0)
            return
        d = self.entries[row]
        facts = zip(FACTS, (d.tag, d.manufacturer, d.model, d.serial, d.firmware), strict=True)
        rows = [(_(label), value, "") for label, value in facts if value]
        rows += [(parameter_label(p.key), shown_value(p), unit_label(p.unit)) for p in d.parameters]
        self.details.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.details.setItem(r, c, item)

    def _copy(self, row: int, _column: int = 0) -> None:
        item = self.details.item(row, 1)
        if item is None or not item.text():
            return
        QGuiApplication.clipboard().setText(item.text())
        self.copied.setText(_("Copied: {value}").format(value=item.text()))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.fill()  # display names and the count in the new language
