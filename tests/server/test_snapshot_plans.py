"""Snapshot pages cost O(page), not O(scope): for every synced table the database's own plan
of a continuation page reads the page in index order and sorts nothing bigger than a page
(SQLite: no ``USE TEMP B-TREE FOR ORDER BY``; PostgreSQL: no Sort node over more rows than
the page), on a seeded center where each engineer has a share of it. Small pages over the
same center return exactly each engineer's scope, every row once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Select, select

from fieldkit.demo.generator import DemoSize, build_demo, write_rows
from fieldkit.protocol.entities import GLOBAL_TABLES, key_of
from fieldkit.server import tables as t
from fieldkit.server.changes import TABLE_ORDER, pull_snapshot
from fieldkit.server.database import create_server_engine, migrate
from fieldkit.server.scope import scope_clause
from fieldkit.server.snapshot import Position, page_statements, walk_order
from fieldkit.store.blobs import BlobStore
from tests.support.postgres import Postgres, start_postgres

PAGE = 100  # rows per page in these plans (the app asks for 2000)
ENGINEERS = tuple(f"eng{i}" for i in range(10))
ME = "eng3"
CENTER_PG_PLANNER = ("random_page_cost = 1.1", "effective_cache_size = '4GB'")


def seeded(url: str, folder: Path, jobs: int) -> Engine:
    engine = create_server_engine(url)
    migrate(engine)
    rows, _ = build_demo(
        BlobStore(folder / "blobs"),
        DemoSize(jobs=jobs, devices_per_site=30),
        engineers=ENGINEERS,
    )
    with engine.begin() as conn:
        write_rows(conn, rows, lambda model: t.ENTITY[model.__tablename__])
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return engine


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    pg = start_postgres()
    yield pg
    pg.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def center(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    folder = tmp_path_factory.mktemp("snapshot-center")
    if request.param == "sqlite":
        engine = seeded(f"sqlite:///{folder / 'center.db'}", folder, 2000)
    else:
        pg: Postgres = request.getfixturevalue("postgres")
        engine = seeded(pg.url(pg.create_database()), folder, 2000)
    yield engine
    engine.dispose()


def continuation(engine: Engine, table: str) -> list[Select[Any]]:
    """The queries of the page after the engineer's first row of ``table``."""
    order = walk_order(table)
    with engine.connect() as conn:
        first = conn.execute(page_statements(table, ME, None)[0].limit(1)).mappings().first()
    position: Position = (
        tuple(first[c.name] for c in order)
        if first is not None
        else tuple(0 if c.type.python_type is int else "0" for c in order)
    )
    return page_statements(table, ME, position)


def plan_sorts(engine: Engine, table: str, stmt: Select[Any]) -> list[str]:
    """What the plan of ``stmt`` (one page) sorts beyond the page, as readable lines."""
    sql = str(stmt.limit(PAGE).compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            plan = [r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
            return [line for line in plan if "TEMP B-TREE FOR ORDER BY" in line]
        for setting in CENTER_PG_PLANNER:  # installer/README.md: the center's PostgreSQL
            conn.exec_driver_sql(f"SET {setting}")
        (doc,) = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + sql).scalar_one()
    found: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        # An Incremental Sort has its input in parent order already and sorts one parent's
        # rows at a time: bounded by the page and one parent, not by the scope.
        # Sorting the engineer's parent ids (the IN list) is not sorting the table's scope.
        keys = node.get("Sort Key", [])
        own = any(k.startswith(f"{table}.") or "." not in k for k in keys)
        if node["Node Type"] == "Sort" and own and node["Plan Rows"] > PAGE:
            found.append(
                json.dumps({k: node.get(k) for k in ("Node Type", "Sort Key", "Plan Rows")})
            )
        for child in node.get("Plans", []):
            walk(child)

    walk(doc["Plan"])
    return found


def test_the_seeded_center_gives_each_engineer_a_share(center: Engine) -> None:
    with center.connect() as conn:
        for table in ("jobs", "devices", "device_parameters", "checklist_run_items"):
            everyone = len(conn.execute(select(t.ENTITY[table])).all())
            mine = len(conn.execute(select(t.ENTITY[table]).where(scope_clause(table, ME))).all())
            assert PAGE < mine < everyone / 3, (table, mine, everyone)


@pytest.mark.parametrize("table", TABLE_ORDER)
def test_a_continuation_page_sorts_no_more_than_the_page(center: Engine, table: str) -> None:
    statements = continuation(center, table)
    assert statements
    for stmt in statements:
        assert plan_sorts(center, table, stmt) == [], table


def test_small_pages_return_exactly_the_scope(center: Engine) -> None:
    with center.connect() as conn:
        for engineer in (ME, "eng7"):
            got: list[tuple[str, str]] = []
            token: str | None = None
            while True:
                changes, token, _ = pull_snapshot(conn, engineer, token, 37)
                got += [(c.entity_type, c.entity_id) for c in changes]
                if token is None:
                    break
            want = [
                (name, key_of(t.ENTITY[name], dict(row)))
                for name in TABLE_ORDER
                for row in conn.execute(
                    select(t.ENTITY[name]).where(scope_clause(name, engineer))
                ).mappings()
            ]
            assert len(got) == len(set(got))
            assert sorted(got) == sorted(want)
            assert {name for name, _ in got} - set(GLOBAL_TABLES) >= {"jobs", "devices"}
