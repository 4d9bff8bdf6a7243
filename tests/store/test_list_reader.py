"""The job list's read-only connection: opens only data files at the current schema, refuses
writes, and a long yielding read (a count) gives way to the list's next read."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from fieldkit.store.database import open_database
from fieldkit.store.list_reader import ListReader, Superseded, open_current

# Counts to fifty million: seconds of work, so it is surely running when interrupted.
LONG = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50000000) "
    "SELECT count(*) FROM c"
)


@pytest.fixture
def current(tmp_path: Path) -> Path:
    path = tmp_path / "fieldkit.db"
    open_database(path).close()
    return path


def test_only_a_file_at_the_current_schema_opens(current: Path, tmp_path: Path) -> None:
    reader = open_current(current)
    assert reader is not None
    reader.close()
    assert open_current(tmp_path / "missing.db") is None
    (tmp_path / "text.db").write_text("not a database")
    assert open_current(tmp_path / "text.db") is None
    older = tmp_path / "older.db"
    older.write_bytes((Path(__file__).parents[1] / "data" / "db" / "fieldkit-0001.db").read_bytes())
    assert open_current(older) is None  # opened (and migrated) the full way instead
    torn = tmp_path / "torn.db"  # a SQLite header, then garbage: the full open reports it
    torn.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4096)
    assert open_current(torn) is None


def test_the_reader_never_writes(current: Path) -> None:
    reader = ListReader(current)
    try:
        with pytest.raises(sqlite3.OperationalError, match=r"readonly|query_only"):
            reader.all("INSERT INTO settings (key, value, note) VALUES ('k', '1', '')")
        assert reader.setting("k") is None
    finally:
        reader.close()


def test_a_yielding_read_gives_way_to_the_next_read(current: Path) -> None:
    reader = ListReader(current)
    outcome: list[object] = []
    started = threading.Event()

    def count() -> None:
        started.set()
        try:
            outcome.append(reader.one_yielding(LONG))
        except Superseded as exc:
            outcome.append(exc)

    worker = threading.Thread(target=count)
    worker.start()
    started.wait(10)
    while not reader._yielding and worker.is_alive():  # until its statement runs
        threading.Event().wait(0.005)
    assert reader.one("SELECT 1") == 1  # the list's own read goes first
    worker.join(30)
    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], Superseded)
    assert reader.one_yielding("SELECT 2") == 2  # and the connection is fine afterwards
    reader.close()
