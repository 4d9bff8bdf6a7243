"""Job list as a lazily-filled table model: holds ids, fetches display rows a page at a time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from fieldkit.domain.sla import SlaClock, SlaState
from fieldkit.i18n import _
from fieldkit.labels import severity_label, sla_label, status_label, time_left_label
from fieldkit.services.job_list import JobFilter, JobList, JobRow
from fieldkit.ui.qt import (
    QAbstractTableModel,
    QBrush,
    QColor,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from fieldkit.ui.theme import current_theme

PAGE = 200
# Two lines in the job and customer cells (number over status, customer and site over the
# fault as reported): every row shows severity, who, where, what and both countdowns in the
# list's half of a 1280 px screen.
COLUMNS = ("severity", "job", "customer", "respond", "arrive")
HEADERS = {
    "severity": "Severity",
    "job": "Job",
    "customer": "Customer · site / fault",
    "respond": "Respond by",
    "arrive": "Arrive by",
}
SORT_KEYS = {
    "severity": "severity",
    "job": "number",
    "customer": "customer",
    "respond": "urgency",  # the nearest pending deadline: respond-by, then arrive-by
    "arrive": "urgency",
}
DEFAULT_SORT_COLUMN = COLUMNS.index("respond")  # urgency is the list's opening order
JobIdRole = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


class JobListModel(QAbstractTableModel):
    def __init__(self, jobs: JobList, now: Callable[[], datetime]) -> None:
        super().__init__()
        self._jobs = jobs
        self._now = now
        self._filter = JobFilter()
        self._ids: list[str] = []  # ids of the rows exposed to the view so far, in order
        self._total: int | None = None  # rows matching the filter, counted when asked
        self._more = False  # the last page was full: there may be more
        self._rows: dict[str, JobRow] = {}

    def set_clock(self, now: Callable[[], datetime]) -> None:
        """The store's clock, once it is open (the list starts on the system clock)."""
        self._now = now

    def now(self) -> datetime:
        return self._now()

    # -- loading -------------------------------------------------------------------------
    def set_filter(self, flt: JobFilter) -> None:
        self.beginResetModel()
        self._filter = flt
        self._total = None
        self._ids = self._jobs.page(flt, 0, PAGE)
        self._more = len(self._ids) == PAGE
        self._rows.clear()
        self.endResetModel()

    def refresh(self) -> None:
        self.set_filter(self._filter)

    @property
    def total(self) -> int:
        """Matching jobs; counted separately from the first page, which comes first."""
        if self._total is None:
            self._total = self._jobs.count(self._filter)
        return self._total

    @property
    def filter(self) -> JobFilter:
        return self._filter

    @property
    def jobs(self) -> JobList:
        return self._jobs

    def counted(self, flt: JobFilter, total: int) -> bool:
        """A count made elsewhere (on a worker); kept only if the filter is still current."""
        if flt != self._filter:
            return False
        self._total = total
        return True

    @property
    def _loaded(self) -> int:
        return len(self._ids)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        more = self._jobs.page(self._filter, self._loaded, PAGE)
        self._more = len(more) == PAGE
        if not more:
            return
        self.beginInsertRows(QModelIndex(), self._loaded, self._loaded + len(more) - 1)
        self._ids.extend(more)
        self.endInsertRows()

    def _row(self, row: int) -> JobRow | None:
        job_id = self._ids[row]
        if job_id not in self._rows:
            start = row - row % PAGE
            page = self._ids[start : start + PAGE]
            self._rows.update({r.id: r for r in self._jobs.rows(page)})
        return self._rows.get(job_id)

    def refresh_job(self, job_id: str) -> None:
        """One job changed: reload its row and repaint it, without resetting the view."""
        if job_id not in self._ids:
            return
        self._rows.update({r.id: r for r in self._jobs.rows([job_id])})
        row = self._ids.index(job_id)
        if row < self._loaded:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def row_of(self, job_id: str, pages: int = 5) -> int | None:
        """The job's row, reading up to ``pages`` more pages to find it; None if the filter
        hides it (or it is further down than that)."""
        for _page in range(pages + 1):
            if job_id in self._ids:
                return self._ids.index(job_id)
            if not self.canFetchMore():
                return None
            self.fetchMore()
        return None

    def tick(self) -> None:
        """Countdowns moved on: repaint only the SLA columns."""
        if self._loaded:
            first = self.index(0, COLUMNS.index("respond"))
            last = self.index(self._loaded - 1, COLUMNS.index("arrive"))
            self.dataChanged.emit(first, last, [Qt.ItemDataRole.DisplayRole])

    # -- Qt model interface --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._loaded

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(HEADERS[COLUMNS[section]])
        return None

    def _colour(self, row: JobRow, column: str, background: bool) -> QBrush | None:
        """The severity cell's colours and a missed deadline's, from the current theme (read
        at paint time: a theme switch repaints the list in the new colours)."""
        theme = current_theme()
        if column == "severity":
            cell = theme.severity.get(row.severity, theme.severity[0])
            return QBrush(QColor(cell.bg if background and cell.bg else cell.fg))
        if background or column not in ("respond", "arrive"):
            return None
        if self._sla(row, column)[0] is SlaState.BREACHED:
            return QBrush(QColor(theme.breached))
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= self._loaded:
            return None
        row = self._row(index.row())
        if row is None:
            return None
        column = COLUMNS[index.column()]
        if role == JobIdRole:
            return row.id
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            return self._colour(row, column, role == Qt.ItemDataRole.BackgroundRole)
        if role == Qt.ItemDataRole.ToolTipRole and column == "customer":
            return f"{row.customer}\n{row.site}\n{row.fault}"
        if role == Qt.ItemDataRole.ToolTipRole and column in ("respond", "arrive"):
            clock = row.respond if column == "respond" else row.arrive
            return (
                clock.deadline.astimezone().strftime("%Y-%m-%d %H:%M") if clock.deadline else None
            )
        return None

    def _sla(self, row: JobRow, column: str) -> tuple[SlaState, SlaClock]:
        clock = row.respond if column == "respond" else row.arrive
        return clock.state(self._now()), clock

    def _display(self, row: JobRow, column: str) -> str:
        if column == "severity":
            return f"{row.severity} {severity_label(row.severity)}"
        if column == "job":
            return f"{row.number}\n{status_label(row.status)}"
        if column == "customer":
            fault = " ".join(row.fault.split())  # one line: a reported fault can hold newlines
            return f"{row.customer} · {row.site}\n{fault or '-'}"
        state, clock = self._sla(row, column)
        left = clock.time_left(self._now())
        if state is SlaState.BREACHED and left is not None:
            # Two lines, like the job and customer cells: the word never clips the time.
            return _("Breached\n{time} ago").format(time=time_left_label(-left))
        if state is SlaState.RUNNING and left is not None:
            return time_left_label(left)
        return sla_label(state.value)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS.get(COLUMNS[column])
        if key is None:
            return
        descending = order is Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._filter.sort, self._filter.descending):
            return  # e.g. the view announcing its initial sort: nothing to re-query
        self.set_filter(replace(self._filter, sort=key, descending=descending))
