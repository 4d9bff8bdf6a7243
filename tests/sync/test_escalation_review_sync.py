"""The supervisor's answer to an escalation reaches the devices through a real sync: the next
engineer receives the previous findings, their files and the center's plan with the job; a
closed escalation closes the job on the engineer's tablet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from fieldkit.server import escalation_queue
from fieldkit.server import tables as t
from fieldkit.server.errors import ApiError
from fieldkit.server.office_escalations import OfficeEscalations, ReviewIn
from fieldkit.services import escalations
from fieldkit.store import models as m
from tests.support.flow import arrive_and_diagnose
from tests.support.server import Client, Office, Server, copy_template, make_client, start_server


@pytest.fixture
def center(server_template: Path, tmp_path: Path) -> Iterator[Server]:
    srv = start_server(copy_template(server_template, tmp_path / "server"))
    yield srv
    srv.stop()


@pytest.fixture
def engine(center: Server) -> Iterator[Engine]:
    found = center.engine()
    yield found
    found.dispose()


@pytest.fixture
def wang(center: Server, tmp_path: Path) -> Iterator[Client]:
    client = make_client(center.url, "wang", tmp_path / "wang")
    yield client
    client.close()


def _escalated_job(center: Server, wang: Client, tmp_path: Path) -> str:
    job = Office(center.url).new_job("wang")
    wang.sync()
    arrive_and_diagnose(wang.ctx, job)
    log = tmp_path / "plc.log"
    log.write_text("F17 bus fault\n" * 50)
    escalations.escalate(wang.ctx, job, "总线故障 bus fault", "F17 on rack 2", "vendor", [log])
    assert wang.sync().rejected == 0
    return job


def test_reassigned_with_the_plan_the_next_engineer_gets_findings_files_and_plan(
    center: Server, engine: Engine, wang: Client, tmp_path: Path
) -> None:
    job = _escalated_job(center, wang, tmp_path)
    desk = OfficeEscalations(engine)
    [item] = [i for i in escalation_queue.open_escalations(engine) if i.job_id == job]
    assert item.latest.category == "vendor" and item.latest.by == "wang"
    assert [f.filename for f in item.latest.files] == ["plc.log"]
    with pytest.raises(ApiError, match="analysis first"):
        desk.reassign(job, "li", ReviewIn("  ", "x"), "super")
    desk.note(job, ReviewIn("Rack 2 backplane, vendor confirms", "Wait for the part"), "super")
    desk.reassign(
        job, "li", ReviewIn("Backplane ordered <b>", "Li swaps rack 2 backplane"), "super"
    )
    assert all(i.job_id != job for i in escalation_queue.open_escalations(engine))
    reviewed = escalation_queue.escalation(engine, job)
    assert reviewed is not None
    assert [r.outcome for r in reviewed.reviews] == ["reassigned", "noted"]
    with pytest.raises(ApiError, match="no longer escalated"):
        desk.close(job, ReviewIn("again"), "super")

    li = make_client(center.url, "li", tmp_path / "li")
    try:
        assert li.sync().rejected == 0
        [seen] = escalations.escalations(li.ctx, job)
        assert seen.state == "reassigned" and seen.assigned_to == "li"
        assert (
            seen.center_plan == "Analysis: Backplane ordered <b>\nPlan: Li swaps rack 2 backplane"
        )
        assert seen.findings == "F17 on rack 2" and seen.reason.startswith("总线故障")
        [file] = seen.files
        assert file.on_device and li.ctx.blobs.read_bytes(file.sha256).startswith(b"F17")
        with li.ctx.db.read() as s:
            notes = s.scalars(
                select(m.WorkLogEntry.note).where(
                    m.WorkLogEntry.job_id == job, m.WorkLogEntry.by == "super"
                )
            ).all()
            status = s.get(m.Job, job).status  # type: ignore[union-attr]
        assert notes == ["Analysis: Backplane ordered <b>\nPlan: Li swaps rack 2 backplane"]
        assert status == "assigned"
    finally:
        li.close()
    wang.sync()
    with wang.ctx.db.read() as s:
        assert s.get(m.Job, job) is None  # no longer wang's job


def test_a_closed_escalation_closes_the_job_on_the_device(
    center: Server, engine: Engine, wang: Client, tmp_path: Path
) -> None:
    job = _escalated_job(center, wang, tmp_path)
    OfficeEscalations(engine).close(job, ReviewIn("Vendor replaced the unit", ""), "super")
    with engine.connect() as conn:
        row = conn.execute(
            select(t.ENTITY["jobs"].c.status, t.ENTITY["jobs"].c.resolution).where(
                t.ENTITY["jobs"].c.id == job
            )
        ).one()
        event = conn.execute(
            select(t.job_events.c.action, t.job_events.c.by).where(t.job_events.c.job_id == job)
        ).all()
    assert tuple(row) == ("closed", "Vendor replaced the unit")
    assert tuple(event[-1]) == ("close", "super")
    assert wang.sync().rejected == 0
    with wang.ctx.db.read() as s:
        local = s.get(m.Job, job)
        assert local is not None and local.status == "closed"
        assert local.resolution == "Vendor replaced the unit"
