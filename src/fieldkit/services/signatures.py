"""Storing a validated signature capture as vector strokes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fieldkit.domain.signature import SignatureCapture
from fieldkit.services.transaction import Tx
from fieldkit.store import models as m


def store_signature(tx: Tx, capture: SignatureCapture, at: datetime) -> str:
    capture.validate()
    row = m.Signature(
        role=capture.role.value,
        signer_name=capture.signer_name.strip(),
        signed_at=at,
        device_id=tx.ctx.device_id,
        canvas_width=capture.canvas_width,
        canvas_height=capture.canvas_height,
        strokes=capture.as_lists(),
        thumbnail_sha256=None,
    )
    tx.session.add(row)
    tx.session.flush()
    return row.id


def signature_payload(tx: Tx, signature_id: str) -> dict[str, Any]:
    """The full signature for a mutation: the server must hold the same strokes."""
    row = tx.session.get(m.Signature, signature_id)
    assert row is not None
    return {
        "id": row.id,
        "role": row.role,
        "signer_name": row.signer_name,
        "signed_at": row.signed_at.isoformat(),
        "device_id": row.device_id,
        "canvas_width": row.canvas_width,
        "canvas_height": row.canvas_height,
        "strokes": row.strokes,
    }
