"""Opening any site drawing for tiled display: PDF pages or a large raster plan."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from fieldkit.i18n import N_
from fieldkit.rendering.errors import DrawingError
from fieldkit.rendering.image_tiles import ImageTiles
from fieldkit.rendering.pdf_tiles import PdfTiles
from fieldkit.rendering.tiles import PageSize, Tile

__all__ = ["Drawing", "DrawingError", "PageSize", "Tile", "open_drawing"]


class Drawing(Protocol):
    pages: list[PageSize]

    def render(self, page: int, scale: float, x: int, y: int, width: int, height: int) -> Tile: ...

    def close(self) -> None: ...


def open_drawing(path: Path) -> Drawing:
    """Decide by content, not by name: a PDF called .png still opens, a PNG called .pdf too."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise DrawingError(N_("The drawing file is missing: {name}"), name=path.name) from exc
    if head.startswith(b"%PDF"):
        return PdfTiles(path)
    if not head:
        raise DrawingError(N_("The drawing file is empty: {name}"), name=path.name)
    return ImageTiles(path)
