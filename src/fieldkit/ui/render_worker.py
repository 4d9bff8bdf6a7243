"""The app's one render thread: it owns pdfium (which is not thread-safe) and every open
drawing, and turns tile requests into images without ever blocking the UI thread."""

from __future__ import annotations

import atexit
import heapq
import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldkit.i18n import tr
from fieldkit.rendering.errors import DrawingError
from fieldkit.ui.qt import QImage, QObject, QThread, QTimer, Signal, Slot

if TYPE_CHECKING:
    from fieldkit.rendering.drawing import Drawing

TileKey = tuple[Any, ...]
PRIORITY = {"batch": 0, "preview": 1, "thumb": 2}


class _Worker(QObject):
    opened = Signal(int, object)  # token, list[PageSize]
    failed = Signal(int, str)  # token, message for the engineer
    rendered = Signal(int, object, object)  # token, key, QImage

    def __init__(self) -> None:
        super().__init__()
        self._drawings: dict[int, Drawing] = {}
        self.wanted: dict[int, int] = {}  # token -> generation still wanted (set by the UI)
        self._queue: list[tuple[int, int, tuple[Any, ...]]] = []  # heap: priority, order, job
        self._order = itertools.count()
        self._draining = False

    @Slot(int, str)
    def open_document(self, token: int, path: str) -> None:
        # pdfium and Pillow load on the render thread, the first time a drawing is opened.
        from fieldkit.rendering.drawing import open_drawing

        try:
            drawing = open_drawing(Path(path))
        except DrawingError as exc:
            self.failed.emit(token, tr(exc.message))
            return
        self._drawings[token] = drawing
        self.opened.emit(token, list(drawing.pages))

    @Slot(int)
    def close_document(self, token: int) -> None:
        drawing = self._drawings.pop(token, None)
        if drawing is not None:
            drawing.close()

    def close_all(self) -> None:
        for token in list(self._drawings):
            self.close_document(token)

    @Slot(int, object, float, object, int)
    def enqueue(self, token: int, key: TileKey, scale: float, rect: Any, generation: int) -> None:
        """Queue a render; what the engineer looks at goes before previews and thumbnails, so
        a zoom right after opening a many-sheet drawing does not wait for the page strip."""
        priority = PRIORITY.get(key[0], 0) if isinstance(key[0], str) else 0
        heapq.heappush(
            self._queue, (priority, next(self._order), (token, key, scale, rect, generation))
        )
        if not self._draining:
            self._draining = True
            QTimer.singleShot(0, self._drain)

    def _drain(self) -> None:
        # One job per turn of the thread's event loop: requests that arrived meanwhile are
        # queued (and may outrank the rest) before the next job starts.
        if not self._queue:
            self._draining = False
            return
        _priority, _order, job = heapq.heappop(self._queue)
        self.render(*job)
        QTimer.singleShot(0, self._drain)

    def render(self, token: int, key: TileKey, scale: float, rect: Any, generation: int) -> None:
        drawing = self._drawings.get(token)
        # A request made before the last zoom or page change is skipped, not rendered late.
        if drawing is None or generation < self.wanted.get(token, 0):
            return
        page, x, y, width, height = rect
        try:
            tile = drawing.render(page, scale, x, y, width, height)
        except DrawingError as exc:
            self.failed.emit(token, tr(exc.message))
            return
        image = QImage(
            tile.pixels, tile.width, tile.height, tile.stride, QImage.Format.Format_RGB32
        )
        if key[0] != "batch":
            self.rendered.emit(token, key, image.copy())  # copy: detach from the Python buffer
            return
        # One pdfium pass for a block of tiles, cut up here: on a dense sheet every pass walks
        # all of the page's objects, so six tiles cost six times what one block does.
        for sub_key, (sx, sy, sw, sh) in key[1]:
            self.rendered.emit(token, sub_key, image.copy(sx - x, sy - y, sw, sh))


class RenderService(QObject):
    """Front of the render thread, living on the UI thread. Views get a token per drawing."""

    request_open = Signal(int, str)
    request_close = Signal(int)
    request_tile = Signal(int, object, float, object, int)

    _instance: RenderService | None = None

    def __init__(self) -> None:
        super().__init__()
        self._thread = QThread()
        self._thread.setObjectName("fieldkit-render")
        self.worker = _Worker()
        self.worker.moveToThread(self._thread)
        self.request_open.connect(self.worker.open_document)
        self.request_close.connect(self.worker.close_document)
        self.request_tile.connect(self.worker.enqueue)
        self._next = 0
        self._stopped = False
        self._thread.start()

    @classmethod
    def shared(cls) -> RenderService:
        if cls._instance is None:
            cls._instance = RenderService()
            # The thread must be stopped before Qt objects are torn down at exit.
            atexit.register(cls._instance.stop)
        return cls._instance

    def new_token(self) -> int:
        self._next += 1
        return self._next

    def close_later(self, token: int) -> None:
        """Close a drawing whose view is gone; harmless once the service itself has stopped."""
        if token and not self._stopped:
            self.request_close.emit(token)

    def want(self, token: int, generation: int) -> None:
        # A plain dict write read by the worker: an int per token, no lock needed (GIL).
        self.worker.wanted[token] = generation

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._thread.quit()
        self._thread.wait()
        self.worker.close_all()  # the render thread has ended: nothing else touches pdfium
        if RenderService._instance is self:
            RenderService._instance = None
