"""What the engineer is told when a drawing cannot be shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fieldkit.domain.messages import N_, Message


class DrawingError(Exception):
    """A drawing that cannot be opened or drawn; ``message`` is translatable."""

    def __init__(self, template: str, **params: Any) -> None:
        self.message = Message(template, **params)
        super().__init__(str(self.message))


def check_size(path: Path, limit: int) -> int:
    """The file's size, or a clear error if it is missing, empty or beyond ``limit`` bytes."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DrawingError(N_("The drawing file is missing: {name}"), name=path.name) from exc
    if size == 0:
        raise DrawingError(N_("The drawing file is empty: {name}"), name=path.name)
    if size > limit:
        raise DrawingError(
            N_("The drawing is too large to open ({mb} MB): {name}"), name=path.name, mb=size >> 20
        )
    return size


# pdfium's FPDF_ERR_PASSWORD: the document is encrypted and needs a password to open.
PDFIUM_PASSWORD_ERROR = 4


def open_error(path: Path, exc: Exception) -> DrawingError:
    """Why pdfium could not open ``path``: a password is named as such (the office can send
    an unprotected copy), anything else is a damaged file or not a PDF."""
    if getattr(exc, "err_code", None) == PDFIUM_PASSWORD_ERROR:
        return DrawingError(
            N_("This drawing is protected by a password: ask the office for an unprotected copy.")
        )
    return DrawingError(
        N_("The drawing is damaged or not a PDF ({detail}): {name}"),
        name=path.name,
        detail=str(exc),
    )
