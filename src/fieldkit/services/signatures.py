"""Storing a validated signature capture as vector strokes."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from PIL import Image, ImageDraw

from fieldkit.domain.signature import SignatureCapture
from fieldkit.reports.signature_paths import curves
from fieldkit.services.transaction import Tx
from fieldkit.store import models as m
from fieldkit.store.blobs import BlobStore

THUMBNAIL = (240, 96)


def thumbnail_png(capture: SignatureCapture) -> bytes:
    """A small PNG for lists; the vector strokes stay the record."""
    scale = min(THUMBNAIL[0] / capture.canvas_width, THUMBNAIL[1] / capture.canvas_height)
    image = Image.new("L", THUMBNAIL, 255)
    draw = ImageDraw.Draw(image)
    for curve in curves(capture.as_lists()):
        points = [(x * scale, y * scale) for x, y in (curve.start, curve.control, curve.end)]
        draw.line(points, fill=20, width=max(1, round(1.6 * curve.width)), joint="curve")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def signature_row(
    capture: SignatureCapture,
    at: datetime,
    blobs: BlobStore,
    thumbnails: dict[tuple[Any, ...], str] | None = None,
) -> dict[str, Any]:
    """The validated signature as a ``signatures`` row (the app and the demo write the same).
    ``thumbnails``: thumbnail blobs already stored, by strokes (the demo repeats its strokes)."""
    capture.validate()
    key = (capture.canvas_width, capture.canvas_height, capture.strokes)
    thumb = thumbnails.get(key) if thumbnails is not None else None
    if thumb is None:
        # Content-addressed: a rolled-back transaction leaves at most an unreferenced blob.
        thumb = blobs.put_bytes(thumbnail_png(capture))
        if thumbnails is not None:
            thumbnails[key] = thumb
    return {
        "id": m.new_id(),
        "role": capture.role.value,
        "signer_name": capture.signer_name.strip(),
        "signed_at": at,
        "canvas_width": capture.canvas_width,
        "canvas_height": capture.canvas_height,
        "strokes": capture.as_lists(),
        "thumbnail_sha256": thumb,
    }


def store_signature(tx: Tx, capture: SignatureCapture, at: datetime) -> str:
    row = m.Signature(**signature_row(capture, at, tx.ctx.blobs))
    tx.session.add(row)
    tx.session.flush()
    return row.id


def signature_payload(tx: Tx, signature_id: str) -> dict[str, Any]:
    """The full signature for a mutation: the server must hold the same strokes. Which
    device captured it, the center takes from the login that pushes it, never from here."""
    row = tx.session.get(m.Signature, signature_id)
    assert row is not None
    return {
        "id": row.id,
        "role": row.role,
        "signer_name": row.signer_name,
        "signed_at": row.signed_at.isoformat(),
        "canvas_width": row.canvas_width,
        "canvas_height": row.canvas_height,
        "strokes": row.strokes,
    }
