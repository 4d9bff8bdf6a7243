"""The change log: per-engineer, monotonic, paged; snapshots for first sync and resets.

PostgreSQL hands out sequence numbers at insert time but rows become visible at commit, so
a reader could see seq 11 before seq 10 commits and move its cursor past 10 forever. Every
transaction that writes to the log therefore takes one advisory lock *before* drawing its
first number and holds it until commit: log order is commit order. (SQLite has one writer.)
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, bindparam, delete, func, insert, select, text, update
from sqlalchemy.engine import Connection, Engine

from fieldkit.protocol.entities import (
    SYNCED_MODELS,
    encode_row,
    key_of,
    wire_data,
)
from fieldkit.protocol.wire import Change, PullResponse
from fieldkit.server import snapshot as snapshots
from fieldkit.server import tables as t
from fieldkit.server.errors import ApiError
from fieldkit.server.prepared import key_params, row_by_key

CHANGE_LOG_LOCK = 7_733_002
SNAPSHOT_TOKEN = re.compile(r"\d+\|\d+\|[\w:.-]*")
TABLE_ORDER = [model.__tablename__ for model in SYNCED_MODELS]


def read_row(conn: Connection, table: str, key: str) -> dict[str, Any] | None:
    row = conn.execute(row_by_key(table), key_params(table, key)).mappings().first()
    return dict(row) if row is not None else None


class ChangeWriter:
    """Collects changes during a transaction and writes them to the log at :meth:`flush`."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn = conn
        self.now = now
        self._pending: dict[tuple[str, str, str], str] = {}  # (table, key, engineer) -> op

    def upsert(self, table: str, key: str, audience: set[str]) -> None:
        for engineer in audience:
            self._pending[(table, key, engineer)] = "upsert"

    def delete(self, table: str, key: str, audience: set[str]) -> None:
        for engineer in audience:
            self._pending[(table, key, engineer)] = "delete"

    def absorb(self, other: ChangeWriter) -> None:
        """Take over ``other``'s pending changes (its savepoint committed); its ops win."""
        self._pending.update(other._pending)
        other._pending.clear()

    def flush(self) -> int:
        if not self._pending:
            return 0
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHANGE_LOG_LOCK})
        batch = secrets.randbits(62)
        snapshots: dict[tuple[str, str], dict[str, Any] | None] = {}
        rows = []
        # Parents before children so a page applies cleanly; deletes children first.
        ordered = sorted(
            self._pending.items(),
            key=lambda kv: (
                kv[1] == "delete",
                TABLE_ORDER.index(kv[0][0]) * (-1 if kv[1] == "delete" else 1),
            ),
        )
        for (table, key, engineer), op in ordered:
            data = None
            if op == "upsert":
                if (table, key) not in snapshots:
                    row = read_row(self.conn, table, key)
                    snapshots[(table, key)] = encode_row(t.ENTITY[table], row) if row else None
                data = snapshots[(table, key)]
                if data is None:
                    continue  # deleted later in the same transaction
            rows.append(
                {
                    "batch": batch,
                    "engineer": engineer,
                    "entity_type": table,
                    "entity_id": key,
                    "op": op,
                    "data": data,
                    "at": self.now,
                }
            )
        if rows:
            self.conn.execute(insert(t.change_log), rows)
        self._pending.clear()
        return len(rows)


_PRUNED = select(t.server_state.c.value).where(t.server_state.c.key == "pruned_through")
_CL = t.change_log.c
_LOG_PAGE = (
    select(_CL.seq, _CL.batch, _CL.entity_type, _CL.entity_id, _CL.op, _CL.data)
    .where(_CL.engineer == bindparam("engineer"), _CL.seq > bindparam("cursor"))
    .order_by(_CL.seq)
    .limit(bindparam("limit", type_=Integer))
)


def pruned_through(conn: Connection) -> int:
    """Highest seq removed from the log; a cursor behind it has missed changes for good."""
    return conn.scalar(_PRUNED) or 0


def max_seq(conn: Connection) -> int:
    """Newest seq ever written: pruning may empty the log but never moves this back."""
    newest = conn.scalar(select(t.change_log.c.seq).order_by(t.change_log.c.seq.desc()).limit(1))
    return max(newest or 0, pruned_through(conn))


def pull_log(
    conn: Connection, engineer: str, cursor: int, limit: int
) -> tuple[list[Change], int, bool]:
    cl = t.change_log
    rows = conn.execute(
        _LOG_PAGE, {"engineer": engineer, "cursor": cursor, "limit": limit + 1}
    ).all()
    has_more = len(rows) > limit
    rows = list(rows[:limit])
    if has_more and rows:
        # Never split one writer's transaction across pages: its rows apply together.
        rest = conn.execute(
            select(cl.c.seq, cl.c.batch, cl.c.entity_type, cl.c.entity_id, cl.c.op, cl.c.data)
            .where(cl.c.engineer == engineer, cl.c.batch == rows[-1].batch, cl.c.seq > rows[-1].seq)
            .order_by(cl.c.seq)
        ).all()
        rows.extend(rest)
        has_more = (
            conn.scalar(
                select(cl.c.seq).where(cl.c.engineer == engineer, cl.c.seq > rows[-1].seq).limit(1)
            )
            is not None
        )
    changes = [
        Change(
            seq=r.seq,
            entity_type=r.entity_type,
            entity_id=r.entity_id,
            op=r.op,
            data=wire_data(r.entity_type, r.data),
        )
        for r in rows
    ]
    return changes, (rows[-1].seq if rows else cursor), has_more


def pull_snapshot(
    conn: Connection, engineer: str, token: str | None, limit: int
) -> tuple[list[Change], str | None, int]:
    """One page of the engineer's whole scope. Returns (changes, next token, high water).

    The high-water mark is read first: everything committed up to it is in the snapshot,
    and the log continues from it afterwards (rows seen twice are idempotent upserts).
    """
    if token:
        hw_text, idx_text, position = token.split("|", 2)
        high_water, index = int(hw_text), int(idx_text)
    else:
        high_water, index, position = max_seq(conn), 0, ""
    changes: list[Change] = []
    while index < len(TABLE_ORDER) and len(changes) < limit:
        name = TABLE_ORDER[index]
        tbl = t.ENTITY[name]
        for stmt in snapshots.page_statements(
            name, engineer, snapshots.parse_position(name, position)
        ):
            rows = conn.execute(stmt.limit(limit - len(changes))).mappings().all()
            for row in rows:
                changes.append(
                    Change(
                        seq=0,
                        entity_type=name,
                        entity_id=key_of(tbl, dict(row)),
                        op="upsert",
                        data=encode_row(tbl, dict(row)),
                    )
                )
            if rows:
                position = snapshots.position_of(name, dict(rows[-1]))
            if len(changes) >= limit:
                break
        if len(changes) < limit:
            index, position = index + 1, ""
    done = index >= len(TABLE_ORDER)
    return changes, (None if done else f"{high_water}|{index}|{position}"), high_water


def pull(
    engine: Engine,
    engineer: str,
    cursor: int | None,
    snapshot: str | None,
    limit: int,
    now: datetime,
) -> PullResponse:
    """One page for an engineer: of the whole scope while there is no cursor or a snapshot
    is being paged, else of the log after ``cursor``; a cursor behind the pruned part of the
    log asks the device to start over (``reset_required``)."""
    bad_token = ApiError(400, "sync.snapshot", "Malformed snapshot token; start a full sync")
    if snapshot is not None and not SNAPSHOT_TOKEN.fullmatch(snapshot):
        raise bad_token
    with engine.connect() as conn:
        if cursor is None or snapshot is not None:
            try:
                changes, token, high_water = pull_snapshot(conn, engineer, snapshot, limit)
            except (ValueError, KeyError, IndexError, TypeError):
                raise bad_token from None
            return PullResponse(
                changes=changes,
                next_cursor=high_water,
                snapshot=token,
                has_more=token is not None or max_seq(conn) > high_water,
                server_time=now.isoformat(),
            )
        if cursor < pruned_through(conn):
            return PullResponse(
                changes=[],
                next_cursor=cursor,
                has_more=False,
                reset_required=True,
                server_time=now.isoformat(),
            )
        changes, next_cursor, more = pull_log(conn, engineer, cursor, limit)
    return PullResponse(
        changes=changes, next_cursor=next_cursor, has_more=more, server_time=now.isoformat()
    )


def prune(conn: Connection, older_than: timedelta, now: datetime) -> int:
    """Drop log rows older than ``older_than``; returns the seq the log is now pruned
    through (never lower than before). Devices whose cursor is behind it get
    ``reset_required`` and take a fresh snapshot."""
    horizon = now - older_than
    below = (
        conn.scalar(select(func.max(t.change_log.c.seq)).where(t.change_log.c.at < horizon)) or 0
    )
    conn.execute(delete(t.change_log).where(t.change_log.c.seq <= below))
    state = t.server_state
    current = conn.scalar(select(state.c.value).where(state.c.key == "pruned_through"))
    if current is None:
        conn.execute(insert(state).values(key="pruned_through", value=below))
    elif below > current:
        conn.execute(update(state).where(state.c.key == "pruned_through").values(value=below))
    return int(max(below, current or 0))
