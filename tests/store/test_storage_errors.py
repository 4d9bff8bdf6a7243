"""A full disk, a read-only folder and a locked file are known errors with one plain sentence,
and nothing committed before them is lost (a real small filesystem, a real SQLite file)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

from fieldkit.domain.clock import FixedClock
from fieldkit.services import jobs
from fieldkit.services.context import ServiceContext, open_context
from fieldkit.store import models as m
from fieldkit.store.errors import StorageFull, StorageReadOnly, StoreError, StoreLocked, classify
from tests.conftest import NOW
from tests.services.fixtures import seed_job
from tests.support.small_disk import fill, remount, small_disk

FULL = "The device's storage is full: free some space; nothing you saved was lost."


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    with small_disk(tmp_path / "disk", size_mb=3) as folder:
        yield folder


def notes(ctx: ServiceContext, job: str) -> set[str]:
    with ctx.db.read() as s:
        rows = s.query(m.WorkLogEntry).filter_by(job_id=job, kind="note").all()
        return {r.note for r in rows}


def test_a_full_disk_is_one_plain_sentence_and_loses_nothing(disk: Path) -> None:
    clock = FixedClock(NOW)
    ctx = open_context(disk / "data", "eng-wang", clock)
    job = seed_job(ctx)
    saved = [f"note {n}: " + "现场记录 " * 40 + "完" for n in range(20)]
    for text in saved:
        jobs.add_note(ctx, job, text)
    filler = fill(disk)
    with pytest.raises(StorageFull) as caught:
        for n in range(200):  # the WAL may still have a free page or two
            jobs.add_note(ctx, job, f"after full {n}: " + "x" * 4000)
    assert str(caught.value) == FULL
    assert "sqlalche.me" not in str(caught.value) and "OperationalError" not in str(caught.value)
    ctx.db.close()

    # A restart on the still-full disk: every note committed before is there.
    again = open_context(disk / "data", "eng-wang", clock)
    try:
        assert set(saved) <= notes(again, job)
        assert again.db.integrity_check() == "ok"
        filler.unlink()  # space freed: saving works again
        jobs.add_note(again, job, "space freed")
        assert "space freed" in notes(again, job)
    finally:
        again.db.close()


def test_a_full_disk_while_storing_a_file_is_the_same_sentence(disk: Path) -> None:
    ctx = open_context(disk / "data", "eng-wang", FixedClock(NOW))
    try:
        fill(disk)
        with pytest.raises(StorageFull):
            ctx.blobs.put_bytes(os.urandom(256 << 10))
        assert list((ctx.blobs.root / "tmp").iterdir()) == []  # no half-written file stays
    finally:
        ctx.db.close()


def test_a_read_only_folder_is_one_plain_sentence_and_loses_nothing(disk: Path) -> None:
    clock = FixedClock(NOW)
    ctx = open_context(disk / "data", "eng-wang", clock)
    job = seed_job(ctx)
    jobs.add_note(ctx, job, "before the card went read-only")
    ctx.db.close()
    remount(disk, "ro")  # a memory card's write-protect switch, a folder mounted read-only
    try:
        with pytest.raises(StorageReadOnly) as caught:
            open_context(disk / "data", "eng-wang", clock)
        assert str(caught.value).startswith("The data folder cannot be written")
        assert "sqlalche.me" not in str(caught.value)
    finally:
        remount(disk, "rw")
    again = open_context(disk / "data", "eng-wang", clock)
    try:
        assert notes(again, job) == {"before the card went read-only"}
    finally:
        again.db.close()


def test_a_read_only_data_file_and_a_locked_one_are_known(tmp_path: Path) -> None:
    clock = FixedClock(NOW)
    ctx = open_context(tmp_path / "data", "eng-wang", clock)
    job = seed_job(ctx)
    jobs.add_note(ctx, job, "before")
    ctx.db.close()
    reader = open_context(tmp_path / "data", "eng-wang", clock)
    try:
        # Another program holds the write lock longer than SQLite waits (shortened here).
        event.listen(reader.db.engine, "connect", lambda c, _r: c.execute("PRAGMA busy_timeout=50"))
        reader.db.engine.dispose()
        other = sqlite3.connect(reader.db.path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreLocked) as locked:
            jobs.add_note(reader, job, "while locked")
        assert "nothing you saved was lost" in str(locked.value)
        other.rollback()
        other.close()
    finally:
        reader.db.close()
    assert isinstance(
        classify(sqlite3.OperationalError("attempt to write a readonly database")), StorageReadOnly
    )
    assert isinstance(classify(OSError(30, "Read-only file system")), StorageReadOnly)
    assert classify(ValueError("a bug")) is None
    assert isinstance(StorageFull(), StoreError)
