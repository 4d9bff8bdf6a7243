"""Large raster plans (PNG/JPEG) served as tiles with the same interface as PDF pages."""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image

from fieldkit.i18n import N_
from fieldkit.rendering.errors import DrawingError, check_size
from fieldkit.rendering.tiles import PageSize, Tile

MAX_IMAGE_BYTES = 256 << 20
# A 20000 x 15000 plan is already 1.2 GB as RGBA; anything larger is refused before it is
# decoded, which is what defuses decompression bombs (a few KB that inflate to gigabytes).
MAX_PIXELS = 300_000_000


class ImageTiles:
    """One image as a single page whose "points" are its pixels."""

    def __init__(self, path: Path) -> None:
        check_size(path, MAX_IMAGE_BYTES)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image = Image.open(path)
                if image.width * image.height > MAX_PIXELS:
                    raise DrawingError(
                        N_("The image is too large to show ({detail}): {name}"),
                        name=path.name,
                        detail=f"{image.width} x {image.height}",
                    )
                image.load()
        except DrawingError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise DrawingError(
                N_("The image is too large to show ({detail}): {name}"),
                name=path.name,
                detail=str(exc),
            ) from exc
        except (OSError, ValueError, SyntaxError) as exc:
            raise DrawingError(
                N_("The image is damaged or not an image ({detail}): {name}"),
                name=path.name,
                detail=str(exc) or type(exc).__name__,
            ) from exc
        self._image = image.convert("RGBX") if image.mode != "RGBX" else image
        self.pages = [PageSize(float(image.width), float(image.height))]

    def close(self) -> None:
        self._image.close()

    def render(self, page: int, scale: float, x: int, y: int, width: int, height: int) -> Tile:
        full_w, full_h = self._image.width * scale, self._image.height * scale
        width = max(1, min(width, int(full_w) - x))
        height = max(1, min(height, int(full_h) - y))
        box = (x / scale, y / scale, (x + width) / scale, (y + height) / scale)
        part = self._image.resize((width, height), Image.Resampling.BILINEAR, box=box)
        # RGBX bytes reversed per pixel would be XBGR; Qt's RGB32 wants BGRX in memory.
        b, g, r, x_ = part.split()
        bgrx = Image.merge("RGBX", (b, g, r, x_))
        return Tile(width, height, width * 4, bgrx.tobytes())
