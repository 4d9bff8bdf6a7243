"""The snapshot's walk through one table: pages in index order, so a page costs what it
returns, not the engineer's whole scope.

A table whose rows are in scope by a parent column (``site_id IN the engineer's sites``) is
walked in (parent, primary key) order, one in-scope parent after the other, over the index on
(parent, id) (server migration s0009_center_load). A continuation page is at most two index
range reads: the rest of the parent it stopped in, then the next parents. Nothing is sorted
beyond the page: the test in tests/server/test_snapshot_plans.py reads the database's plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Select, Table, select, tuple_

from fieldkit.protocol.entities import GLOBAL_TABLES
from fieldkit.server import tables as t
from fieldkit.server.scope import in_scope, scope_clause, scope_walk

Position = tuple[Any, ...]


def _plain(table: str) -> bool:
    """Walked by primary key under a plain filter (global tables; jobs by engineer)."""
    return table in GLOBAL_TABLES or table == "jobs"


def walk_order(table: str, engineer: str = "") -> list[Column[Any]]:
    """The columns a table's snapshot is ordered by (an index holds them in this order)."""
    tbl = t.ENTITY[table]
    pk = list(tbl.primary_key.columns)
    if _plain(table):
        return pk
    parent, _ = scope_walk(table, engineer)
    return [parent, *(c for c in pk if c.name != parent.name)]


def position_of(table: str, row: dict[str, Any]) -> str:
    return ":".join(str(row[c.name]) for c in walk_order(table))


def parse_position(table: str, text: str) -> Position | None:
    """A position from a page token; None starts the table over (a token from before the
    walk order changed - a bare primary key - as rows seen twice are idempotent upserts).
    Raises ValueError for a token no center wrote."""
    if not text:
        return None
    order = walk_order(table)
    parts = text.split(":")
    if len(parts) != len(order):
        if len(parts) == len(t.ENTITY[table].primary_key.columns):
            return None
        raise ValueError(f"malformed snapshot position for {table}")
    return tuple(
        int(p) if c.type.python_type is int else p for c, p in zip(order, parts, strict=True)
    )


def _after(columns: Sequence[Column[Any]], values: Sequence[Any]) -> Any:
    if len(columns) == 1:
        return columns[0] > values[0]
    return tuple_(*columns) > tuple_(*values)


def page_statements(table: str, engineer: str, after: Position | None) -> list[Select[Any]]:
    """The queries of one page of ``table`` after ``after``, in order (limit them; run the
    next only while the page has room)."""
    tbl: Table = t.ENTITY[table]
    order = walk_order(table, engineer)
    if _plain(table):
        stmt = select(tbl).where(scope_clause(table, engineer)).order_by(*order)
        return [stmt.where(_after(order, after)) if after else stmt]
    parent, values = scope_walk(table, engineer)
    rest = order[1:]
    if after is None:
        return [select(tbl).where(in_scope(parent, values)).order_by(*order)]
    statements = []
    if rest:  # the rest of the parent the last page stopped in (if still in scope)
        statements.append(
            select(tbl)
            .where(parent == after[0], in_scope(parent, values), _after(rest, after[1:]))
            .order_by(*rest)
        )
    # The range on the parent twice: inside the IN list (SQLite seeks each later parent)
    # and outside it (PostgreSQL starts its index scan there).
    later = values.subquery()
    statements.append(
        select(tbl)
        .where(parent > after[0], in_scope(parent, select(later.c[0]).where(later.c[0] > after[0])))
        .order_by(*order)
    )
    return statements
