"""Tile geometry shared by the renderers and the view (no pdfium here: the view imports it)."""

from __future__ import annotations

from dataclasses import dataclass

TILE = 512  # pixels per tile side


@dataclass(frozen=True)
class PageSize:
    width: float  # points, after the page's own rotation
    height: float


@dataclass(frozen=True)
class Tile:
    """BGRX pixels (Qt's RGB32 in memory), ``stride`` bytes per row."""

    width: int
    height: int
    stride: int
    pixels: bytes
