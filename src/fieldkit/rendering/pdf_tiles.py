"""PDF pages rendered as tiles with pdfium.

pdfium is not thread-safe: a ``PdfTiles`` instance, and every pdfium call, belongs to the one
render thread that created it (the app's render worker). Tiles keep memory bounded however
large the page or deep the zoom: an A0 sheet at 800% is never one bitmap.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium

from fieldkit.i18n import N_
from fieldkit.rendering.errors import DrawingError, check_size, open_error
from fieldkit.rendering.tiles import PageSize, Tile

MAX_PDF_BYTES = 512 << 20  # a site drawing set larger than this is a packaging mistake
MAX_SIDE_POINTS = 200_000.0  # ~70 m; the PDF limit with UserUnit is far beyond any real sheet


class PdfTiles:
    """One open PDF document. Create, use and close it on the render thread only."""

    def __init__(self, path: Path) -> None:
        check_size(path, MAX_PDF_BYTES)
        try:
            self._doc = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            raise open_error(path, exc) from exc
        self.pages: list[PageSize] = []
        try:
            for index in range(len(self._doc)):
                width, height = self._doc.get_page_size(index)
                if not (0 < width <= MAX_SIDE_POINTS and 0 < height <= MAX_SIDE_POINTS):
                    raise DrawingError(
                        N_("Page {page} has an impossible size ({w:.0f} x {h:.0f} pt): {name}"),
                        name=path.name,
                        page=index + 1,
                        w=width,
                        h=height,
                    )
                self.pages.append(PageSize(width, height))
        except pdfium.PdfiumError as exc:
            self._doc.close()
            raise DrawingError(
                N_("The drawing is damaged ({detail}): {name}"), name=path.name, detail=str(exc)
            ) from exc
        except DrawingError:
            self._doc.close()
            raise
        if not self.pages:
            self._doc.close()
            raise DrawingError(N_("The drawing has no pages: {name}"), name=path.name)

    def close(self) -> None:
        self._doc.close()

    def render(self, page: int, scale: float, x: int, y: int, width: int, height: int) -> Tile:
        """The rectangle (x, y, width, height), in pixels of the page at ``scale`` pixels per
        point with the origin at the top left, as a tile."""
        size = self.pages[page]
        full_w, full_h = size.width * scale, size.height * scale
        width = max(1, min(width, int(full_w) - x))
        height = max(1, min(height, int(full_h) - y))
        # pypdfium2 crops in points from each edge: left, bottom, right, top.
        crop = (
            x / scale,
            max(0.0, size.height - (y + height) / scale),
            max(0.0, size.width - (x + width) / scale),
            y / scale,
        )
        pdf_page = self._doc[page]
        try:
            bitmap = pdf_page.render(scale=scale, crop=crop, prefer_bgrx=True, may_draw_forms=False)
            tile = Tile(bitmap.width, bitmap.height, bitmap.stride, bytes(bitmap.buffer))
        except pdfium.PdfiumError as exc:
            raise DrawingError(
                N_("Page {page} could not be drawn ({detail})"), page=page + 1, detail=str(exc)
            ) from exc
        finally:
            pdf_page.close()
        return tile
