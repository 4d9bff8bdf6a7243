"""The console's read models on PostgreSQL (the deployment database): the board's order,
counts and filters, a re-assignment with its reason in the job record, the archive search."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from fieldkit.server import tables as t
from fieldkit.server.archive import ArchiveQuery, search_archive
from fieldkit.server.board import BoardFilter, current_version, load_board
from fieldkit.server.database import create_server_engine
from fieldkit.server.job_record import load_job_record
from fieldkit.server.office import JobIn, Office
from tests.support.postgres import start_postgres
from tests.support.server import seed

E = t.ENTITY


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    pg = start_postgres()
    try:
        url = pg.url(pg.create_database())
        seed(Path(tempfile.mkdtemp(prefix="console-pg-")), db=url)
        eng = create_server_engine(url)
        yield eng
        eng.dispose()
    finally:
        pg.stop()


def test_board_record_and_archive_on_postgresql(engine: Engine) -> None:
    now = datetime.now(UTC)
    board = load_board(engine, BoardFilter(), now)
    assert board.total == len(board.jobs) == 22 and board.unassigned_total == 0
    assert board.breached_total == sum(1 for j in board.jobs if j.breached)
    deadlines = [j.respond.deadline for j in board.jobs]
    dated = [d for d in deadlines if d is not None]
    assert dated == sorted(dated) and deadlines[: len(dated)] == dated  # none-dated last
    office = Office(engine)
    site = office.sites()[0].id
    version = current_version(engine)
    job = office.create_job(JobIn(site_id=site, fault_description="UPS 告警", severity=2))
    assert current_version(engine) != version
    lane = load_board(engine, BoardFilter(engineer="-"), now)
    assert [j.id for j in lane.unassigned] == [job] and lane.total == 1
    office.assign(job, "wang", by="office")
    office.assign(job, "li", by="office", reason="王 is ill", require_reason=True)
    office.change_severity(job, 1, by="office", reason="hospital")
    record = load_job_record(engine, job, now)
    assert record is not None
    assert [e["action"] for e in record.audit] == ["assign", "reassign", "severity"]
    li = load_board(engine, BoardFilter(engineer="li", level=1), now)
    assert job in [j.id for j in li.jobs] and all(j.severity == 1 for j in li.jobs)
    with engine.connect() as conn:
        closed = conn.scalar(select(E["jobs"].c.number).where(E["jobs"].c.status == "closed"))
    found = search_archive(engine, ArchiveQuery(number=str(closed)[-6:]))
    assert [j.number for j in found.jobs] == [closed]
    assert len(search_archive(engine, ArchiveQuery()).jobs) == 2
    assert search_archive(engine, ArchiveQuery(text="100%_no_such")).jobs == []
