"""The console's read models over a real seeded center file: the dispatch board (filters,
unassigned lane, clocks, engineer load and last contact, change counter), assignment with a
reason, severity changes that move the deadlines, the job record and the archive search."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, update

from fieldkit.server import tables as t
from fieldkit.server.archive import ArchiveQuery, search_archive
from fieldkit.server.board import BoardFilter, current_version, load_board
from fieldkit.server.database import create_server_engine, migrate
from fieldkit.server.errors import ApiError
from fieldkit.server.job_record import job_blob, load_job_record
from fieldkit.server.office import JobIn, Office
from tests.server.inproc import Center, open_center, token

E = t.ENTITY


@pytest.fixture
def center(seeded_center: Path, tmp_path: Path) -> Iterator[Center]:
    yield from open_center(seeded_center, tmp_path)


def _office(center: Center) -> Office:
    return Office(center.engine)


def _new_job(office: Office, text: str = "UPS 告警 alarm", severity: int = 2) -> str:
    site = office.sites()[0].id
    return office.create_job(JobIn(site_id=site, fault_description=text, severity=severity))


def _now() -> datetime:
    return datetime.now(UTC)


def test_the_server_migrations_build_the_tables_the_center_declares(tmp_path: Path) -> None:
    engine = create_server_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    migrate(engine)
    mine = ("last_seen_at", "job_events", "ix_jobs_", "reason", "entity_id", "entity_type")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), t.metadata)
    engine.dispose()
    assert [d for d in diff if any(name in str(d) for name in mine)] == []


def test_a_new_job_waits_in_the_unassigned_lane_until_assigned(center: Center) -> None:
    office = _office(center)
    job = _new_job(office)
    board = load_board(center.engine, BoardFilter(), _now())
    assert job in [j.id for j in board.unassigned]
    assert board.unassigned_total == 1
    assert job in [j.id for j in board.jobs]
    office.assign(job, "wang", by="office", reason="nearest engineer")
    board = load_board(center.engine, BoardFilter(), _now())
    assert job not in [j.id for j in board.unassigned]
    assert [j.assigned_engineer for j in board.jobs if j.id == job] == ["wang"]


def test_the_board_lists_only_open_jobs_and_filters_by_get_parameters(center: Center) -> None:
    office = _office(center)
    board = load_board(center.engine, BoardFilter(), _now())
    statuses = {j.status for j in board.jobs}
    assert "closed" not in statuses and len(board.jobs) == board.total == 22
    only = BoardFilter.parse({"level": "1", "engineer": "li", "status": "", "page": "x"})
    for job in load_board(center.engine, only, _now()).jobs:
        assert job.severity == 1 and job.assigned_engineer == "li"
    customer = board.jobs[0].customer_id
    by_customer = load_board(center.engine, BoardFilter.parse({"customer": customer}), _now())
    assert by_customer.jobs and {j.customer_id for j in by_customer.jobs} == {customer}
    assert BoardFilter.parse({"level": "9", "status": "closed", "type": "<x>"}) == BoardFilter()
    escalated = load_board(center.engine, BoardFilter(status="escalated"), _now())
    assert {j.status for j in escalated.jobs} == {"escalated"} and escalated.total == 2
    assert office.jobs()  # the API's view still lists every job


def test_breached_clocks_and_the_count_agree_with_the_domain_rule(center: Center) -> None:
    office = _office(center)
    job = _new_job(office, severity=1)
    later = _now() + timedelta(days=30)  # every running clock is past its deadline by then
    board = load_board(center.engine, BoardFilter(), later)
    mine = next(j for j in board.jobs if j.id == job)
    assert mine.respond.state == "breached" and mine.respond.seconds_left is not None
    assert mine.respond.seconds_left < 0 and mine.breached
    assert board.breached_total == sum(1 for j in board.jobs if j.breached)
    fresh = next(j for j in load_board(center.engine, BoardFilter(), _now()).jobs if j.id == job)
    assert fresh.respond.state == "running" and (fresh.respond.seconds_left or 0) > 0


def test_reassignment_records_who_and_why_and_the_console_requires_a_reason(
    center: Center,
) -> None:
    office = _office(center)
    job = _new_job(office)
    office.assign(job, "wang", by="office", reason="nearest")
    with pytest.raises(ApiError) as refused:
        office.assign(job, "li", by="office", reason="  ", require_reason=True)
    assert refused.value.code == "job.reason"
    office.assign(job, "li", by="office", reason="王 is ill 生病", require_reason=True)
    with center.engine.connect() as conn:
        rows = conn.execute(
            select(t.job_assignments.c.engineer, t.job_assignments.c.by, t.job_assignments.c.reason)
            .where(t.job_assignments.c.job_id == job)
            .order_by(t.job_assignments.c.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("wang", "office", "nearest"),
        ("li", "office", "王 is ill 生病"),
    ]
    record = load_job_record(center.engine, job, _now())
    assert record is not None
    actions = [(e["action"], e["detail"].get("reason")) for e in record.audit]
    assert actions == [("assign", "nearest"), ("reassign", "王 is ill 生病")]


def test_a_severity_change_recomputes_both_deadlines(center: Center) -> None:
    office = _office(center)
    job = _new_job(office, severity=3)
    before = next(j for j in load_board(center.engine, BoardFilter(), _now()).jobs if j.id == job)
    office.change_severity(job, 1, by="office", reason="customer's line is down")
    after = next(j for j in load_board(center.engine, BoardFilter(), _now()).jobs if j.id == job)
    assert after.severity == 1
    assert before.respond.deadline is not None and after.respond.deadline is not None
    assert after.respond.deadline < before.respond.deadline
    assert after.arrive.deadline is not None
    record = load_job_record(center.engine, job, _now())
    assert record is not None
    assert [e["action"] for e in record.audit] == ["severity"]
    assert record.audit[0]["detail"]["from"] == 3 and record.audit[0]["detail"]["to"] == 1


def test_a_sync_records_the_devices_contact_and_moves_the_change_counter(center: Center) -> None:
    version = current_version(center.engine)
    loads = {e.username: e for e in load_board(center.engine, BoardFilter(), _now()).engineers}
    assert loads["wang"].last_seen_at is None and loads["wang"].open_jobs == 8
    with center.client() as client:  # the running center: its contact recorder flushes
        headers = token(client, "wang")
        reply = client.get("/sync/pull", headers=headers)
        assert reply.status_code == 200, reply.text
        # A pull is a read: its contact is written off the request path, within seconds.
        deadline = time.monotonic() + 10
        seen = None
        while seen is None and time.monotonic() < deadline:
            time.sleep(0.2)
            board = load_board(center.engine, BoardFilter(), _now())
            seen = {e.username: e for e in board.engineers}["wang"].last_seen_at
    assert seen is not None and _now() - seen < timedelta(seconds=30)
    assert current_version(center.engine) != version
    version = current_version(center.engine)
    _new_job(_office(center))  # an unassigned job has no audience in the change log
    assert current_version(center.engine) != version


def test_the_job_record_shows_what_arrived_and_the_device_contact(center: Center) -> None:
    with center.engine.connect() as conn:
        job_id = conn.scalar(select(E["jobs"].c.id).where(E["jobs"].c.status == "signed"))
    record = load_job_record(center.engine, str(job_id), _now())
    assert record is not None
    assert record.job["status"] == "signed" and record.work_log
    assert record.timezone and record.engineer_name
    assert record.slips and record.slips[0].state == "valid", record.slips
    assert load_job_record(center.engine, "no-such-job", _now()) is None
    pdf = record.slips[0].row["pdf_sha256"]
    if pdf:
        assert job_blob(center.engine, str(job_id), pdf) == (
            f"{record.slips[0].row['number']}.pdf",
            "application/pdf",
        )
    assert job_blob(center.engine, str(job_id), "0" * 64) is None


def test_the_archive_finds_closed_jobs_by_each_criterion(center: Center) -> None:
    jobs = E["jobs"]
    with center.engine.begin() as conn:
        closed = conn.execute(
            select(jobs.c.id, jobs.c.number, jobs.c.customer_id, jobs.c.site_id).where(
                jobs.c.status == "closed"
            )
        ).all()
        assert len(closed) == 2
        conn.execute(
            update(jobs)
            .where(jobs.c.id == closed[0].id)
            .values(
                fault_description="硬盘 100% 满 disk_full",
                updated_at=datetime(2026, 11, 3, tzinfo=UTC),
            )
        )
        customer = conn.scalar(
            select(E["customers"].c.name).where(E["customers"].c.id == closed[0].customer_id)
        )
        site = conn.scalar(select(E["sites"].c.name).where(E["sites"].c.id == closed[0].site_id))
    every = search_archive(center.engine, ArchiveQuery())
    assert {j.id for j in every.jobs} == {c.id for c in closed} and not every.has_more
    number = search_archive(center.engine, ArchiveQuery(number=closed[0].number))
    assert [j.id for j in number.jobs] == [closed[0].id]
    assert [j.id for j in search_archive(center.engine, ArchiveQuery(text="100%")).jobs] == [
        closed[0].id
    ]
    assert search_archive(center.engine, ArchiveQuery(text="disk%full")).jobs == []  # literal %
    by_customer = search_archive(center.engine, ArchiveQuery(customer=str(customer)[:4]))
    assert closed[0].id in [j.id for j in by_customer.jobs]
    assert closed[0].id in [
        j.id for j in search_archive(center.engine, ArchiveQuery(site=site)).jobs
    ]
    november = ArchiveQuery.parse({"from": "2026-11-01", "to": "2026-11-03"})
    assert [j.id for j in search_archive(center.engine, november).jobs] == [closed[0].id]
    assert ArchiveQuery.parse({"from": "not a date", "page": "-1"}) == ArchiveQuery()
