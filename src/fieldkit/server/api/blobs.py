"""Blobs (drawings, photos, attachments): resumable uploads, status, ranged downloads.
Engineers read only what their scope references; for anything else the center answers as
for an unknown hash, so the status is no oracle."""

# No `from __future__ import annotations`: FastAPI must evaluate the dependency aliases.
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from fieldkit.protocol.wire import SHA256_PATTERN, BlobChallenge, BlobStatus
from fieldkit.server.api.deps import ERRORS, BlobsDep, PrincipalDep
from fieldkit.server.auth import Principal
from fieldkit.server.blobstore import ServerBlobs
from fieldkit.server.errors import ApiError

router = APIRouter(prefix="/blobs", tags=["blobs"], responses=ERRORS)
BLOCK = 1 << 20


class BlobDeclaration(BaseModel):
    size: int = Field(ge=1)
    # protocol.blob_proof: a second engineer's copy of a stored blob completes without bytes,
    # proved over the ranges of the challenge ``nonce`` (POST /blobs/{sha256}/challenge).
    proof: str | None = Field(default=None, pattern=SHA256_PATTERN)
    nonce: str | None = Field(default=None, max_length=200)


class ChallengeRequest(BaseModel):
    size: int = Field(ge=1)


def _check_sha(sha: str) -> None:
    if not re.fullmatch(SHA256_PATTERN, sha):
        raise ApiError(400, "blob.id", "Not a SHA-256 blob id")


def _may_read(blobs: ServerBlobs, who: Principal, sha: str) -> bool:
    return who.is_office or blobs.readable_by(sha, who.username)


@router.get("/{sha256}/status")
def blob_status(
    sha256: Annotated[str, Field(pattern=SHA256_PATTERN)], who: PrincipalDep, blobs: BlobsDep
) -> BlobStatus:
    """How much of a blob the center holds: resume an upload from ``offset``."""
    _check_sha(sha256)
    complete, offset, size = blobs.status(sha256)
    if complete and not _may_read(blobs, who, sha256):
        complete, offset, size = False, 0, None  # as for an unknown hash: no oracle
    return BlobStatus(sha256=sha256, complete=complete, offset=offset, size=size)


@router.post("/{sha256}/declare")
def blob_declare(
    sha256: str, body: BlobDeclaration, who: PrincipalDep, blobs: BlobsDep
) -> BlobStatus:
    """Announce an upload (hash and size) before its bytes: the quota is charged here."""
    _check_sha(sha256)
    complete, offset = blobs.declare(sha256, body.size, who.username, body.proof, body.nonce)
    return BlobStatus(sha256=sha256, complete=complete, offset=offset, size=body.size)


@router.post("/{sha256}/challenge")
def blob_challenge(
    sha256: str, body: ChallengeRequest, who: PrincipalDep, blobs: BlobsDep
) -> BlobChallenge:
    """The ranges to prove to hold a blob's bytes without sending them (limited a minute)."""
    _check_sha(sha256)
    return blobs.challenge(sha256, body.size, who.username)


@router.patch("/{sha256}")
async def blob_upload(
    sha256: str,
    request: Request,
    who: PrincipalDep,
    blobs: BlobsDep,
    upload_offset: Annotated[int, Header(ge=0)],
    upload_length: Annotated[int, Header(ge=1)],
) -> BlobStatus:
    """Append one chunk at ``Upload-Offset``; the last one is verified against the hash."""
    _check_sha(sha256)
    chunk = await request.body()  # at most 9 MiB: ProtocolAndLimits cuts it off
    # fsync and hashing block: off the event loop, so /health and every other request
    # keep answering while a chunk is written.
    complete, offset = await run_in_threadpool(
        blobs.append, sha256, upload_offset, upload_length, chunk, who.username
    )
    return BlobStatus(sha256=sha256, complete=complete, offset=offset, size=upload_length)


@router.get("/{sha256}")
def blob_download(
    sha256: str,
    who: PrincipalDep,
    blobs: BlobsDep,
    range: Annotated[str | None, Header()] = None,
) -> Response:
    """The blob's bytes, or one ``Range: bytes=start-[end]`` of them (206)."""
    _check_sha(sha256)
    complete, _, size = blobs.status(sha256)
    if not complete or size is None or not _may_read(blobs, who, sha256):
        raise ApiError(404, "blob.unknown", "No such blob at the service center")
    start, end = 0, size - 1
    status = 200
    if range:
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", range.strip())
        if not match or int(match.group(1)) >= size:
            raise ApiError(416, "blob.range", "Requested range not satisfiable", size=size)
        start = int(match.group(1))
        end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
        if end < start:
            raise ApiError(416, "blob.range", "Requested range not satisfiable", size=size)
        status = 206
    headers = {
        "Content-Length": str(end - start + 1),
        "Accept-Ranges": "bytes",
        "ETag": f'"{sha256}"',
    }
    if status == 206:
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return StreamingResponse(
        _read(blobs.store.path(sha256), start, end),
        status_code=status,
        headers=headers,
        media_type="application/octet-stream",
    )


def _read(path: Path, start: int, end: int) -> Iterator[bytes]:
    with path.open("rb") as fh:
        fh.seek(start)
        left = end - start + 1
        while left > 0:
            block = fh.read(min(BLOCK, left))
            if not block:
                return
            left -= len(block)
            yield block
