"""Statements built once, executed with parameters: the hot queries of a steady sync.

Building a SQLAlchemy statement (``select(...).where(col == value)``) and generating its
cache key costs about three times what executing it costs on SQLite; a push and a pull run
some twenty of them. A statement built here once, with ``bindparam`` placeholders, skips
that work: the compiled form comes from the engine's cache and only the values travel."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Select, Table, bindparam, select

from fieldkit.server import tables as t


@functools.cache
def row_by_key(table: str) -> Select[Any]:
    """The whole row of ``table`` (an entity table) by its primary key: parameters ``k0``,
    ``k1``, ... (see :func:`key_params`)."""
    tbl: Table = t.ENTITY[table]
    cols = list(tbl.primary_key.columns)
    return select(tbl).where(*(c == bindparam(f"k{i}") for i, c in enumerate(cols)))


def key_params(table: str, key: str) -> dict[str, Any]:
    """The parameters of :func:`row_by_key` for a wire key (composite keys joined with ':')."""
    cols = list(t.ENTITY[table].primary_key.columns)
    parts = key.split(":") if len(cols) > 1 else [key]
    return {
        f"k{i}": int(p) if c.type.python_type is int else p
        for i, (c, p) in enumerate(zip(cols, parts, strict=True))
    }
