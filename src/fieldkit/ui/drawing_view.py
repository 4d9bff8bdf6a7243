"""A tiled, zoomable view of one drawing page: an A0 sheet pans and zooms smoothly because
only the visible tiles are rendered, in the render thread, while tiles of other zoom levels
(scaled) fill the gaps until the sharp ones arrive."""

from __future__ import annotations

import math
from collections import OrderedDict
from pathlib import Path
from typing import Any

from fieldkit.rendering.tiles import TILE, PageSize
from fieldkit.ui.qt import (
    QColor,
    QEvent,
    QGestureEvent,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QNativeGestureEvent,
    QPainter,
    QPaintEvent,
    QPinchGesture,
    QPointF,
    QRectF,
    QResizeEvent,
    Qt,
    QWheelEvent,
    QWidget,
    Signal,
)
from fieldkit.ui.render_worker import RenderService, TileKey
from fieldkit.ui.theme import current_theme

MAX_ZOOM = 12.0  # pixels per point: ~1150% of actual size on a 96 dpi screen
CACHE_TILES = 96  # ~96 MB of 512x512 tiles at most


class DrawingView(QWidget):
    opened = Signal(int)  # page count
    failed = Signal(str)
    tile_shown = Signal()  # a sharp tile arrived for the current view
    idle = Signal()  # every visible tile of the current view is sharp
    zoom_changed = Signal(float)
    thumbnail = Signal(int, object)  # page, QImage
    moved = Signal()  # zoom, pan or page changed
    page_turned = Signal(int)  # the wheel scrolled on to another page

    def __init__(self, service: RenderService | None = None) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(240, 240)  # beside the page strip and the site facts at 1280 px
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.grabGesture(Qt.GestureType.PinchGesture)
        self._service = service or RenderService.shared()
        self._service.worker.opened.connect(self._on_opened)
        self._service.worker.failed.connect(self._on_failed)
        self._service.worker.rendered.connect(self._on_rendered)
        self._token = 0
        self._generation = 0
        # The open document is closed on the render thread when this widget goes away.
        current = self._current = [0]
        service = self._service
        self.destroyed.connect(lambda: service.close_later(current[0]))
        self.pages: list[PageSize] = []
        self.page = 0
        self.zoom = 1.0  # pixels per point
        self.origin = QPointF(0, 0)  # top-left of the view, in page pixels at ``zoom``
        self._tiles: OrderedDict[TileKey, QImage] = OrderedDict()
        self._pending: set[TileKey] = set()
        self._drag: QPointF | None = None
        # A document (the PDF preview) rather than a drawing: the wheel scrolls down the page
        # and on to the next, Ctrl+wheel zooms.
        self.wheel_scrolls = False
        self._fitted = True  # follows the window size until the engineer zooms or pans
        self.message = ""

    # -- opening ---------------------------------------------------------------------------

    def open(self, path: Path) -> None:
        if self._token:
            self._service.request_close.emit(self._token)
        self._token = self._current[0] = self._service.new_token()
        self._generation = 0
        self.pages, self.page, self.message = [], 0, ""
        self._tiles.clear()
        self._pending.clear()
        self._service.request_open.emit(self._token, str(path))
        self.update()

    def close_document(self) -> None:
        if self._token:
            self._service.request_close.emit(self._token)
            self._token = self._current[0] = 0

    def _on_opened(self, token: int, pages: list[PageSize]) -> None:
        if token != self._token:
            return
        self.pages = pages
        self.fit()
        self.opened.emit(len(pages))

    def _on_failed(self, token: int, message: str) -> None:
        if token != self._token:
            return
        self.message = message
        self.failed.emit(message)
        self.update()

    # -- geometry ---------------------------------------------------------------------------

    @property
    def level(self) -> float:
        """Render scale for the current zoom, in steps of √2: tiles are reused across small
        zoom moves and drawn at most ~19% scaled, which the eye does not notice."""
        return float(2 ** (round(2 * math.log2(self.zoom)) / 2))

    def fit_zoom(self) -> float:
        if not self.pages:
            return 1.0
        size = self.pages[self.page]
        return min(self.width() / size.width, self.height() / size.height) * 0.98

    def actual_zoom(self) -> float:
        return self.logicalDpiX() / 72.0

    def fit(self) -> None:
        self._fitted = True
        self._set_zoom(self.fit_zoom(), None)
        size = self.pages[self.page] if self.pages else PageSize(1, 1)
        self.origin = QPointF(
            (size.width * self.zoom - self.width()) / 2,
            (size.height * self.zoom - self.height()) / 2,
        )
        self._changed()

    def actual_size(self) -> None:
        self.zoom_at(self.actual_zoom() / self.zoom, QPointF(self.width() / 2, self.height() / 2))

    def zoom_by(self, factor: float) -> None:
        self.zoom_at(factor, QPointF(self.width() / 2, self.height() / 2))

    def zoom_at(self, factor: float, point: QPointF) -> None:
        """Zoom keeping the drawing under ``point`` (view pixels) where it is."""
        if not self.pages:
            return
        self._fitted = False
        before = self.zoom
        self._set_zoom(before * factor, None)
        ratio = self.zoom / before
        self.origin = QPointF(
            (self.origin.x() + point.x()) * ratio - point.x(),
            (self.origin.y() + point.y()) * ratio - point.y(),
        )
        self._changed()

    def _set_zoom(self, zoom: float, _point: QPointF | None) -> None:
        low = min(self.fit_zoom() * 0.5, 0.05) if self.pages else 0.05
        self.zoom = max(low, min(MAX_ZOOM, zoom))
        self.zoom_changed.emit(self.zoom)

    def pan(self, dx: float, dy: float) -> None:
        self._fitted = False
        self.origin = QPointF(self.origin.x() + dx, self.origin.y() + dy)
        self._changed()

    def set_page(self, page: int) -> None:
        if 0 <= page < len(self.pages) and page != self.page:
            self.page = page
            self.fit()

    def _changed(self) -> None:
        self.moved.emit()
        self._generation += 1
        self._service.want(self._token, self._generation)
        self._pending.clear()  # requests before this are skipped by the worker
        self._request_visible()
        self.update()

    # -- tiles ------------------------------------------------------------------------------

    def visible_tiles(self) -> list[tuple[TileKey, tuple[int, int, int, int, int]]]:
        if not self.pages:
            return []
        size, scale = self.pages[self.page], self.level
        k = scale / self.zoom  # view pixels -> render pixels
        left = max(0.0, self.origin.x() * k)
        top = max(0.0, self.origin.y() * k)
        right = min(size.width * scale, (self.origin.x() + self.width()) * k)
        bottom = min(size.height * scale, (self.origin.y() + self.height()) * k)
        out = []
        for row in range(int(top // TILE), math.ceil(bottom / TILE)):
            for col in range(int(left // TILE), math.ceil(right / TILE)):
                key = (self.page, scale, col, row)
                out.append((key, (self.page, col * TILE, row * TILE, TILE, TILE)))
        # Centre first: the part the engineer looks at sharpens first.
        cx, cy = (left + right) / 2 / TILE, (top + bottom) / 2 / TILE
        out.sort(key=lambda item: (item[0][2] + 0.5 - cx) ** 2 + (item[0][3] + 0.5 - cy) ** 2)
        return out

    def pending(self) -> int:
        return sum(1 for key, _ in self.visible_tiles() if key not in self._tiles)

    def _request_visible(self) -> None:
        if not self.pages:
            return
        missing = [
            (key, rect)
            for key, rect in self.visible_tiles()
            if key not in self._tiles and key not in self._pending
        ]
        if not missing:
            return
        # The missing tiles' bounding block in one request (see the render worker).
        x0 = min(rect[1] for _, rect in missing)
        y0 = min(rect[2] for _, rect in missing)
        x1 = max(rect[1] + rect[3] for _, rect in missing)
        y1 = max(rect[2] + rect[4] for _, rect in missing)
        size = self.pages[self.page]
        scale = self.level
        x1, y1 = min(x1, int(size.width * scale)), min(y1, int(size.height * scale))
        parts = []
        for key, (_page, x, y, w, h) in missing:
            parts.append((key, (x, y, min(w, x1 - x), min(h, y1 - y))))
            self._pending.add(key)
        self._service.request_tile.emit(
            self._token,
            ("batch", tuple(parts)),
            scale,
            (self.page, x0, y0, x1 - x0, y1 - y0),
            self._generation,
        )

    def request_thumbnail(self, page: int, side: int) -> None:
        """A small render of one page for the page strip; it never goes stale."""
        size = self.pages[page]
        scale = side / max(size.width, size.height)
        self._service.request_tile.emit(
            self._token, ("thumb", page), scale, (page, 0, 0, 10**6, 10**6), 10**9
        )

    def _request(self, key: TileKey, scale: float, rect: tuple[int, ...]) -> None:
        self._pending.add(key)
        self._service.request_tile.emit(self._token, key, scale, rect, self._generation)

    def _on_rendered(self, token: int, key: TileKey, image: QImage) -> None:
        if token != self._token:
            return
        self._pending.discard(key)
        if key[0] == "thumb":
            self.thumbnail.emit(key[1], image)
            return
        self._tiles[key] = image
        self._tiles.move_to_end(key)
        while len(self._tiles) > CACHE_TILES:
            self._tiles.popitem(last=False)
        self.update()
        if key[0] == self.page and key[1] == self.level:
            self.tile_shown.emit()
            if self.pending() == 0:
                self.idle.emit()

    # -- painting ---------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        theme = current_theme()
        painter.fillRect(self.rect(), QColor(theme.canvas.bg or theme.palette["Window"]))
        if self.message:
            painter.setPen(QColor(theme.canvas.fg))
            painter.drawText(
                self.rect().adjusted(24, 24, -24, -24),
                int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap),
                self.message,
            )
            return
        if not self.pages:
            return
        size = self.pages[self.page]
        page_rect = QRectF(
            -self.origin.x(), -self.origin.y(), size.width * self.zoom, size.height * self.zoom
        )
        painter.fillRect(page_rect, QColor(theme.paper))
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        view = QRectF(self.rect())
        current = self.level
        # Other levels first, coarse to fine, scaled into place: after a zoom the old tiles
        # stay on screen (a little soft) until the sharp ones replace them.
        others = sorted(
            (k for k in self._tiles if k[0] == self.page and k[1] != current),
            key=lambda k: k[1],
        )
        for key in [*others, *(k for k, _ in self.visible_tiles())]:
            image = self._tiles.get(key)
            if image is None:
                continue
            k = self.zoom / key[1]  # render pixels of that level -> view pixels
            target = QRectF(
                key[2] * TILE * k - self.origin.x(),
                key[3] * TILE * k - self.origin.y(),
                image.width() * k,
                image.height() * k,
            )
            if target.intersects(view):
                painter.drawImage(target, image)

    # -- input: wheel, drag, pinch, keys --------------------------------------------------

    def scroll_page(self, dy: float) -> None:
        """Down (``dy`` > 0) or up the page by ``dy`` view pixels; past its end, on to the
        top of the next page (before its top, the bottom of the previous one)."""
        if not self.pages:
            return
        height = self.pages[self.page].height * self.zoom
        top = min(0.0, (height - self.height()) / 2)  # a page shorter than the view: centred
        bottom = max(top, height - self.height())
        y = self.origin.y()
        turn = 1 if dy > 0 and y >= bottom - 0.5 else -1 if dy < 0 and y <= top + 0.5 else 0
        if turn and 0 <= self.page + turn < len(self.pages):
            self.page += turn
            height = self.pages[self.page].height * self.zoom
            top = min(0.0, (height - self.height()) / 2)
            y = top if turn > 0 else max(top, height - self.height())
            self.origin = QPointF(self.origin.x(), y)
            self.page_turned.emit(self.page)
        else:
            self.origin = QPointF(self.origin.x(), max(top, min(bottom, y + dy)))
        self._changed()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.wheel_scrolls and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            pixels = not event.pixelDelta().isNull()
            delta = event.pixelDelta() if pixels else event.angleDelta()
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.pan(-(delta.x() or delta.y()), 0)
            else:
                if delta.x():
                    self.pan(-delta.x(), 0)
                self.scroll_page(-delta.y())
            return
        if self.wheel_scrolls:  # Ctrl+wheel
            self.zoom_at(1.25 ** (event.angleDelta().y() / 120), event.position())
            return
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier or not event.pixelDelta().isNull():
            # Touchpad two-finger scroll (pixel deltas) and Shift+wheel pan.
            delta = event.pixelDelta() if not event.pixelDelta().isNull() else event.angleDelta()
            self.pan(-delta.x(), -delta.y())
            return
        steps = event.angleDelta().y() / 120
        self.zoom_at(1.25**steps, event.position())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._drag = event.position()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None:
            delta = event.position() - self._drag
            self._drag = event.position()
            self.pan(-delta.x(), -delta.y())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag = None

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.zoom_at(2.0, event.position())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Gesture and isinstance(event, QGestureEvent):
            pinch = event.gesture(Qt.GestureType.PinchGesture)
            if isinstance(pinch, QPinchGesture):
                centre = self.mapFromGlobal(pinch.centerPoint().toPoint())
                self.zoom_at(pinch.scaleFactor(), QPointF(centre))
                return True
        if (
            event.type() == QEvent.Type.NativeGesture
            and isinstance(event, QNativeGestureEvent)
            and event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture
        ):
            self.zoom_at(1.0 + event.value(), event.position())
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        centre = QPointF(self.width() / 2, self.height() / 2)
        actions: dict[int, Any] = {
            int(Qt.Key.Key_Plus): lambda: self.zoom_at(1.25, centre),
            int(Qt.Key.Key_Equal): lambda: self.zoom_at(1.25, centre),
            int(Qt.Key.Key_Minus): lambda: self.zoom_at(0.8, centre),
            int(Qt.Key.Key_0): self.fit,
            int(Qt.Key.Key_1): self.actual_size,
            int(Qt.Key.Key_PageDown): lambda: self.set_page(self.page + 1),
            int(Qt.Key.Key_PageUp): lambda: self.set_page(self.page - 1),
            int(Qt.Key.Key_Left): lambda: self.pan(-80, 0),
            int(Qt.Key.Key_Right): lambda: self.pan(80, 0),
            int(Qt.Key.Key_Up): lambda: self.pan(0, -80),
            int(Qt.Key.Key_Down): lambda: self.pan(0, 80),
        }
        action = actions.get(int(key))
        if action is None:
            super().keyPressEvent(event)
            return
        action()

    def resizeEvent(self, event: QResizeEvent) -> None:
        if self.pages:
            if self._fitted:
                self.fit()
            else:
                self._changed()
