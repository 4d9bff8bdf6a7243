"""Rescue bundles: a tablet's unsynced outbox handed over by USB, applied like a push.

A bundle is imported only if the device it names signed it with the key that device
registered at login (`fieldkit.protocol.rescue`): anyone can write a file that names
another engineer's device, and its changes would otherwise be applied as that engineer's
and use up that device's sequence numbers. `inspect_bundle` checks everything and changes
nothing, so the office sees who, which device and how many changes before applying.

Importing the same bundle twice changes nothing: mutations are keyed by id and seq.
Refused changes (the center said no before the tablet was wiped) are never applied; they
are kept as conflicts for the office to read and decide on.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, insert, select

from fieldkit.domain.slip import device_signature_ok as signature_ok
from fieldkit.domain.slip import key_fingerprint
from fieldkit.protocol import rescue as fmt
from fieldkit.protocol.wire import Mutation, PushRequest
from fieldkit.server import tables as t
from fieldkit.server.auth import Principal
from fieldkit.server.blobstore import ServerBlobs
from fieldkit.server.errors import ApiError
from fieldkit.server.push import process_push

BUNDLE_FORMAT = fmt.FORMAT
REFUSED_KIND = "rescued_refused"


@dataclass
class BundleSummary:
    """What a bundle holds and who wrote it, once its signature has been checked."""

    device_id: str
    engineer: str
    device_name: str
    exported_at: str
    key: str  # fingerprint of the registered key that signed it
    mutations: list[Mutation]
    refused: list[tuple[Mutation, str]]  # with the reason the center gave the device
    blobs: dict[str, bytes]
    already: int = 0  # changes whose seq the center has seen from this device already

    def lines(self) -> list[str]:
        seqs = [m.seq for m in self.mutations]
        span = f" (seq {min(seqs)}-{max(seqs)})" if seqs else ""
        out = [
            f"rescue bundle signed by device {self.device_id} ({self.device_name or 'no name'}, "
            f"key {self.key}) of engineer {self.engineer}, exported {self.exported_at}",
            f"  {len(self.mutations)} unsynced change(s){span}, of which {self.already} use "
            "sequence numbers the center already has from this device (not applied again); "
            f"{len(self.refused)} change(s) the center refused; {len(self.blobs)} file(s)",
        ]
        for item, reason in self.refused:
            out.append(
                f"  refused, kept for the office (not applied): {item.name} on "
                f"{item.entity_type} {item.entity_id}: {reason}; {_excerpt(item.args)}"
            )
        return out


def _excerpt(args: dict[str, Any]) -> str:
    text = json.dumps(args, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 160 else text[:157] + "..."


def _refuse(code: str, message: str) -> ApiError:
    return ApiError(422, code, message + " Nothing was imported.")


def inspect_bundle(engine: Engine, bundle: object) -> BundleSummary:
    """Check that ``bundle`` is one the named device wrote, unaltered; change nothing."""
    if not isinstance(bundle, dict) or bundle.get("format") not in (
        fmt.FORMAT,
        fmt.LEGACY_FORMAT,
    ):
        raise _refuse("rescue.format", "This file is not a FieldKit rescue bundle.")
    if bundle["format"] == fmt.LEGACY_FORMAT:
        raise _refuse(
            "rescue.unsigned",
            "This rescue bundle was written by an older FieldKit and is not signed, so the "
            "center cannot tell which device wrote it.",
        )
    device_id = str(bundle.get("device_id", ""))
    with engine.connect() as conn:
        row = conn.execute(
            select(
                t.users.c.username,
                t.client_devices.c.name,
                t.client_devices.c.public_key,
            )
            .join(t.client_devices, t.client_devices.c.user_id == t.users.c.id)
            .where(t.client_devices.c.device_id == device_id)
        ).first()
    if row is None:
        raise _refuse(
            "rescue.device", "The device this bundle names never logged in to this center."
        )
    if not row.public_key:
        raise _refuse(
            "rescue.no_key", "The device this bundle names never registered a signing key."
        )
    sig = bundle.get("signature")
    value = sig.get("value") if isinstance(sig, dict) else None
    try:
        digest = fmt.digest(bundle)
    except (TypeError, ValueError) as exc:
        raise _refuse("rescue.format", "This rescue bundle is malformed.") from exc
    if not isinstance(value, str) or not signature_ok(row.public_key, digest, value):
        raise _refuse(
            "rescue.signature",
            f"This bundle was not signed by device {device_id} of {row.username} (or it was "
            "altered after it was signed).",
        )
    try:
        mutations = [Mutation.model_validate(m) for m in bundle.get("mutations") or []]
        refused = [
            (Mutation.model_validate(_bare(m)), str(m.get("reason", ""))[:2000])
            for m in bundle.get("refused") or []
        ]
    except (ValidationError, TypeError, AttributeError) as exc:
        raise _refuse("rescue.format", "A change in this rescue bundle is malformed.") from exc
    if any(m.device_id != device_id for m in [*mutations, *(r for r, _ in refused)]):
        raise _refuse("rescue.device", "A change in this bundle names another device.")
    blobs = _blobs(bundle, {s for m in [*mutations, *(r for r, _ in refused)] for s in m.blob_refs})
    summary = BundleSummary(
        device_id=device_id,
        engineer=row.username,
        device_name=row.name or "",
        exported_at=str(bundle.get("exported_at", "")),
        key=key_fingerprint(row.public_key),
        mutations=mutations,
        refused=refused,
        blobs=blobs,
    )
    with engine.connect() as conn:
        last_seq = conn.scalar(
            select(t.client_devices.c.last_seq).where(t.client_devices.c.device_id == device_id)
        )
    summary.already = sum(m.seq <= (last_seq or 0) for m in mutations)
    return summary


def _bare(mutation: object) -> dict[str, Any]:
    if not isinstance(mutation, dict):
        raise TypeError("not an object")
    return {k: v for k, v in mutation.items() if k != "reason"}


def _blobs(bundle: dict[str, Any], wanted: set[str]) -> dict[str, bytes]:
    """The files the changes refer to, each checked against its name."""
    out: dict[str, bytes] = {}
    encoded = bundle.get("blobs") or {}
    if not isinstance(encoded, dict):
        raise _refuse("rescue.format", "This rescue bundle is malformed.")
    for sha, text in encoded.items():
        if sha not in wanted:
            raise _refuse(
                "rescue.blob", f"The bundle holds a file no change refers to ({sha[:12]}...)."
            )
        try:
            data = base64.b64decode(str(text), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _refuse("rescue.blob", f"File {sha[:12]}... in the bundle is corrupt.") from exc
        if hashlib.sha256(data).hexdigest() != sha:
            raise _refuse("rescue.blob", f"File {sha[:12]}... in the bundle is corrupt.")
        out[sha] = data
    return out


def import_bundle(engine: Engine, blobs: ServerBlobs, bundle: object) -> dict[str, Any]:
    """Apply an authentic bundle as its device's push; keep its refused changes aside."""
    summary = inspect_bundle(engine, bundle)
    who = _principal(engine, summary.device_id)
    for data in summary.blobs.values():  # the device's engineer uploaded them, not the office
        blobs.register_local(blobs.store.put_bytes(data), len(data), who.username)
    response = process_push(
        engine,
        who,
        PushRequest(device_time=summary.exported_at, mutations=summary.mutations),
        source="rescue",
    )
    counts: dict[str, int] = {}
    stale = 0
    for result in response.results:
        counts[result.status] = counts.get(result.status, 0) + 1
        stale += result.code == "sync.stale_seq"
    kept = _keep_refused(engine, who, summary.refused)
    return {
        "device_id": summary.device_id,
        "engineer": who.username,
        "results": counts,
        "stale_seq": stale,
        "refused_kept": kept,
        "stopped": response.stopped,
        "last_seq": response.last_seq,
    }


def _principal(engine: Engine, device_id: str) -> Principal:
    with engine.connect() as conn:
        row = conn.execute(
            select(t.users.c.id, t.users.c.username, t.users.c.role)
            .join(t.client_devices, t.client_devices.c.user_id == t.users.c.id)
            .where(t.client_devices.c.device_id == device_id)
        ).one()
    return Principal(user_id=row.id, username=row.username, role=row.role, device_id=device_id)


def _keep_refused(engine: Engine, who: Principal, refused: list[tuple[Mutation, str]]) -> int:
    """Record each refused change once, as a conflict the office reads; never apply it."""
    now = datetime.now(UTC)
    kept = 0
    with engine.begin() as conn:
        for item, reason in refused:
            exists = conn.scalar(
                select(t.conflicts.c.id).where(
                    t.conflicts.c.mutation_id == item.mutation_id,
                    t.conflicts.c.kind == REFUSED_KIND,
                )
            )
            if exists is not None:
                continue
            conn.execute(
                insert(t.conflicts).values(
                    at=now,
                    engineer=who.username,
                    job_id=None,
                    entity_type=item.entity_type,
                    entity_id=item.entity_id,
                    mutation_id=item.mutation_id,
                    kind=REFUSED_KIND,
                    reason=reason,
                    client_value=item.model_dump(),
                    server_value=None,
                )
            )
            kept += 1
    return kept
