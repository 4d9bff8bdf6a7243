"""Content-addressed blob store: drawings, photos, signatures, backups, PDFs.

A blob is named by the SHA-256 of its bytes. Writes go to a temp file in the same
filesystem, are fsynced, then renamed into place, so a crash at any point leaves either
no blob or a complete one -- never a partial file under a valid name.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from fieldkit.store.errors import classify

_SHA = re.compile(r"[0-9a-f]{64}")  # always fullmatch: "$" would accept a newline
CHUNK = 1 << 20
DEFAULT_MAX_BYTES = 2 << 30  # 2 GiB: a full system image backup is the largest we expect


class BlobError(Exception):
    """Known error about a blob (too large, hash mismatch, missing); message is user-facing."""


class BlobStore:
    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self._tmp = self.root / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)
        # Hook for crash tests: called after the temp file is durable, before the rename.
        self.before_rename: Callable[[Path], None] | None = None

    def path(self, sha256: str) -> Path:
        if not _SHA.fullmatch(sha256):
            raise BlobError(f"Not a blob id: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def size(self, sha256: str) -> int:
        return self.path(sha256).stat().st_size

    def put_bytes(self, data: bytes) -> str:
        return self._put(iter((data,)))

    def put_file(self, source: Path) -> str:
        try:
            with Path(source).open("rb") as fh:
                return self.put_stream(fh)
        except OSError as exc:
            raise BlobError(f"Cannot read {source}: {exc.strerror}") from exc

    def put_stream(self, fh: BinaryIO) -> str:
        return self._put(iter(lambda: fh.read(CHUNK), b""))

    def _put(self, chunks: Iterable[bytes], expected_sha256: str | None = None) -> str:
        digest = hashlib.sha256()
        written = 0
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp, prefix="incoming-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    written += len(chunk)
                    if written > self.max_bytes:
                        raise BlobError(
                            f"File is larger than the {self.max_bytes // (1 << 20)} MiB limit"
                        )
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            if expected_sha256 is not None and sha != expected_sha256:
                raise BlobError(f"Content does not match its hash {expected_sha256[:12]}...")
            final = self.path(sha)
            if final.exists():
                tmp.unlink()
                return sha
            final.parent.mkdir(exist_ok=True)
            if self.before_rename is not None:
                self.before_rename(tmp)
            tmp.replace(final)
            _fsync_dir(final.parent)
            return sha
        except BaseException as exc:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            known = classify(exc) if isinstance(exc, OSError) else None
            if known is not None:  # a full disk or a read-only folder: said plainly
                raise known from exc
            raise

    def put_verified(self, chunks: Iterable[bytes], sha256: str) -> str:
        """Store bytes that must hash to ``sha256`` (downloads); a mismatch stores nothing."""
        return self._put(chunks, expected_sha256=sha256)

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.path(sha256).open("rb")
        except FileNotFoundError:
            raise BlobError(f"Blob {sha256[:12]}... is not on this device") from None

    def read_bytes(self, sha256: str) -> bytes:
        with self.open(sha256) as fh:
            return fh.read()

    def verify(self, sha256: str) -> bool:
        digest = hashlib.sha256()
        with self.open(sha256) as fh:
            for chunk in iter(lambda: fh.read(CHUNK), b""):
                digest.update(chunk)
        return digest.hexdigest() == sha256

    def clean_temp(self) -> int:
        """Remove leftovers of interrupted writes (call at startup). Returns how many."""
        removed = 0
        for leftover in self._tmp.glob("incoming-*"):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
                removed += 1
        return removed

    def __iter__(self) -> Iterator[str]:
        for sub in sorted(self.root.glob("[0-9a-f][0-9a-f]")):
            for blob in sorted(sub.iterdir()):
                if _SHA.fullmatch(blob.name):
                    yield blob.name


def _fsync_dir(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk (POSIX).
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
