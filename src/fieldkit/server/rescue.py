"""Rescue bundles: a tablet's unsynced outbox handed over by USB, applied like a push.

Importing the same bundle twice changes nothing: mutations are keyed by id and seq.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from sqlalchemy import Engine, select

from fieldkit.protocol.wire import Mutation, PushRequest
from fieldkit.server import tables as t
from fieldkit.server.auth import Principal
from fieldkit.server.blobstore import ServerBlobs
from fieldkit.server.errors import ApiError
from fieldkit.server.push import process_push

BUNDLE_FORMAT = "fieldkit.outbox/1"


def import_bundle(engine: Engine, blobs: ServerBlobs, bundle: dict[str, Any]) -> dict[str, Any]:
    if bundle.get("format") != BUNDLE_FORMAT:
        raise ApiError(422, "rescue.format", "Not a FieldKit rescue bundle")
    device_id = str(bundle.get("device_id", ""))
    with engine.connect() as conn:
        row = conn.execute(
            select(t.users.c.id, t.users.c.username, t.users.c.role)
            .join(t.client_devices, t.client_devices.c.user_id == t.users.c.id)
            .where(t.client_devices.c.device_id == device_id)
        ).first()
    if row is None:
        raise ApiError(404, "rescue.device", "The bundle's device never logged in to this center")
    who = Principal(user_id=row.id, username=row.username, role=row.role, device_id=device_id)
    for sha, encoded in dict(bundle.get("blobs", {})).items():
        data = base64.b64decode(encoded)
        if hashlib.sha256(data).hexdigest() != sha:
            raise ApiError(422, "rescue.blob", f"Blob {sha[:12]}... in the bundle is corrupt")
        blobs.register_local(blobs.store.put_bytes(data), len(data), who.username)
    mutations = [Mutation.model_validate(m) for m in bundle.get("mutations", [])]
    response = process_push(
        engine,
        who,
        PushRequest(device_time=str(bundle.get("exported_at", "")), mutations=mutations),
    )
    counts: dict[str, int] = {}
    for result in response.results:
        counts[result.status] = counts.get(result.status, 0) + 1
    return {
        "device_id": device_id,
        "engineer": who.username,
        "results": counts,
        "stopped": response.stopped,
        "last_seq": response.last_seq,
    }
