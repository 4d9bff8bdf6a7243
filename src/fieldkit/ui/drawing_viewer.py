"""A drawing with its page strip and zoom controls: fit, 100%, zoom in/out, page thumbnails."""

from __future__ import annotations

from pathlib import Path

from fieldkit.i18n import _
from fieldkit.ui.drawing_view import DrawingView
from fieldkit.ui.qt import (
    QHBoxLayout,
    QIcon,
    QImage,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPixmap,
    QPushButton,
    QSize,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.render_worker import RenderService
from fieldkit.ui.theme import mark

THUMB = 132  # pixels, the long side of a page thumbnail
# Thumbnails are drawn while the engineer is not zooming or panning: a render already started
# cannot be interrupted, and on a dense sheet it takes tens of milliseconds.
THUMB_QUIET_MS = 400


class DrawingViewer(QWidget):
    def __init__(self, service: RenderService | None = None) -> None:
        super().__init__()
        self.view = DrawingView(service)
        self.pages = QListWidget()
        self.pages.setViewMode(QListView.ViewMode.IconMode)
        self.pages.setFlow(QListView.Flow.TopToBottom)
        self.pages.setWrapping(False)
        self.pages.setIconSize(QSize(THUMB, THUMB))
        self.pages.setFixedWidth(THUMB + 36)
        self.pages.setSpacing(6)
        self.pages.currentRowChanged.connect(self.view.set_page)
        self.title = QLabel()
        mark(self.title, emphasis="strong")
        self.title.setWordWrap(True)  # a long name takes two lines, not the zoom buttons' room
        self.zoom_label = QLabel()
        self.zoom_label.setMinimumWidth(64)
        bar = QHBoxLayout()
        bar.addWidget(self.title, 1)
        for text, tip, slot in (
            ("−", _("Zoom out (-)"), lambda: self.view.zoom_by(0.8)),
            ("+", _("Zoom in (+)"), lambda: self.view.zoom_by(1.25)),
            (_("Fit"), _("Whole page (0)"), self.view.fit),
            ("100%", _("Actual size (1)"), self.view.actual_size),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.setMinimumSize(56, 44)  # touch targets of at least 9 mm
            button.clicked.connect(slot)
            bar.addWidget(button)
        bar.addWidget(self.zoom_label)
        body = QHBoxLayout()
        body.addWidget(self.pages)
        body.addWidget(self.view, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addLayout(body, 1)
        self.view.opened.connect(self._opened)
        self.view.thumbnail.connect(self._thumbnail)
        self.view.zoom_changed.connect(self._zoom_changed)
        self.view.failed.connect(lambda _message: self.pages.clear())
        self._thumbs_missing: list[int] = []
        self._thumb_timer = QTimer(self)
        self._thumb_timer.setSingleShot(True)
        self._thumb_timer.timeout.connect(self._next_thumbnail)
        self.view.moved.connect(lambda: self._thumb_timer.start(THUMB_QUIET_MS))
        self.view.page_turned.connect(self._follow_page)

    def open(self, path: Path, title: str = "") -> None:
        self.title.setText(title or path.name)
        self.pages.clear()
        self.view.open(path)

    def _opened(self, count: int) -> None:
        self.pages.clear()
        for page in range(count):
            item = QListWidgetItem(str(page + 1))
            # A fixed cell: thumbnails arrive later and must not reflow the strip.
            item.setSizeHint(QSize(THUMB + 12, THUMB + 28))
            self.pages.addItem(item)
        self.pages.setVisible(count > 1)
        self.pages.blockSignals(True)
        self.pages.setCurrentRow(0)
        self.pages.blockSignals(False)
        self._thumbs_missing = list(range(count)) if count > 1 else []
        self._thumb_timer.start(THUMB_QUIET_MS)

    def _next_thumbnail(self) -> None:
        if self._thumbs_missing:
            self.view.request_thumbnail(self._thumbs_missing.pop(0), THUMB)

    def _follow_page(self, page: int) -> None:
        """The strip shows the page the wheel scrolled on to (without re-fitting it)."""
        self.pages.blockSignals(True)
        self.pages.setCurrentRow(page)
        self.pages.blockSignals(False)

    def _thumbnail(self, page: int, image: QImage) -> None:
        item = self.pages.item(page)
        if item is not None:
            item.setIcon(QIcon(QPixmap.fromImage(image)))
        if self._thumbs_missing and not self._thumb_timer.isActive():
            self._thumb_timer.start(20)

    def _zoom_changed(self, zoom: float) -> None:
        self.zoom_label.setText(f"{zoom / self.view.actual_zoom() * 100:.0f}%")
