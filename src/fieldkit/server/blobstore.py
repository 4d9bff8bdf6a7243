"""Server blob storage: resumable chunked uploads, verified by hash before they are visible.

Bytes are accepted only for an upload its user declared first (hash and size), or for a
hash a stopped push of that user waits for, within per-user caps on open uploads and on the
bytes they may add; partial files older than a day are swept. The hash is computed while
the chunks arrive, so the last chunk costs no re-read.

A blob has holders: everyone who uploaded its bytes, proved they hold them, or had a change
accepted that references it. A second engineer with a byte-identical file proves it (see
``protocol.blob_proof``) and becomes a holder at once; without the proof, their bytes are
uploaded and verified like any upload, then dropped (the store has them already). Until then
the center answers them as for an unknown hash: knowing a hash reveals nothing."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, Engine, Insert, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from fieldkit.protocol.wire import BlobChallenge
from fieldkit.server import tables as t
from fieldkit.server.blob_proofs import ProofDesk
from fieldkit.server.errors import ApiError
from fieldkit.server.scope import can_read_blob
from fieldkit.store.blobs import BlobStore

try:  # several API processes may append to one partial file (PostgreSQL deployments)
    import fcntl
except ImportError:  # pragma: no cover - the demo center on Windows runs one process
    fcntl = None  # type: ignore[assignment]

MAX_CHUNK = 8 << 20


class ServerBlobs:
    def __init__(
        self,
        root: Path,
        engine: Engine,
        max_bytes: int,
        *,
        max_open_uploads: int = 64,
        max_partial_bytes: int = 4 << 30,
        partial_max_age: timedelta = timedelta(days=1),
        proofs: ProofDesk | None = None,
    ) -> None:
        self.store = BlobStore(root, max_bytes=max_bytes)
        self.proofs = proofs or ProofDesk()
        self.partial = root / "partial"
        self.partial.mkdir(parents=True, exist_ok=True)
        self.engine = engine
        self.max_bytes = max_bytes
        self.max_open_uploads = max_open_uploads
        self.max_partial_bytes = max_partial_bytes
        self.partial_max_age = partial_max_age
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._digests: dict[str, tuple[int, Any]] = {}  # sha -> (bytes hashed, hash object)

    def status(self, sha: str) -> tuple[bool, int, int | None]:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.blobs).where(t.blobs.c.sha256 == sha)).mappings().first()
        if row is not None and row["complete"] and self.store.has(sha):
            return True, int(row["size"]), int(row["size"])
        part = self.partial / sha
        return False, part.stat().st_size if part.exists() else 0, row["size"] if row else None

    def readable_by(self, sha: str, engineer: str) -> bool:
        """Whether an engineer may read this blob (see :func:`scope.can_read_blob`)."""
        with self.engine.connect() as conn:
            return can_read_blob(conn, engineer, sha)

    def declare(
        self, sha: str, size: int, who: str, proof: str | None = None, nonce: str | None = None
    ) -> tuple[bool, int]:
        """Announce an upload of ``size`` bytes hashing to ``sha``. Refused (413 / 429) past
        the user's caps; declaring again is harmless. Returns (complete, offset): complete
        only for a holder, or with a valid ``proof`` of holding the bytes of a stored blob,
        answering the challenge ``nonce`` (see :meth:`challenge`)."""
        self.store.path(sha)  # validates the id
        if size <= 0 or size > self.max_bytes:
            raise ApiError(
                413, "blob.too_large", f"Blob exceeds the {self.max_bytes >> 20} MiB limit"
            )
        complete, offset, stored = self.status(sha)
        if complete:
            if self.holds(sha, who):
                return True, size
            if proof and nonce and size == stored and self._proof_ok(sha, size, who, nonce, proof):
                with self.engine.begin() as conn:
                    add_holder(conn, sha, who, "proof", _now())
                    _forget_upload(conn, sha, who)
                return True, size
            # As for an unknown hash: the bytes come and are verified like any upload.
            part = self._part(sha, who, complete)
            offset = part.stat().st_size if part.exists() else 0
        up = t.blob_uploads
        with self.engine.begin() as conn:
            mine = conn.execute(
                select(up.c.size).where(up.c.sha256 == sha, up.c.username == who)
            ).first()
            if mine is not None and mine.size == size:
                return False, offset
            others = (up.c.username == who) & (up.c.sha256 != sha)
            row = conn.execute(select(func.count(), func.sum(up.c.size)).where(others)).one()
            count, reserved = int(row[0] or 0), int(row[1] or 0)
            if count >= self.max_open_uploads:
                raise ApiError(
                    429,
                    "blob.too_many_uploads",
                    "Too many unfinished uploads; finish or wait for them first",
                    retry_after=60,
                )
            if reserved + size > self.max_partial_bytes:
                raise ApiError(
                    413,
                    "blob.quota",
                    "Unfinished uploads exceed this account's quota; finish them first",
                )
            conn.execute(delete(up).where(up.c.sha256 == sha, up.c.username == who))
            conn.execute(insert(up).values(sha256=sha, username=who, size=size, declared_at=_now()))
        return False, offset

    def append(self, sha: str, offset: int, total: int, chunk: bytes, who: str) -> tuple[bool, int]:
        """Append a chunk at ``offset``; on the last byte verify and publish. Idempotent.
        Blocking (fsync, hashing): call it from a worker thread, never the event loop."""
        self.store.path(sha)  # validates the id
        if total <= 0 or total > self.max_bytes:
            raise ApiError(
                413, "blob.too_large", f"Blob exceeds the {self.max_bytes >> 20} MiB limit"
            )
        if len(chunk) > MAX_CHUNK:
            raise ApiError(413, "blob.chunk_too_large", "Chunk larger than 8 MiB")
        with self._sha_lock(sha):
            complete, current, _ = self.status(sha)
            if complete and self.holds(sha, who):
                return True, total
            self._require_declared(sha, total, who)  # before anything says "complete"
            part = self._part(sha, who, complete)
            if complete:  # a second engineer's copy: verified, then dropped
                current = part.stat().st_size if part.exists() else 0
                if offset == 0 and current:  # a copy starts over from its first byte
                    part.unlink()
                    self._digests.pop(part.name, None)
                    current = 0
            if offset != current:
                raise ApiError(
                    409,
                    "blob.offset",
                    "Upload offset mismatch; resume from the given offset",
                    offset=current,
                )
            if current + len(chunk) > total:
                raise ApiError(400, "blob.overflow", "More bytes than the declared length")
            with part.open("ab") as fh, _file_lock(fh):
                size = fh.seek(0, os.SEEK_END)
                if size != current:  # another process appended meanwhile
                    raise ApiError(
                        409, "blob.offset", "Upload offset mismatch; resume", offset=size
                    )
                digest = self._digest(part, size)
                fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
                digest.update(chunk)
                size += len(chunk)
                self._digests[part.name] = (size, digest)
            self._record(sha, total, who)
            if size < total:
                return False, size
            self._digests.pop(part.name, None)
            if digest.hexdigest() != sha:
                part.unlink()
                raise ApiError(
                    422,
                    "blob.hash_mismatch",
                    "Uploaded bytes do not match the hash; the upload was discarded, send it again",
                )
            if complete:
                part.unlink()  # the store holds these very bytes already
            else:
                self._publish(part, sha)
            with self.engine.begin() as conn:
                conn.execute(update(t.blobs).where(t.blobs.c.sha256 == sha).values(complete=True))
                if complete:
                    _forget_upload(conn, sha, who)
                else:
                    conn.execute(delete(t.blob_uploads).where(t.blob_uploads.c.sha256 == sha))
                    conn.execute(delete(t.blob_wants).where(t.blob_wants.c.sha256 == sha))
                add_holder(conn, sha, who, "upload", _now())
            return True, total

    def sweep(self, now: datetime | None = None) -> int:
        """Delete partial uploads untouched for ``partial_max_age`` and their declarations,
        so abandoned or junk uploads cannot fill the disk. Returns how many files went."""
        now = now or _now()
        horizon = now - self.partial_max_age
        removed = 0
        for part in self.partial.iterdir():
            with contextlib.suppress(FileNotFoundError):
                if part.stat().st_mtime < horizon.timestamp():
                    with self._sha_lock(part.name):
                        part.unlink()
                        self._digests.pop(part.name, None)
                    removed += 1
        with self.engine.begin() as conn:
            conn.execute(delete(t.blob_uploads).where(t.blob_uploads.c.declared_at < horizon))
            conn.execute(delete(t.blob_wants).where(t.blob_wants.c.at < horizon))
            stale = (t.blobs.c.complete.is_(False)) & (t.blobs.c.created_at < horizon)
            for (sha,) in conn.execute(select(t.blobs.c.sha256).where(stale)).all():
                if not (self.partial / sha).exists():
                    conn.execute(delete(t.blobs).where(t.blobs.c.sha256 == sha))
        return removed

    def register_local(self, sha: str, size: int, who: str) -> None:
        """Record a blob already in the store (demo seeding, rescue import)."""
        with self.engine.begin() as conn:
            if conn.scalar(select(t.blobs.c.sha256).where(t.blobs.c.sha256 == sha)) is None:
                conn.execute(
                    insert(t.blobs).values(
                        sha256=sha, size=size, complete=True, uploaded_by=who, created_at=_now()
                    )
                )
            else:
                conn.execute(
                    update(t.blobs).where(t.blobs.c.sha256 == sha).values(complete=True, size=size)
                )
            add_holder(conn, sha, who, "seed", _now())

    def holds(self, sha: str, who: str) -> bool:
        with self.engine.connect() as conn:
            return is_holder(conn, sha, who)

    # -- internals ---------------------------------------------------------------------
    @contextlib.contextmanager
    def _sha_lock(self, sha: str) -> Iterator[None]:
        with self._lock:
            lock = self._locks.setdefault(sha, threading.Lock())
        with lock:
            yield

    def _part(self, sha: str, who: str, complete: bool) -> Path:
        """The partial file: one per hash, and one per user for a copy of a stored blob."""
        if not complete:
            return self.partial / sha
        return self.partial / f"{sha}.{hashlib.sha256(who.encode()).hexdigest()[:16]}"

    def challenge(self, sha: str, size: int, who: str) -> BlobChallenge:
        """What to prove of ``sha`` to become its holder without sending it: the same answer
        whether the center stores it or not (see ``blob_proofs``)."""
        self.store.path(sha)  # validates the id
        return self.proofs.challenge(sha, size, who)

    def _proof_ok(self, sha: str, size: int, who: str, nonce: str, proof: str) -> bool:
        return self.proofs.check(sha, size, who, nonce, proof, lambda: self.store.open(sha))

    def _require_declared(self, sha: str, total: int, who: str) -> None:
        up, wants = t.blob_uploads, t.blob_wants
        with self.engine.connect() as conn:
            size = conn.scalar(select(up.c.size).where(up.c.sha256 == sha, up.c.username == who))
            wanted = conn.scalar(
                select(wants.c.seq).where(wants.c.sha256 == sha, wants.c.username == who)
            )
        if size is None and wanted is not None:
            # A change this user pushed waits for these bytes: declared now, within the caps.
            self.declare(sha, total, who)
            return
        if size is None:
            raise ApiError(
                409,
                "blob.undeclared",
                "Declare the upload first (POST /blobs/{sha256}/declare)",
            )
        if size != total:
            raise ApiError(409, "blob.length", "Upload-Length differs from the declared size")

    def _digest(self, part: Path, size: int) -> Any:
        """The running hash of the partial file's first ``size`` bytes. Rebuilt from the file
        only when this process did not see the earlier chunks (restart, another worker)."""
        known = self._digests.get(part.name)
        if known is not None and known[0] == size:
            return known[1]
        digest = hashlib.sha256()
        with part.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        return digest

    def _record(self, sha: str, total: int, who: str) -> None:
        with self.engine.begin() as conn:
            exists = conn.scalar(select(t.blobs.c.sha256).where(t.blobs.c.sha256 == sha))
            if exists is None:
                conn.execute(
                    insert(t.blobs).values(
                        sha256=sha, size=total, complete=False, uploaded_by=who, created_at=_now()
                    )
                )

    def _publish(self, part: Path, sha: str) -> None:
        """Move the verified partial file into the store: a rename, not a copy."""
        final = self.store.path(sha)
        final.parent.mkdir(exist_ok=True)
        part.replace(final)
        if os.name == "posix":
            fd = os.open(final.parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def is_holder(conn: Connection, sha: str, who: str) -> bool:
    h = t.blob_holders.c
    return conn.scalar(select(h.sha256).where(h.sha256 == sha, h.username == who)) is not None


def add_holder(conn: Connection, sha: str, who: str, how: str, now: datetime) -> None:
    """``who`` may read ``sha`` from now on (idempotent)."""
    if not is_holder(conn, sha, who):
        _insert_once(
            conn, insert(t.blob_holders).values(sha256=sha, username=who, how=how, since=now)
        )


def want(
    conn: Connection, shas: list[str], who: str, device_id: str, seq: int, now: datetime
) -> None:
    """A push of ``who`` stopped at change ``seq``, waiting for these blobs: their bytes are
    accepted from ``who`` without a separate declaration (within the same caps)."""
    w = t.blob_wants.c
    for sha in shas:
        if conn.scalar(select(w.seq).where(w.sha256 == sha, w.username == who)) is None:
            _insert_once(
                conn,
                insert(t.blob_wants).values(
                    sha256=sha, username=who, device_id=device_id, seq=seq, at=now
                ),
            )


def _insert_once(conn: Connection, statement: Insert) -> None:
    """Insert a row that another process may have inserted a moment ago (same key)."""
    savepoint = conn.begin_nested()
    try:
        conn.execute(statement)
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()


def _forget_upload(conn: Connection, sha: str, who: str) -> None:
    conn.execute(
        delete(t.blob_uploads).where(
            t.blob_uploads.c.sha256 == sha, t.blob_uploads.c.username == who
        )
    )
    conn.execute(
        delete(t.blob_wants).where(t.blob_wants.c.sha256 == sha, t.blob_wants.c.username == who)
    )


@contextlib.contextmanager
def _file_lock(fh: BinaryIO) -> Iterator[None]:
    if fcntl is None:
        yield
        return
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _now() -> datetime:
    return datetime.now(UTC)


def sweep_periodically(blobs: ServerBlobs, every: float, stop: threading.Event) -> None:
    """The janitor's loop for a server process: sweep, then every ``every`` seconds."""
    while not stop.is_set():
        try:
            blobs.sweep()
        except Exception:  # the janitor must outlive a bad sweep
            import logging

            logging.getLogger("fieldkit.server").exception("blob sweep failed")
        stop.wait(every)
