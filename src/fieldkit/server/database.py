"""Server database: SQLite by default (WAL), PostgreSQL for production; Alembic at startup."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import types
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 7_733_001  # pg advisory lock id: one process migrates, the others wait
WRITE_OPTION = "fieldkit_write"
# A request waits this long for SQLite's write lock, then answers 503 with Retry-After: a
# fair, prompt "busy" beats an unfair 30 s busy-handler lottery that ends in a 500.
LOCK_WAIT_MS = 10_000
RETRY_AFTER_SECONDS = 2
# The connections one worker may hold. Handler threads (40 in anyio's pool) beyond it wait
# for a connection, which is cheaper than a database that refuses them.
# Requests that write on SQLite queue for this many slots per process, holding no thread while
# they wait: a herd of pushes behind the one write lock must not take every request thread
# (40) and leave the office's reads waiting for one.
SQLITE_WRITERS = 2
DEFAULT_PG_MAX_CONNECTIONS = 100
RESERVED_PG_CONNECTIONS = 10  # psql, migrations, the admin CLI, monitoring


def _sqlite_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # Writers (``engine.begin()``) take the write lock up front, so a read-then-write cannot
    # fail half-way on a stale snapshot; readers take a deferred transaction and never wait
    # for a writer in WAL mode.
    if conn.get_execution_options().get(WRITE_OPTION):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


@contextlib.contextmanager
def _begin_write(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            yield conn


_writer_slots: dict[tuple[int, int], asyncio.Semaphore] = {}


@contextlib.asynccontextmanager
async def writer_slot(engine: Engine) -> AsyncIterator[None]:
    """Around a request that writes (awaited on the serving loop, before its thread): on
    SQLite at most SQLITE_WRITERS at once per process, the rest wait here up to the lock wait
    and then answer 503 with Retry-After. PostgreSQL writers run in parallel: no wait."""
    if engine.dialect.name != "sqlite":
        yield
        return
    from fieldkit.server.errors import ApiError

    key = (id(engine), id(asyncio.get_running_loop()))
    slot = _writer_slots.setdefault(key, asyncio.Semaphore(SQLITE_WRITERS))
    try:
        await asyncio.wait_for(slot.acquire(), LOCK_WAIT_MS / 1000)
    except TimeoutError:
        raise ApiError(
            503,
            "server.busy",
            "The service center is busy; try again in a moment.",
            retry_after=RETRY_AFTER_SECONDS,
        ) from None
    try:
        yield
    finally:
        slot.release()


def pool_size(workers: int, max_connections: int) -> tuple[int, int]:
    """(pool_size, max_overflow) for one worker, so that ``workers`` processes together stay
    under the database's connection limit with a reserve left for administration."""
    usable = max(max_connections - RESERVED_PG_CONNECTIONS, 2 * workers)
    per_worker = max(usable // max(workers, 1), 2)
    size = min(max(per_worker // 2, 1), 20)
    return size, min(per_worker - size, 20)


def create_server_engine(url: str, workers: int | None = None) -> Engine:
    """``workers``: API processes sharing the database (default $FIELDKIT_WORKERS or 1)."""
    workers = workers or int(os.environ.get("FIELDKIT_WORKERS", "1") or 1)
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # One writer at a time anyway: a few connections for readers, the rest wait briefly.
        engine = create_engine(url, hide_parameters=True, pool_size=8, max_overflow=8)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        engine.begin = types.MethodType(_begin_write, engine)  # type: ignore[method-assign]
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    limit = int(os.environ.get("FIELDKIT_DB_MAX_CONNECTIONS", "0") or 0) or _pg_limit(url)
    size, overflow = pool_size(workers, limit)
    return create_engine(
        url, pool_size=size, max_overflow=overflow, pool_pre_ping=True, hide_parameters=True
    )


def _pg_limit(url: str) -> int:
    """The server's ``max_connections`` (one short-lived connection at start-up)."""
    probe = create_engine(url, poolclass=NullPool, hide_parameters=True)
    try:
        with probe.connect() as conn:
            return int(conn.exec_driver_sql("SHOW max_connections").scalar() or 0) or (
                DEFAULT_PG_MAX_CONNECTIONS
            )
    except OperationalError:
        return DEFAULT_PG_MAX_CONNECTIONS
    finally:
        probe.dispose()


def is_lock_timeout(exc: BaseException) -> bool:
    """A database busy or lock-timeout error: the request may simply be retried."""
    if not isinstance(exc, OperationalError):
        return False
    message = str(exc.orig).lower()
    return any(
        word in message
        for word in ("database is locked", "database is busy", "lock timeout", "lock_timeout")
    )


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def migrate(engine: Engine) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        if is_postgres(engine):
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
        try:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()
        finally:
            if is_postgres(engine):
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
                conn.commit()
