"""Main window: the engineer's job list with search, filters and sync status.

It starts in two steps: the job list paints first, from the list reader alone (no ORM, so
no SQLAlchemy to load), and :meth:`MainWindow.attach` adds the workspace, dossier, quote and
sync once the store is fully open, within the same turn of the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from fieldkit.domain.clock import SystemClock
from fieldkit.i18n import N_, _, ngettext, tr
from fieldkit.labels import JOB_TYPE, SEVERITY, STATUS
from fieldkit.services.job_list import JobFilter, JobList, Superseded
from fieldkit.ui.background import Background
from fieldkit.ui.focus_keeper import FocusKeeper
from fieldkit.ui.focus_ring import FocusRing, ring_every_window
from fieldkit.ui.job_list_model import COLUMNS, DEFAULT_SORT_COLUMN, JobIdRole, JobListModel
from fieldkit.ui.list_fold import ListFold
from fieldkit.ui.qt import (
    QCloseEvent,
    QComboBox,
    QDialog,
    QEvent,
    QHeaderView,
    QItemSelectionModel,
    QKeySequence,
    QLabel,
    QLineEdit,
    QMainWindow,
    QModelIndex,
    QPushButton,
    QScrollArea,
    QSplitter,
    Qt,
    QTableView,
    QTimer,
    QToolBar,
    QWidget,
)
from fieldkit.ui.scrolling_tabs import ScrollingTabs
from fieldkit.ui.severity_cell import SeverityCell
from fieldkit.ui.status_bar import SyncIndicator, may_quit
from fieldkit.ui.theme import mark
from fieldkit.ui.touch import touch_height, touch_px

if TYPE_CHECKING:  # the store, the screens and sync load in attach(), after the first paint
    from fieldkit.services.context import ServiceContext
    from fieldkit.ui.job_workspace import JobWorkspace
    from fieldkit.ui.quote_builder import QuoteBuilder
    from fieldkit.ui.site_dossier import SiteDossierPanel
    from fieldkit.ui.sync_status import SyncBridge, SyncState

SEARCH_DEBOUNCE_MS = 150
COUNTDOWN_TICK_MS = 30_000


# When a job was reported: presets a thumb can pick; 0 is today (since local midnight).
REPORTED_WITHIN: tuple[tuple[str, int | None], ...] = (
    (N_("Any date"), None),
    (N_("Reported today"), 0),
    (N_("Last 7 days"), 7),
    (N_("Last 30 days"), 30),
)


def reported_since(days: int | None, now: datetime) -> datetime | None:
    """The start of the chosen period: the engineer's midnight today, or N days back."""
    if days is None:
        return None
    if days == 0:
        return now.astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    return now - timedelta(days=days)


class MainWindow(QMainWindow):
    workspace: JobWorkspace
    dossier: SiteDossierPanel
    quote: QuoteBuilder

    def __init__(
        self,
        ctx: ServiceContext | None = None,
        online: bool = False,
        sync: SyncBridge | None = None,
        *,
        jobs: JobList | None = None,
    ) -> None:
        """With ``ctx``, the whole window at once; with only ``jobs``, the job list, and
        :meth:`attach` completes it."""
        super().__init__()
        if jobs is None:
            if ctx is None:
                raise ValueError("MainWindow needs a service context or a job list")
            jobs = ctx.job_list
        self._ctx: ServiceContext | None = None
        self.online = online
        self.sync: SyncBridge | None = None
        self.setWindowTitle(_("FieldKit — My jobs"))
        self.model = JobListModel(jobs, ctx.clock.now if ctx else SystemClock().now)

        bar = QToolBar(_("Filters"))
        bar.setMovable(False)
        # A finger's way to show or hide the list (Ctrl+L): on a narrow screen it folds away.
        self.list_button = QPushButton(_("Job list"))
        self.list_button.clicked.connect(self.toggle_list)
        bar.addWidget(self.list_button)
        self.search = QLineEdit()
        # Short, so a longer language still shows it whole beside the filters; the tooltip
        # says what it searches.
        self.search.setPlaceholderText(_("Search jobs…"))
        self.search.setToolTip(_("Search jobs, customers, sites, devices…"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(200)  # wider when there is room
        touch_height(self.search)  # a touch target, like the filters beside it
        self.status_filter = QComboBox()
        self.status_filter.addItem(_("All statuses"), None)
        for value, label in STATUS.items():
            self.status_filter.addItem(_(label), value)
        self.severity_filter = QComboBox()
        self.severity_filter.addItem(_("All severities"), None)
        for level, label in SEVERITY.items():
            self.severity_filter.addItem(f"{level} {_(label)}", level)
        self.type_filter = QComboBox()
        self.type_filter.addItem(_("All types"), None)
        for value, label in JOB_TYPE.items():
            self.type_filter.addItem(_(label), value)
        self.date_filter = QComboBox()
        for label, days in REPORTED_WITHIN:
            self.date_filter.addItem(_(label), days)
        bar.addWidget(self.search)
        for combo in (self.status_filter, self.severity_filter, self.type_filter, self.date_filter):
            touch_height(combo)
            bar.addWidget(combo)
        self.addToolBar(bar)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(touch_px())  # a finger's row
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((88, 150, 200, 96)):
            self.table.setColumnWidth(column, width)
        self.table.setWordWrap(False)  # the two-line cells break at their newline only
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        # The indicator first: enabling sorting sorts by it, and urgency is what the model
        # already reads (sorting by column 0 first would sort 100k rows for nothing).
        header.setSortIndicator(DEFAULT_SORT_COLUMN, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        # Tab leaves the list (rows are walked with the arrow keys): walking cells with Tab
        # opened every job it passed. The list shows where the focus is.
        self.table.setTabKeyNavigation(False)
        mark(self.table, role="focus-ring")
        self.table.setItemDelegateForColumn(0, SeverityCell(self.table))
        # Whatever re-reads the list (a step, a filter, a sort, a sync) keeps the open job
        # selected and in view.
        self._reselecting = False
        self.model.modelReset.connect(self._reselect)
        self.tabs = ScrollingTabs()  # filled by attach()
        self._splitter = QSplitter()
        self._splitter.addWidget(self.table)
        self._splitter.addWidget(self.tabs)
        self._splitter.setStretchFactor(0, 0)  # the list keeps its columns; the job grows
        self._splitter.setStretchFactor(1, 1)
        # The list shows every column at 1280 px; the rest is the workspace.
        self._splitter.setSizes([660, 620])
        self.fold = ListFold(self.table, self.tabs, self._splitter)
        self.setCentralWidget(self._splitter)

        self.sync_indicator = SyncIndicator()
        self.sync_label = self.sync_indicator.label
        self._sync_message = ""
        self.count_label = QLabel()
        # Refused changes need the engineer's decision: plain to see, one tap to open.
        self.refused = QPushButton()
        self.refused.setFlat(True)
        mark(self.refused, role="error", emphasis="strong")
        self.refused.hide()
        self.refused.clicked.connect(self.show_conflicts)
        self.statusBar().addWidget(self.sync_indicator)
        self.statusBar().addWidget(self.refused)
        self.statusBar().addPermanentWidget(self.count_label)

        self._background = Background()
        self._closing = False
        self._count_timer = QTimer(self, singleShot=True, interval=0)
        self._count_timer.timeout.connect(self.show_count)
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._debounce.start)
        for combo in (self.status_filter, self.severity_filter, self.type_filter, self.date_filter):
            combo.currentIndexChanged.connect(self.apply_filter)
        self._ticker = QTimer(self, interval=COUNTDOWN_TICK_MS)
        self._ticker.timeout.connect(self.model.tick)
        self._ticker.start()
        focus = self.addAction(_("Search"))
        focus.setShortcut(QKeySequence.StandardKey.Find)
        focus.triggered.connect(lambda: self.search.setFocus(Qt.FocusReason.ShortcutFocusReason))
        self._menu = self.menuBar().addMenu(_("FieldKit"))
        for text, shortcut, slot in (
            (_("Sync now"), "F5", self.sync_now),
            (_("Log in to the service center…"), "", self.log_in),
            (_("Changes the service center refused…"), "", self.show_conflicts),
            (_("Show or hide the job list"), "Ctrl+L", self.toggle_list),
            (_("Settings…"), "Ctrl+,", self.show_settings),
            (_("Export diagnostics…"), "", self.export_diagnostics),
            (_("Quit"), "Ctrl+Q", self.request_quit),
        ):
            action = self._menu.addAction(text)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(slot)
        self._menu.setEnabled(False)  # its commands need the store: enabled by attach()
        self.help_menu = self.menuBar().addMenu(_("Help"))
        keys = self.help_menu.addAction(_("Keyboard shortcuts…"))
        keys.setShortcut(QKeySequence.StandardKey.HelpContents)  # F1
        keys.triggered.connect(self.show_shortcuts)
        # After a dialog, focus goes back where it was, not to the search box.
        self.focus_keeper = FocusKeeper(self, self.search, self.list_button)
        self.focus_ring = FocusRing(self)  # where the keyboard is, plain to see
        ring_every_window()  # and in each dialog
        # Replaced in tests: how a dialog is shown (modal on a real screen).
        self.present: Callable[[QDialog], object] = lambda dialog: dialog.exec()

        self.apply_filter()
        if ctx is not None:
            self.attach(ctx, sync)

    def attach(self, ctx: ServiceContext, sync: SyncBridge | None = None) -> None:
        """The rest of the window, over the fully opened store: the job workspace, site
        dossier, parts and quote, the menu's commands, sync status and background sync."""
        from fieldkit.ui.job_workspace import JobWorkspace
        from fieldkit.ui.quote_builder import QuoteBuilder
        from fieldkit.ui.site_dossier import SiteDossierPanel

        self._ctx = ctx
        self.model.set_clock(ctx.clock.now)
        self.workspace = JobWorkspace(ctx)
        self.dossier = SiteDossierPanel(ctx)
        self.quote = QuoteBuilder(ctx)
        scroller = QScrollArea()  # a long checklist scrolls instead of squeezing its rows
        scroller.setWidgetResizable(True)
        scroller.setWidget(self.workspace)
        # The workspace wraps to its width: a long line never hides the step button sideways.
        scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the job's controls
        self.tabs.addTab(scroller, _("Job"))
        # Each tab scrolls rather than setting a least window size: the window fits a
        # 1280x800 screen at 150 % (853x533 widget pixels).
        self.tabs.add_scrolling_tab(self.dossier, _("Site dossier"))
        self.tabs.add_scrolling_tab(self.quote, _("Parts and quote"))
        # Tabs other than the job load when they are shown: a drawing is not opened for
        # every job the engineer scrolls past.
        self._stale: set[QWidget] = set()
        self.tabs.currentChanged.connect(lambda _i: self._load_current_tab())
        self.table.selectionModel().currentRowChanged.connect(self._open_row)
        self.workspace.changed.connect(self._job_changed)
        self.quote.changed.connect(self._job_changed)
        self.workspace.prepare_requested.connect(self.sync_now)
        for n in range(self.tabs.count()):  # Ctrl+1..3: job, site dossier, parts and quote
            tab = self.addAction(self.tabs.tabText(n))
            tab.setShortcut(QKeySequence(f"Ctrl+{n + 1}"))
            tab.triggered.connect(lambda _c=False, i=n: self.tabs.setCurrentIndex(i))
        self._menu.setEnabled(True)
        current = self.table.currentIndex()
        if current.isValid():  # a row picked while the store opened
            self._open_row(current, QModelIndex())
        self.refresh_status()
        self.sync = sync
        if sync is not None:
            sync.state_changed.connect(self._sync_state)
            sync.watch_network()
            sync.start()

    @property
    def ctx(self) -> ServiceContext:
        if self._ctx is None:
            raise RuntimeError("the window is still opening its store")
        return self._ctx

    def toggle_list(self) -> None:
        """More room for a drawing or a quote on a small tablet screen."""
        self.fold.toggle()

    def sync_now(self) -> None:
        from fieldkit.ui.sync_dialogs import SyncProgressDialog

        if self.sync is None:
            self.log_in()
            if self.sync is None:
                return
        dialog = SyncProgressDialog(self.sync)
        dialog.start()
        self.present(dialog)

    def log_in(self) -> None:
        from fieldkit.ui.sync_dialogs import LoginDialog
        from fieldkit.ui.sync_status import SyncBridge

        dialog = LoginDialog(self.ctx)
        self.present(dialog)
        if dialog.result() == QDialog.DialogCode.Accepted and self.sync is None:
            self.sync = SyncBridge(self.ctx)
            self.sync.state_changed.connect(self._sync_state)
            self.sync.watch_network()
            self.sync.start()
        self.refresh_status()

    def show_conflicts(self) -> None:
        from fieldkit.ui.sync_dialogs import ConflictsDialog

        self.present(ConflictsDialog(self.ctx, self.refresh_status))

    def show_settings(self) -> None:
        from fieldkit.ui.settings_dialog import SettingsDialog

        self.present(SettingsDialog(self.ctx))

    def show_shortcuts(self) -> None:
        from fieldkit.ui.shortcut_map import ShortcutMap

        self.present(ShortcutMap(self))

    def export_diagnostics(self) -> None:
        from fieldkit.ui.diagnostics import export_diagnostics

        export_diagnostics(self, self.ctx)

    def _sync_state(self, state: SyncState) -> None:
        from fieldkit.sync.auto import Connection

        self.online = state.connection is Connection.ONLINE
        self.sync_indicator.connection = state.connection.value
        self._sync_message = state.message
        if state.connection is Connection.WIPED:
            # Reported lost or stolen: the list must not show what was just erased.
            self.apply_filter()
            self.workspace.setEnabled(False)
            self.refresh_status()
            self.sync_label.setText(state.message)
            return
        report = state.report
        if report is not None and (report.pulled or report.downloaded_blobs):
            if report.pulled:
                self.apply_filter()  # new or changed jobs arrived
            if self.workspace.job_id:  # and site documents may be on the device now
                self.workspace.show_job(self.workspace.job_id)
        self.refresh_status()

    def request_quit(self) -> None:
        """Quit (Ctrl+Q): first ask about changes the center has not received yet."""
        if self._may_quit():
            self.close()

    def _may_quit(self) -> bool:
        if self._ctx is None or self._closing:
            return True
        from fieldkit.services.queries import sync_summary

        return may_quit(self, sync_summary(self.ctx).pending, self.online, self.sync_now)

    def changeEvent(self, event: QEvent) -> None:
        """The language changed while open: texts filled in with data are rendered again
        (fixed texts are already translated, see :mod:`fieldkit.ui.retranslate`); the text
        size changed: the list and the job are arranged again."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "fold"):
            self.fold.refit()  # another text size: do the list and the job still both fit?
        if event.type() != QEvent.Type.LanguageChange:
            return
        for i, (level, label) in enumerate(SEVERITY.items(), start=1):
            self.severity_filter.setItemText(i, f"{level} {_(label)}")
        self.show_count()
        if self._ctx is None:
            return
        self.refresh_status()
        if self.workspace.job_id:  # the dossier renders its own again, keeping its view
            self.workspace.show_job(self.workspace.job_id)
            self._stale.add(self.quote)
            self._load_current_tab()

    def closeEvent(self, event: QCloseEvent) -> None:
        if event.spontaneous() and not self._may_quit():  # the window's own close button
            event.ignore()
            return
        if self.sync is not None:
            self.sync.stop()
        # A search typed just before closing must not run against a store being closed.
        self._closing = True
        for timer in (self._debounce, self._count_timer, self._ticker):
            timer.stop()
        super().closeEvent(event)

    def _reselect(self) -> None:
        job_id = getattr(self, "workspace", None) and self.workspace.job_id
        row = self.model.row_of(job_id) if job_id else None
        if row is None:
            return
        index = self.model.index(row, COLUMNS.index("job"))
        self._reselecting = True  # the workspace already shows it: no reload
        try:
            self.table.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        finally:
            self._reselecting = False
        self.table.scrollTo(index)

    def _open_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        job_id = self.model.data(current, JobIdRole) if current.isValid() else None
        if job_id and not self._reselecting:
            self.workspace.show_job(str(job_id))
            self._stale = {self.dossier, self.quote}
            self._load_current_tab()

    def _load_current_tab(self) -> None:
        tab = self.tabs.currentWidget()
        if tab in self._stale and self.workspace.job_id:
            self._stale.discard(tab)
            if tab is self.dossier:
                self.dossier.show_job(self.workspace.job_id)
            elif tab is self.quote:
                self.quote.show_job(self.workspace.job_id)

    def _job_changed(self, job_id: str) -> None:
        # Re-read with the filter: a job whose status no longer matches leaves the list.
        self.apply_filter()
        self.refresh_status()
        if self.sync is not None:
            self.sync.local_change()  # sent soon, batched with the next few edits

    def current_filter(self) -> JobFilter:
        """The search box and filters, in the order the header shows (a search keeps it)."""
        status = self.status_filter.currentData()
        severity = self.severity_filter.currentData()
        job_type = self.type_filter.currentData()
        return replace(
            self.model.filter,
            text=self.search.text(),
            statuses=frozenset({status}) if status else frozenset(),
            severities=frozenset({severity}) if severity else frozenset(),
            job_types=frozenset({job_type}) if job_type else frozenset(),
            reported_since=reported_since(self.date_filter.currentData(), self.model.now()),
        )

    def apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())
        # The rows first; the count (a scan of every match) right after they are painted.
        self._count_timer.start()

    def show_count(self) -> None:
        """Count every match on a worker: a search matching most of 100k jobs takes a few
        hundred milliseconds to count, which must not hold up the next keystroke (any read
        of the list interrupts a count still running)."""
        flt, jobs = self.model.filter, self.model.jobs

        def shown(total: int) -> None:
            if self.model.counted(flt, total):
                label = ngettext("{count} job", "{count} jobs", total)
                self.count_label.setText(label.format(count=total))

        self._background.run(
            lambda: jobs.count(flt), shown, lambda exc: self._count_failed(flt, exc)
        )

    def _count_failed(self, flt: JobFilter, exc: Exception) -> None:
        if isinstance(exc, Superseded):
            # Rows painted or scrolled in meanwhile: count again, unless the filter changed
            # (the newer filter's count is on its way) or the window is closing.
            if flt == self.model.filter and not self._closing:
                self._count_timer.start()
            return
        from fieldkit.ui.errors import show_error

        show_error(exc, self.count_label, context=_("Jobs could not be counted: {error}"))

    def refresh_status(self) -> None:
        from fieldkit.services.queries import sync_summary

        summary = sync_summary(self.ctx)
        self.sync_indicator.show_summary(summary, self.online, tr(self._sync_message))
        self.refused.setText(
            _("{count} refused by the center: review").format(count=summary.rejected)
        )
        self.refused.setVisible(summary.rejected > 0)
