"""An escalation reaches the center with its category and files, through a real sync: the
files go up as blobs before the change that references them, the center checks the same
rules, and the re-assignment comes back to the device."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from fieldkit.domain.enums import EscalationCategory
from fieldkit.domain.errors import GuardFailed
from fieldkit.server import tables as t
from fieldkit.services import escalations
from fieldkit.services.transaction import transaction
from fieldkit.store import models as m
from tests.support.flow import arrive_and_diagnose
from tests.support.server import Client, Office, Server, copy_template, make_client, start_server
from tests.sync.test_protocol import next_seq, push


@pytest.fixture
def center(server_template: Path, tmp_path: Path) -> Iterator[Server]:
    srv = start_server(copy_template(server_template, tmp_path / "server"))
    yield srv
    srv.stop()


@pytest.fixture
def wang(center: Server, tmp_path: Path) -> Iterator[Client]:
    client = make_client(center.url, "wang", tmp_path / "wang")
    yield client
    client.close()


def test_escalation_travels_with_category_and_files_and_comes_back_reassigned(
    center: Server, wang: Client, tmp_path: Path
) -> None:
    office = Office(center.url)
    job = office.new_job("wang")
    wang.sync()
    arrive_and_diagnose(wang.ctx, job)
    log = tmp_path / "controller.log"
    log.write_text("E42 mainboard watchdog reset\n" * 200)
    photo = tmp_path / "board.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"jpeg" * 500)
    with pytest.raises(GuardFailed, match="Choose what the center needs"):
        escalations.escalate(wang.ctx, job, "主板损坏", "E42", "urgent", [log])
    escalations.escalate(
        wang.ctx, job, "主板损坏 mainboard dead", "E42 watchdog; vendor RMA", "vendor", [log, photo]
    )
    [view] = escalations.escalations(wang.ctx, job)
    assert view.state == "not_sent" and view.category is EscalationCategory.VENDOR
    assert sorted(f.filename for f in view.files) == ["board.jpg", "controller.log"]

    report = wang.sync()
    assert report.rejected == 0 and report.uploaded_blobs == 2
    [view] = escalations.escalations(wang.ctx, job)
    assert view.state == "waiting"
    queue = office.call("GET", "/dispatch/escalations")
    mine = [e for e in queue if e["id"] == job]
    assert mine[0]["category"] == "vendor" and "mainboard" in mine[0]["reason"]
    with center.engine().connect() as conn:
        files = conn.execute(
            select(t.ENTITY["attachments"]).where(t.ENTITY["attachments"].c.job_id == job)
        ).mappings()
        sizes = {f["filename"]: (f["size_bytes"], f["kind"]) for f in files}
    assert sizes == {
        "controller.log": (log.stat().st_size, "escalation"),
        "board.jpg": (photo.stat().st_size, "escalation"),
    }

    office.assign(job, "li")
    li = make_client(center.url, "li", tmp_path / "li")
    try:
        li.sync()
        [seen] = escalations.escalations(li.ctx, job)
        assert seen.state == "reassigned" and seen.assigned_to == "li" and seen.by == "wang"
        assert seen.category is EscalationCategory.VENDOR
        assert all(f.on_device for f in seen.files)  # the new engineer has the logs too
        li_log = next(f for f in seen.files if f.filename == "controller.log")
        assert li.ctx.blobs.read_bytes(li_log.sha256) == log.read_bytes()
    finally:
        li.close()


def test_the_center_refuses_an_escalation_the_app_would_refuse(
    center: Server, wang: Client
) -> None:
    office = Office(center.url)
    job = office.new_job("wang")
    wang.sync()
    arrive_and_diagnose(wang.ctx, job)
    with wang.ctx.db.read() as s:
        version = s.get(m.Job, job).version  # type: ignore[union-attr]
    base = {"at": "2026-12-01T08:00:00+00:00", "reason": "x", "findings": "y"}
    forged = [
        {**base, "escalation_id": "e1", "category": "urgent", "attachments": []},
        {**base, "escalation_id": "e2", "category": "vendor", "findings": "  "},
    ]
    with transaction(wang.ctx) as tx:
        for args in forged:
            tx.emit_stored("job.escalate.v1", job, version, args)
    report = wang.sync()
    assert report.rejected == 2
    reasons = " | ".join(report.rejections)
    assert "Choose what the center needs" in reasons
    assert "what the center needs to know" in reasons
    # A file that was never uploaded, and a device that does not even list it among the
    # blobs the change needs: the center derives the list from the change and applies nothing.
    ghost = {"id": "a1", "filename": "x.log", "sha256": "0" * 64, "size": 1}
    sent = push(
        center,
        wang,
        [
            {
                "mutation_id": m.new_id(),
                "device_id": wang.ctx.device_id,
                "seq": next_seq(wang),
                "name": "job.escalate.v1",
                "entity_type": "job",
                "entity_id": job,
                "base_version": version,
                "created_at": base["at"],
                "blob_refs": [],
                "args": {
                    **base,
                    "escalation_id": "e3",
                    "category": "vendor",
                    "attachments": [ghost],
                },
            }
        ],
    ).json()
    assert sent["results"] == [] and sent["stopped"] == "blob_missing"
    with center.engine().connect() as conn:
        assert (
            conn.scalar(select(t.ENTITY["jobs"].c.status).where(t.ENTITY["jobs"].c.id == job))
            == "diagnosing"
        )
