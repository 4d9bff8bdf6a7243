"""Uploading one blob: resumable, announced first, and proved instead of sent when the center
already stores the same bytes (another engineer's identical file)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fieldkit.protocol.blob_proof import possession_proof, read_ranges
from fieldkit.protocol.wire import BlobChallenge, BlobStatus
from fieldkit.services.context import ServiceContext
from fieldkit.services.settings import get_setting
from fieldkit.sync.center import USERNAME_SETTING
from fieldkit.sync.errors import ServerRefused, SyncError
from fieldkit.sync.transport import Transport

CHUNK = 1 << 20


def username(ctx: ServiceContext) -> str:
    """The account logged in on this device: whom the center knows the work by."""
    return str(get_setting(ctx, USERNAME_SETTING) or ctx.actor)


def upload_blob(
    ctx: ServiceContext,
    http: Transport,
    sha: str,
    check: Callable[[], None],
    progress: Callable[[int, int], None],
) -> bool:
    """Send ``sha`` unless the center has it for this engineer; True if bytes were sent.
    ``check`` raises to cancel between chunks; ``progress`` gets (offset, total)."""
    status = http.get_model(f"/blobs/{sha}/status", BlobStatus)
    if status.complete:
        return False
    total = ctx.blobs.size(sha)
    # The center takes bytes only for an upload announced first (its quota is per user).
    # The proof of holding the bytes completes it at once if the center stores them
    # already (another engineer's identical file): nothing travels twice.
    declared = http.request(
        "POST", f"/blobs/{sha}/declare", json_body=_declaration(ctx, http, sha, total)
    )
    status = BlobStatus.model_validate_json(declared.content)
    if status.complete:
        return False
    offset = status.offset
    with ctx.blobs.open(sha) as fh:
        while offset < total:
            check()
            fh.seek(offset)
            chunk = fh.read(CHUNK)
            try:
                reply = http.request(
                    "PATCH",
                    f"/blobs/{sha}",
                    data=chunk,
                    headers={
                        "Upload-Offset": str(offset),
                        "Upload-Length": str(total),
                        "Content-Type": "application/offset+octet-stream",
                    },
                )
            except SyncError as exc:
                if getattr(exc, "code", "") != "blob.offset":
                    raise
                # A previous attempt landed after all: resume from the server's offset.
                offset = http.get_model(f"/blobs/{sha}/status", BlobStatus).offset
                continue
            offset = BlobStatus.model_validate_json(reply.content).offset
            progress(offset, total)
    return True


def _declaration(ctx: ServiceContext, http: Transport, sha: str, total: int) -> dict[str, Any]:
    """The upload's announcement, with the proof of holding the bytes over the ranges the
    center chose; without one when the center takes none now (or predates challenges)."""
    try:
        reply = http.request("POST", f"/blobs/{sha}/challenge", json_body={"size": total})
    except ServerRefused as exc:
        if exc.status in (404, 405):  # a center older than challenges: the bytes travel
            return {"size": total}
        raise
    challenge = BlobChallenge.model_validate_json(reply.content)
    if challenge.nonce is None:
        return {"size": total}
    with ctx.blobs.open(sha) as fh:
        blocks = read_ranges(fh, challenge.ranges)
        proof = possession_proof(username(ctx), challenge.nonce, blocks)
    return {"size": total, "proof": proof, "nonce": challenge.nonce}
