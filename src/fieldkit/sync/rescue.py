"""Rescue bundle: the unsynced outbox (and the blobs it needs) written to a file for USB.

Besides the changes the center never confirmed, the bundle keeps the changes it refused
and the engineer had not resolved yet ("refused"), with the reason: a wipe must not
destroy them. The device signs the bundle with its key (see `fieldkit.protocol.rescue`),
so the center imports it only as this device's work.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import select

from fieldkit.protocol import rescue as fmt
from fieldkit.services import device_key
from fieldkit.services.context import ServiceContext
from fieldkit.services.settings import get_setting
from fieldkit.store import models as m
from fieldkit.sync.center import USERNAME_SETTING

FORMAT = fmt.FORMAT
UNSYNCED = ("pending", "sent")
REFUSED = ("rejected",)  # refused by the center, the engineer has not decided yet


def _wire(r: m.OutboxMutation) -> dict[str, Any]:
    return {
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


def rescued_count(ctx: ServiceContext) -> int:
    """How many changes a rescue bundle would hold now (unsynced and refused)."""
    with ctx.db.read() as session:
        return len(
            list(
                session.scalars(
                    select(m.OutboxMutation.mutation_id).where(
                        m.OutboxMutation.state.in_(UNSYNCED + REFUSED)
                    )
                )
            )
        )


def export_outbox(ctx: ServiceContext, target: Path, include_blobs: bool = True) -> int:
    """Write every change the center has not confirmed, and every refused change not yet
    resolved, signed by this device. Returns how many changes the file holds."""
    with ctx.db.read() as session:
        rows = list(
            session.scalars(
                select(m.OutboxMutation)
                .where(m.OutboxMutation.state.in_(UNSYNCED + REFUSED))
                .order_by(m.OutboxMutation.seq)
            )
        )
    mutations = [_wire(r) for r in rows if r.state in UNSYNCED]
    refused = [{**_wire(r), "reason": r.last_error} for r in rows if r.state in REFUSED]
    blobs = {}
    if include_blobs:
        for sha in sorted({s for r in rows for s in r.blob_refs}):
            if ctx.blobs.has(sha):
                blobs[sha] = base64.b64encode(ctx.blobs.read_bytes(sha)).decode("ascii")
    bundle: dict[str, Any] = {
        "format": FORMAT,
        "device_id": ctx.device_id,
        "engineer": str(get_setting(ctx, USERNAME_SETTING) or ctx.actor),
        "exported_at": ctx.clock.now().isoformat(),
        "mutations": mutations,
        "refused": refused,
        "blobs": blobs,
    }
    signature, public_key = device_key.sign_hash(ctx, fmt.digest(bundle))
    bundle["signature"] = {"algorithm": "ed25519", "public_key": public_key, "value": signature}
    tmp = target.with_name(target.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(bundle, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(target)
    return len(mutations) + len(refused)
