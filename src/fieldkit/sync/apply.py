"""Applying pulled changes to the local store: each page and its cursor in one transaction
(atomic, not fsynced: the center sends a lost page again).

Local changes not yet confirmed by the server win over pulled state for the same entity
(they are re-applied on top): the server will echo the merged result after the push, or
re-send its own state if it rejected the change.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from fieldkit.protocol.entities import (
    ENTITY_TABLE,
    SYNCED_MODELS,
    TABLES,
    decode_row,
    key_clause,
    key_of,
)
from fieldkit.protocol.wire import Change
from fieldkit.store import models as m
from fieldkit.store.database import Database

log = logging.getLogger(__name__)
SCOPE = "main"
APPEND_ONLY = {"slips", "signatures", "checklist_answers", "escalations", "work_log"}


def pending_keys(conn: Connection) -> set[tuple[str, str]]:
    """(table, id) of entities with changes the server has not confirmed yet."""
    rows = conn.execute(
        select(m.OutboxMutation.entity_type, m.OutboxMutation.entity_id).where(
            m.OutboxMutation.state.in_(("pending", "sent"))
        )
    )
    return {(ENTITY_TABLE.get(kind, kind), entity_id) for kind, entity_id in rows}


def _dependents(table_name: str) -> list[tuple[Table, str, bool]]:
    """(child table, fk column, nullable) for every synced table pointing at ``table_name``."""
    out = []
    for model in SYNCED_MODELS:
        child = TABLES[model.__tablename__]
        for fk in child.foreign_keys:
            if fk.column.table.name == table_name and child.name != table_name:
                out.append((child, fk.parent.name, bool(fk.parent.nullable)))
    return out


def delete_cascade(conn: Connection, table_name: str, key: str) -> bool:
    """Delete a row and what depends on it locally; nullable references are cleared.
    Returns False (and deletes nothing) if a signed slip depends on it: those never go."""
    if table_name == "slips":
        return False
    table = TABLES[table_name]
    pk = next(iter(table.primary_key.columns)).name
    for child, column, nullable in _dependents(table_name):
        if nullable:
            conn.execute(update(child).where(child.c[column] == key).values({column: None}))
            continue
        child_pk = [c.name for c in child.primary_key.columns]
        for row in conn.execute(
            select(*[child.c[c] for c in child_pk]).where(child.c[column] == key)
        ):
            if not delete_cascade(conn, child.name, ":".join(str(v) for v in row)):
                return False
    if len(table.primary_key.columns) == 1:
        conn.execute(delete(table).where(table.c[pk] == key))
    else:
        conn.execute(delete(table).where(key_clause(table, key)))
    return True


def adopt_slip_numbers(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """The center issues slip numbers: a slip it filed under another number than this device
    gave it takes the center's number here (only the record's number; what was signed never
    changes). A local slip that holds a number the center gave another slip steps aside
    until its own row arrives with the number the center issued it."""
    slips = TABLES["slips"]
    issued = {str(r["id"]): str(r["number"]) for r in rows}
    for slip_id, number in issued.items():
        holder = conn.scalar(
            select(slips.c.id).where(slips.c.number == number, slips.c.id != slip_id)
        )
        if holder is not None:
            aside = f"{number}~{str(holder)[:8]}"
            conn.execute(update(slips).where(slips.c.id == holder).values(number=aside))
    for slip_id, number in issued.items():
        conn.execute(
            update(slips)
            .where(slips.c.id == slip_id, slips.c.number != number)
            .values(number=number)
        )


def apply_changes(
    conn: Connection, changes: list[Change], skip: set[tuple[str, str]], track_seen: bool
) -> int:
    applied = 0
    upserts: dict[str, list[dict[str, Any]]] = {}

    def flush() -> None:
        for name, rows in upserts.items():
            table = TABLES[name]
            if name == "slips":
                adopt_slip_numbers(conn, rows)
            stmt = sqlite_insert(table)
            pk = [c.name for c in table.primary_key.columns]
            if name in APPEND_ONLY:
                stmt = stmt.on_conflict_do_nothing(index_elements=pk)
            else:
                cols = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in pk}
                stmt = stmt.on_conflict_do_update(index_elements=pk, set_=cols)
            conn.execute(stmt, rows)
        upserts.clear()

    seen: list[dict[str, str]] = []
    for change in changes:
        table = TABLES.get(change.entity_type)
        if table is None:
            log.warning("ignoring unknown entity type %s from the server", change.entity_type)
            continue
        if track_seen:
            seen.append({"entity_type": change.entity_type, "entity_id": change.entity_id})
        if (change.entity_type, change.entity_id) in skip:
            continue
        if change.op == "delete":
            flush()
            if not delete_cascade(conn, change.entity_type, change.entity_id):
                log.warning(
                    "kept %s %s: a signed slip depends on it", change.entity_type, change.entity_id
                )
            applied += 1
            continue
        row = decode_row(table, change.data or {})
        if key_of(table, row) != change.entity_id:
            raise ValueError(f"change for {change.entity_type} {change.entity_id} has another key")
        batch = upserts.setdefault(change.entity_type, [])
        if batch and set(batch[0]) != set(row):
            flush()
            batch = upserts.setdefault(change.entity_type, [])
        batch.append(row)
        applied += 1
    flush()
    if seen:
        conn.execute(sqlite_insert(m.SnapshotSeen).on_conflict_do_nothing(), seen)
    return applied


def load_cursor(db: Database) -> tuple[int | None, str | None, bool]:
    """(cursor or None before the first full sync, snapshot token, tracking)."""
    with db.read() as session:
        row = session.get(m.SyncCursor, SCOPE)
        if row is None:
            return None, None, False
        started = row.cursor > 0 or row.snapshot is not None or row.last_sync_at is not None
        return (
            (row.cursor if started and row.snapshot is None else None),
            row.snapshot,
            row.tracking,
        )


def apply_page(
    db: Database,
    changes: list[Change],
    next_cursor: int,
    snapshot: str | None,
    snapshot_mode: bool,
    now: datetime,
    tracking: bool,
) -> int:
    """Apply one page and move the cursor in the same transaction."""
    args = (db, changes, next_cursor, snapshot, snapshot_mode, now, tracking)
    try:
        return _apply_page(*args, clean_orphans=False)
    except IntegrityError as exc:
        if "FOREIGN KEY" not in str(exc):
            raise
        # Rare: the page would leave rows whose parent left our scope. Redo it, dropping them
        # (checking every page would scan the whole database each time).
        return _apply_page(*args, clean_orphans=True)


def _apply_page(
    db: Database,
    changes: list[Change],
    next_cursor: int,
    snapshot: str | None,
    snapshot_mode: bool,
    now: datetime,
    tracking: bool,
    *,
    clean_orphans: bool,
) -> int:
    # Not fsynced: a page lost to a power cut goes with its cursor and is fetched again.
    with db.write(durable=False) as session:
        conn = session.connection()
        # Within a page children may precede parents; checked at commit.
        conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        skip = pending_keys(conn)
        applied = apply_changes(conn, changes, skip, track_seen=tracking and snapshot_mode)
        row = session.get(m.SyncCursor, SCOPE)
        if row is None:
            row = m.SyncCursor(scope=SCOPE, cursor=0)
            session.add(row)
        row.cursor = next_cursor
        row.snapshot = snapshot
        row.updated_at = now
        row.tracking = tracking
        if clean_orphans:
            _drop_orphans(conn)
        if snapshot_mode and snapshot is None and tracking:
            _drop_unseen(conn, skip)
            row.tracking = False
    return applied


def _drop_orphans(conn: Connection) -> None:
    """A row whose parent is gone (removed from our scope) would fail the page at commit and
    block every later sync; it cannot be shown without its parent, so it goes, loudly."""
    for _ in range(10):  # removing an orphan can orphan its own children
        orphans = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if not orphans:
            return
        for table, rowid, parent, _fk in orphans:
            if table in TABLES and table != "slips":
                log.warning(
                    "dropping %s row %s: its %s is no longer on this device", table, rowid, parent
                )
                conn.exec_driver_sql(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))


def _drop_unseen(conn: Connection, keep: set[tuple[str, str]]) -> None:
    """After a reset snapshot: local rows the server no longer has for us were deleted there."""
    seen = {
        (r[0], r[1])
        for r in conn.execute(select(m.SnapshotSeen.entity_type, m.SnapshotSeen.entity_id))
    }
    for model in reversed(SYNCED_MODELS):
        table = TABLES[model.__tablename__]
        for row in conn.execute(select(table)).mappings().all():
            key = key_of(table, dict(row))
            if (table.name, key) not in seen and (table.name, key) not in keep:
                delete_cascade(conn, table.name, key)
    conn.execute(delete(m.SnapshotSeen))


def start_reset(db: Database) -> None:
    """The server pruned history past our cursor: re-read everything, outbox untouched."""
    with db.write() as session:
        row = session.get(m.SyncCursor, SCOPE)
        if row is None:
            session.add(m.SyncCursor(scope=SCOPE, cursor=0, tracking=True))
        else:
            row.cursor, row.snapshot, row.tracking = 0, None, True
            row.last_sync_at = None
        session.execute(delete(m.SnapshotSeen))
