"""Rescue bundle: the unsynced outbox (and the blobs it needs) written to a file for USB."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import select

from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m

FORMAT = "fieldkit.outbox/1"


def export_outbox(ctx: ServiceContext, target: Path, include_blobs: bool = True) -> int:
    """Write every mutation the server has not confirmed. Returns how many."""
    with ctx.db.read() as session:
        rows = list(
            session.scalars(
                select(m.OutboxMutation)
                .where(m.OutboxMutation.state.in_(("pending", "sent")))
                .order_by(m.OutboxMutation.seq)
            )
        )
    mutations: list[dict[str, Any]] = [
        {
            "mutation_id": r.mutation_id,
            "device_id": r.device_id,
            "seq": r.seq,
            "name": r.name,
            "entity_type": r.entity_type,
            "entity_id": r.entity_id,
            "base_version": r.base_version,
            "args": r.args,
            "created_at": r.created_at.isoformat(),
            "blob_refs": r.blob_refs,
        }
        for r in rows
    ]
    blobs = {}
    if include_blobs:
        for sha in sorted({s for r in rows for s in r.blob_refs}):
            blobs[sha] = base64.b64encode(ctx.blobs.read_bytes(sha)).decode("ascii")
    bundle = {
        "format": FORMAT,
        "device_id": ctx.device_id,
        "exported_at": ctx.clock.now().isoformat(),
        "mutations": mutations,
        "blobs": blobs,
    }
    tmp = target.with_name(target.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(bundle, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(target)
    return len(mutations)
