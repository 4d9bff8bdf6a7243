"""Server blob storage: resumable chunked uploads, verified by hash before they are visible."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, insert, select, update

from fieldkit.server import tables as t
from fieldkit.server.errors import ApiError
from fieldkit.store.blobs import BlobStore

MAX_CHUNK = 8 << 20


class ServerBlobs:
    def __init__(self, root: Path, engine: Engine, max_bytes: int) -> None:
        self.store = BlobStore(root, max_bytes=max_bytes)
        self.partial = root / "partial"
        self.partial.mkdir(parents=True, exist_ok=True)
        self.engine = engine
        self.max_bytes = max_bytes

    def status(self, sha: str) -> tuple[bool, int, int | None]:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.blobs).where(t.blobs.c.sha256 == sha)).mappings().first()
        if row is not None and row["complete"] and self.store.has(sha):
            return True, int(row["size"]), int(row["size"])
        part = self.partial / sha
        return False, part.stat().st_size if part.exists() else 0, row["size"] if row else None

    def append(self, sha: str, offset: int, total: int, chunk: bytes, who: str) -> tuple[bool, int]:
        """Append a chunk at ``offset``; on the last byte verify and publish. Idempotent."""
        self.store.path(sha)  # validates the id
        if total <= 0 or total > self.max_bytes:
            raise ApiError(
                413, "blob.too_large", f"Blob exceeds the {self.max_bytes >> 20} MiB limit"
            )
        if len(chunk) > MAX_CHUNK:
            raise ApiError(413, "blob.chunk_too_large", "Chunk larger than 8 MiB")
        complete, current, _ = self.status(sha)
        if complete:
            return True, total
        if offset != current:
            raise ApiError(
                409,
                "blob.offset",
                "Upload offset mismatch; resume from the given offset",
                offset=current,
            )
        if current + len(chunk) > total:
            raise ApiError(400, "blob.overflow", "More bytes than the declared length")
        part = self.partial / sha
        with part.open("ab") as fh:
            fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            exists = conn.scalar(select(t.blobs.c.sha256).where(t.blobs.c.sha256 == sha))
            if exists is None:
                conn.execute(
                    insert(t.blobs).values(
                        sha256=sha, size=total, complete=False, uploaded_by=who, created_at=now
                    )
                )
        size = part.stat().st_size
        if size < total:
            return False, size
        digest = hashlib.sha256()
        with part.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != sha:
            part.unlink()
            raise ApiError(
                422,
                "blob.hash_mismatch",
                "Uploaded bytes do not match the hash; the upload was discarded, send it again",
            )
        with part.open("rb") as fh:
            self.store.put_verified(iter(lambda: fh.read(1 << 20), b""), sha)
        part.unlink()
        with self.engine.begin() as conn:
            conn.execute(update(t.blobs).where(t.blobs.c.sha256 == sha).values(complete=True))
        return True, total

    def register_local(self, sha: str, size: int, who: str) -> None:
        """Record a blob already in the store (demo seeding, rescue import)."""
        with self.engine.begin() as conn:
            if conn.scalar(select(t.blobs.c.sha256).where(t.blobs.c.sha256 == sha)) is None:
                conn.execute(
                    insert(t.blobs).values(
                        sha256=sha,
                        size=size,
                        complete=True,
                        uploaded_by=who,
                        created_at=datetime.now(UTC),
                    )
                )
