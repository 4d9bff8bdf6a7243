"""An engineer's first sync costs their share of the center, not the whole of it: on a center
where each engineer's jobs are spread over ten sites (many jobs a site), with the database's
statistics gathered (ANALYZE), no first-page plan of the snapshot reads a per-engineer table
whole. PostgreSQL once estimated ``site_id IN (SELECT site_id FROM jobs WHERE ...)`` at one
site per job and answered with sequential scans of devices, subsystems, documents,
checklist runs and signatures; SQLite is held to the same rule."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from fieldkit.demo.generator import DemoSize, build_demo, write_rows
from fieldkit.protocol.entities import GLOBAL_TABLES
from fieldkit.server import tables as t
from fieldkit.server.changes import TABLE_ORDER
from fieldkit.server.database import create_server_engine, migrate
from fieldkit.server.scope import scope_clause
from fieldkit.server.snapshot import page_statements
from fieldkit.store.blobs import BlobStore
from tests.support.postgres import Postgres, start_postgres

ENGINEERS = tuple(f"eng{i:02d}" for i in range(30))
JOBS_EACH, SITES_EACH = 60, 10
ME = "eng07"
PAGE = 2000  # what the app asks for
WHOLE = 1000  # a table this size read whole costs more than the page it gives
CENTER_PG_PLANNER = ("random_page_cost = 1.1", "effective_cache_size = '4GB'")
PER_ENGINEER = [name for name in TABLE_ORDER if name not in GLOBAL_TABLES]


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    pg = start_postgres()
    yield pg
    pg.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def center(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    folder = tmp_path_factory.mktemp("first-page-center")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'center.db'}"
    else:
        pg: Postgres = request.getfixturevalue("postgres")
        url = pg.url(pg.create_database())
    engine = create_server_engine(url)
    migrate(engine)
    rows, _ = build_demo(
        BlobStore(folder / "blobs"),
        DemoSize(
            jobs=len(ENGINEERS) * JOBS_EACH,
            sites=len(ENGINEERS) * SITES_EACH,
            devices_per_site=10,
        ),
        engineers=ENGINEERS,
    )
    with engine.begin() as conn:
        write_rows(conn, rows, lambda model: t.ENTITY[model.__tablename__])
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    yield engine
    engine.dispose()


def sizes(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: int(conn.scalar(select(func.count()).select_from(t.ENTITY[name])) or 0)
            for name in PER_ENGINEER
        }


def whole_reads(engine: Engine, stmt: Any, big: set[str]) -> list[str]:
    """The plan's full reads of tables in ``big``, as readable lines."""
    sql = str(stmt.limit(PAGE).compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            plan = [str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
            # "SCAN t" (with or without an index) reads all of t; "SEARCH t" a range of it.
            return [
                line
                for line in plan
                if line.split(" ")[:1] == ["SCAN"] and line.split(" ")[1] in big
            ]
        for setting in CENTER_PG_PLANNER:  # installer/README.md: the center's PostgreSQL
            conn.exec_driver_sql(f"SET {setting}")
        (doc,) = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + sql).scalar_one()
    found: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in big:
            found.append(f"Seq Scan on {node['Relation Name']} (est. {node['Plan Rows']} rows)")
        for child in node.get("Plans", []):
            walk(child)

    walk(doc["Plan"])
    return found


def test_the_center_spreads_each_engineer_over_ten_sites(center: Engine) -> None:
    with center.connect() as conn:
        jobs = t.ENTITY["jobs"]
        sites = conn.scalar(
            select(func.count(jobs.c.site_id.distinct())).where(jobs.c.assigned_engineer == ME)
        )
        mine = conn.scalar(
            select(func.count()).select_from(t.ENTITY["devices"]).where(scope_clause("devices", ME))
        )
    assert sites == SITES_EACH
    assert (mine or 0) * 10 < sizes(center)["devices"]


def test_no_first_page_reads_a_per_engineer_table_whole(center: Engine) -> None:
    counts = sizes(center)
    big = {name for name, n in counts.items() if n >= WHOLE}
    assert {"devices", "device_parameters", "checklist_runs", "subsystems"} <= big
    found = {
        name: lines
        for name in PER_ENGINEER
        if (lines := whole_reads(center, page_statements(name, ME, None)[0], big))
    }
    assert found == {}
