"""The job list beside the workspace, folding away when the window is too narrow for both.

Wide enough for every column of the list and a usable workspace, both show side by side
(the list can still be hidden to give a drawing the room). Narrower (a tablet at 150 %), one
shows at a time, as on a phone: the list at full width until a job is tapped, then the job;
the "Job list" button (or Ctrl+L) brings the list back.
"""

from __future__ import annotations

from fieldkit.ui.qt import QEvent, QObject, QSplitter, QStyle, QTableView, QTabWidget, QWidget

WORKSPACE_MIN = 440  # the workspace's step button, reasons and checklist rows stay readable


class ListFold(QObject):
    def __init__(self, table: QTableView, tabs: QTabWidget, splitter: QSplitter) -> None:
        super().__init__(splitter)
        self.table, self.tabs, self.splitter = table, tabs, splitter
        self.narrow = False
        self._arranged = False  # the first resize gives the list its columns' width
        self.list_wanted = True  # beside the workspace, when there is room for both
        self.list_alone = True  # when there is not: the list (True) or the job (False)
        splitter.installEventFilter(self)
        table.clicked.connect(lambda _index: self.show_job())
        table.activated.connect(lambda _index: self.show_job())
        # Rows arriving bring the scroll bar, which takes width from the columns.
        table.verticalScrollBar().rangeChanged.connect(lambda *_: self.keep_columns())

    def list_width(self) -> int:
        """Every column at its width, the frame and a vertical scroll bar."""
        header = self.table.horizontalHeader()
        last = header.count() - 1  # it stretches, down to its least size
        columns = sum(header.sectionSize(c) for c in range(last)) + max(
            header.sectionSizeHint(last), header.minimumSectionSize(), header.defaultSectionSize()
        )
        bar = self.table.verticalScrollBar()
        metric = self.table.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, bar)
        chrome = 2 * self.table.frameWidth() + max(metric, bar.width() if bar.isVisible() else 0)
        if self.table.isVisible():  # what the frame and scroll bar really take
            chrome = max(chrome, self.table.width() - self.table.viewport().width())
        return columns + chrome + 2

    def both_fit(self, width: int) -> bool:
        workspace = max(WORKSPACE_MIN, self.tabs.minimumSizeHint().width())
        return width >= self.list_width() + self.splitter.handleWidth() + workspace

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.splitter and event.type() == QEvent.Type.Resize:
            narrow = not self.both_fit(self.splitter.width())
            if narrow != self.narrow or not self._arranged:
                self.narrow, self._arranged = narrow, True
                self.arrange(resize=True)
            else:
                self.keep_columns()
        return False

    def refit(self) -> None:
        """The columns changed width (another text size): side by side again if both fit;
        if not, the job stays in view when the list was folded away."""
        narrow = not self.both_fit(self.splitter.width())
        if narrow and not self.narrow:
            self.list_alone = self.list_wanted
        self.narrow = narrow
        self.arrange(resize=True)

    def keep_columns(self) -> None:
        """Side by side, the list keeps the width its columns need."""
        if not self.narrow and self.list_shown() and self.table.width() < self.list_width():
            self.arrange(resize=True)

    def toggle(self) -> None:
        """Show or hide the job list (Ctrl+L, the "Job list" button)."""
        if self.narrow:
            self.list_alone = not self.list_alone
        else:
            self.list_wanted = not self.list_wanted
        self.arrange(resize=self.list_wanted)

    def show_job(self) -> None:
        """A job was tapped: on a narrow window the job takes the list's place."""
        if self.narrow and self.list_alone:
            self.list_alone = False
            self.arrange()

    def list_shown(self) -> bool:
        return not self.table.isHidden()

    def arrange(self, resize: bool = False) -> None:
        shown: tuple[QWidget, ...]
        if self.narrow:
            shown = (self.table,) if self.list_alone else (self.tabs,)
        else:
            shown = (self.table, self.tabs) if self.list_wanted else (self.tabs,)
        for pane in (self.table, self.tabs):
            pane.setVisible(pane in shown)
        if resize and len(shown) == 2:
            total = self.splitter.width() - self.splitter.handleWidth()
            first = self.list_width()
            self.splitter.setSizes([first, max(total - first, 0)])
