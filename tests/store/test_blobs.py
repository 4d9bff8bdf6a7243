from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fieldkit.store.blobs import BlobError, BlobStore


def test_put_is_content_addressed_and_deduplicated(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    data = "平面图 floor plan".encode() * 1000
    sha = store.put_bytes(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert store.put_bytes(data) == sha
    assert store.read_bytes(sha) == data and store.verify(sha)
    assert list(store) == [sha]
    assert not any((tmp_path / "tmp").iterdir())


def test_oversized_file_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    store = BlobStore(tmp_path, max_bytes=1024)
    with pytest.raises(BlobError, match="larger than"):
        store.put_bytes(b"x" * 2048)
    assert list(store) == [] and not any((tmp_path / "tmp").iterdir())


def test_hash_mismatch_on_verified_put_stores_nothing(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    with pytest.raises(BlobError, match="does not match"):
        store.put_verified(iter([b"tampered"]), "0" * 64)
    assert list(store) == []


def test_failure_before_rename_leaves_no_partial_blob(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)

    def crash(_tmp: Path) -> None:
        raise OSError("power lost")

    store.before_rename = crash
    with pytest.raises(OSError):
        store.put_bytes(b"half a drawing")
    assert list(store) == []


def test_process_killed_between_write_and_rename(tmp_path: Path) -> None:
    """SIGKILL after the temp file is fsynced but before rename: no blob under a real name,
    and the next start cleans the leftover."""
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from fieldkit.store.blobs import BlobStore
        store = BlobStore(Path({str(tmp_path)!r}))
        store.before_rename = lambda tmp: os.kill(os.getpid(), signal.SIGKILL)
        store.put_bytes(b"drawing bytes" * 10000)
    """)
    proc = subprocess.run([sys.executable, "-c", script], check=False)
    assert proc.returncode == -signal.SIGKILL
    leftovers = list((tmp_path / "tmp").iterdir())
    assert len(leftovers) == 1 and leftovers[0].stat().st_size == 130000
    store = BlobStore(tmp_path)
    assert list(store) == []
    assert store.clean_temp() == 1
    assert not any((tmp_path / "tmp").iterdir())


def test_bad_ids_and_missing_blobs_are_clear_errors(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    with pytest.raises(BlobError, match="Not a blob id"):
        store.path("../../etc/passwd")
    with pytest.raises(BlobError, match="not on this device"):
        store.open("a" * 64)
    with pytest.raises(BlobError, match="Cannot read"):
        store.put_file(tmp_path / "nope.pdf")


def test_stream_import_matches_file_hash(tmp_path: Path) -> None:
    src = tmp_path / "backup.bin"
    src.write_bytes(os.urandom(3 * (1 << 20) + 17))  # crosses chunk boundaries
    store = BlobStore(tmp_path / "blobs")
    assert store.put_file(src) == hashlib.sha256(src.read_bytes()).hexdigest()
