"""Opening the local SQLite file: pragmas, one-writer transactions, migrations at startup."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from fieldkit.store.errors import StoreError as StoreError
from fieldkit.store.errors import classify
from fieldkit.store.text_segment import segment


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" hook issue BEGIN itself, so we choose DEFERRED vs IMMEDIATE.
    dbapi_conn.isolation_level = None
    dbapi_conn.create_function("fk_segment", 1, segment, deterministic=True)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA journal_mode=WAL")
    # FULL in WAL mode fsyncs every commit: a signed slip survives a power cut.
    cur.execute("PRAGMA synchronous=FULL")
    cur.close()


def _on_begin(conn: Any) -> None:
    # Writers take the write lock up front: a deferred transaction that later upgrades to a
    # writer can fail with SQLITE_BUSY instead of waiting its turn.
    options = conn.get_execution_options()
    mode = "IMMEDIATE" if options.get("fieldkit_write") else "DEFERRED"
    # Set on every transaction (it cannot change inside one), so a connection back in the
    # pool never carries a relaxed level into someone else's write.
    level = "NORMAL" if options.get("fieldkit_refetchable") else "FULL"
    conn.exec_driver_sql(f"PRAGMA synchronous={level}")
    conn.exec_driver_sql(f"BEGIN {mode}")


def create_sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", future=True)
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


@contextmanager
def _storage_errors() -> Iterator[None]:
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:
        known = classify(exc)
        if known is None:
            raise
        raise known from exc


class Closable(Protocol):
    def close(self) -> None: ...


class Database:
    """The local store. Reads may run anywhere; writes go through :meth:`write`."""

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self.engine = engine
        self._companions: list[Closable] = []
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(
            engine.execution_options(fieldkit_write=True), expire_on_commit=False
        )
        self._refetchable = sessionmaker(
            engine.execution_options(fieldkit_write=True, fieldkit_refetchable=True),
            expire_on_commit=False,
        )

    @contextmanager
    def write(self, *, durable: bool = True) -> Iterator[Session]:
        """One IMMEDIATE transaction: everything inside commits together or not at all. A
        full disk, a read-only folder or a locked file raises a known :class:`StoreError`
        (the transaction is rolled back; earlier commits stay).

        ``durable=False`` is for what the center can send again (a pulled page with its
        cursor): the commit is atomic but not fsynced (WAL, synchronous=NORMAL), so a power
        cut may undo the last such commits, never a part of one, and never a durable commit
        made after them (its fsync carries the earlier WAL frames)."""
        maker = self._write if durable else self._refetchable
        with _storage_errors(), maker() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with _storage_errors(), self._read() as session, session.begin():
            yield session

    def integrity_check(self) -> str:
        with self.engine.connect() as conn:
            return str(conn.exec_driver_sql("PRAGMA integrity_check").scalar())

    def closes_with(self, companion: Closable) -> None:
        """Close ``companion`` (another connection to this file) when the store closes."""
        self._companions.append(companion)

    def close(self) -> None:
        for companion in self._companions:
            companion.close()
        self._companions.clear()
        self.engine.dispose()


def open_database(path: Path, *, migrate: bool = True) -> Database:
    """Open (creating if needed) and upgrade the local data file to the current schema."""
    from fieldkit.store.migrate import upgrade_to_head

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"Cannot create the data folder {path.parent}: {exc.strerror}") from exc
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise StoreError(
                    f"{path} is not a FieldKit data file (it is not a SQLite database). "
                    "Move it aside or choose another data folder with --data-dir."
                )
    engine = create_sqlite_engine(path)
    try:
        if migrate:
            upgrade_to_head(engine)
    except Exception as exc:
        engine.dispose()
        known = classify(exc)  # a read-only folder, a full disk, a file locked elsewhere
        if known is not None:
            raise known from exc
        raise StoreError(f"Cannot open {path}: {exc}") from exc
    return Database(path, engine)
