"""Read-only access to the local data file on the standard library's sqlite3 driver.

The job list reads through this, not SQLAlchemy: loading SQLAlchemy and the ORM models is
most of a cold start, and the window paints its first page before they are needed. Every
search keystroke is one plain statement. Writes never come here (``query_only``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fieldkit.store.migrate import HEAD


class Superseded(Exception):
    """A yielding read was interrupted by a newer read of the list; its answer is stale."""


class ListReader:
    """One read-only connection, shared by the threads that read lists (serialised)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        # Autocommit: each statement sees everything committed so far, e.g. by a sync.
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA query_only=ON")
        self._conn.execute("PRAGMA busy_timeout=10000")
        # Search-as-you-type rereads the same large doclists keystroke after keystroke:
        # 32 MB of page cache and memory-mapped reads keep them from being copied anew.
        self._conn.execute("PRAGMA cache_size=-32768")
        self._conn.execute("PRAGMA mmap_size=268435456")
        self._lock = threading.Lock()  # one statement at a time on the connection
        self._state = threading.Lock()
        self._yielding = False  # a read that gives way to the list's own is running

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._owned() as conn:
            return conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._owned() as conn:
            row = conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def one_yielding(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """A long read for a worker thread (counting every match of a search): any other
        read on this connection interrupts it, and :class:`Superseded` is raised. It runs
        on the list's own connection, so the pages it reads are warm for the next one."""
        with self._lock:
            with self._state:
                self._yielding = True
            try:
                row = self._conn.execute(sql, params).fetchone()
            except sqlite3.OperationalError as exc:
                if "interrupt" in str(exc):
                    raise Superseded from exc
                raise
            finally:
                with self._state:
                    self._yielding = False
        return None if row is None else row[0]

    @contextmanager
    def _owned(self) -> Iterator[sqlite3.Connection]:
        """The connection, taken from a yielding read that holds it: interrupted, and again
        every 10 ms, since an interrupt landing just before its statement starts is lost."""
        while not self._lock.acquire(timeout=0.01):
            with self._state:
                if self._yielding:
                    self._conn.interrupt()  # thread-safe; the statement stops at once
        try:
            yield self._conn
        finally:
            self._lock.release()

    def schema(self) -> str | None:
        """The data file's schema revision (Alembic's stamp), or None for a new file."""
        exists = self.one(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        )
        return None if exists is None else self.one("SELECT version_num FROM alembic_version")

    def setting(self, key: str, default: Any = None) -> Any:
        """A persisted setting (JSON value), as services.settings stores it."""
        value = self.one("SELECT value FROM settings WHERE key = ?", (key,))
        return default if value is None else json.loads(value)

    def close(self) -> None:
        with self._owned() as conn:
            conn.close()


def open_current(path: Path) -> ListReader | None:
    """A reader for a data file already at the current schema; None when the file is new or
    older, so the caller opens (and migrates) it the full way first."""
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        return None
    with path.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            return None  # the full open says what is wrong with it
    try:
        reader = ListReader(path)
    except sqlite3.Error:
        return None
    try:
        if reader.schema() == HEAD:
            return reader
    except sqlite3.Error:
        pass  # the full open says what is wrong with it
    reader.close()
    return None
