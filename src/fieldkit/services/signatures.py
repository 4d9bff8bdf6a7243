"""Storing a validated signature capture as vector strokes."""

from __future__ import annotations

from datetime import datetime

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
