"""The office's side: intake, grading, dispatch, escalation queue, reference data."""

from __future__ import annotations

from sqlalchemy import select

from fieldkit.services import jobs
from fieldkit.store import models as m
from tests.support.server import Client, Office, Server


def test_hotline_to_job_to_escalation_to_reassignment(
    server: Server, office: Office, wang: Client, li: Client
) -> None:
    report = office.call(
        "POST",
        "/dispatch/reports",
        json={
            "kind": "fault_report",
            "text": "3楼门禁全部失灵 all doors on floor 3 dead",
            "caller": "物业 张先生",
        },
    )["id"]
    office.call("POST", f"/dispatch/reports/{report}/grade", json={"severity": 1})
    assert office.call("GET", "/dispatch/reports")[0]["severity"] == 1
    job = office.call(
        "POST",
        "/dispatch/jobs",
        json={
            "site_id": office.any_site(),
            "fault_description": "3楼门禁全部失灵",
            "severity": 1,
            "engineer": "wang",
            "report_id": report,
        },
    )["id"]
    assert office.call("GET", "/dispatch/reports")[0]["job_id"] == job
    wang.sync()
    jobs.accept_job(wang.ctx, job)
    jobs.depart(wang.ctx, job)
    jobs.record_arrival(wang.ctx, job, "张先生")
    jobs.start_diagnosis(wang.ctx, job)
    jobs.escalate(
        wang.ctx,
        job,
        "控制器主板损坏，需要厂家 mainboard dead, vendor needed",
        "日志与照片 logs and photos",
    )
    wang.sync()
    queue = office.call("GET", "/dispatch/escalations")
    mine = [e for e in queue if e["id"] == job]
    assert len(mine) == 1 and "vendor" in mine[0]["reason"] and mine[0]["severity"] == 1
    assert queue[0]["severity"] == 1  # most severe first
    office.assign(job, "li")
    li.sync()
    with li.ctx.db.read() as s:
        esc = s.scalars(select(m.Escalation).where(m.Escalation.job_id == job)).one()
        assert esc.findings == "日志与照片 logs and photos"  # what wang brought back
        assert s.get(m.Job, job).status == "assigned"  # type: ignore[union-attr]


def test_reference_data_edits_reach_only_engineers_of_that_site(
    server: Server, office: Office, wang: Client, li: Client
) -> None:
    wang.sync()
    li.sync()
    with wang.ctx.db.read() as s:
        site = s.scalars(select(m.Site)).first()
        assert site is not None
        body = {
            c: getattr(site, c)
            for c in (
                "id",
                "customer_id",
                "contract_id",
                "name",
                "address",
                "installed_by_us",
                "software_media_notes",
                "version",
            )
        }
    with li.ctx.db.read() as s:
        li_has_site = s.get(m.Site, body["id"]) is not None
    body["software_media_notes"] = "新版软件在 U30 光盘 new media in rack U30"
    office.call("PUT", f"/dispatch/entities/sites/{body['id']}", json=body)
    price = {
        "id": "new-part",
        "part_no": "RLY-12V",
        "name": "12V 继电器",
        "name_en": "12 V relay",
        "unit": "pc",
        "unit_price": "35.50",
        "currency": "CNY",
        "tax_rate": "0.13",
        "active": True,
        "version": 1,
    }
    office.call("PUT", "/dispatch/entities/parts/new-part", json=price)
    wang.sync()
    li.sync()
    with wang.ctx.db.read() as s:
        assert "U30" in s.get(m.Site, body["id"]).software_media_notes  # type: ignore[union-attr]
        assert str(s.get(m.Part, "new-part").unit_price) == "35.50"  # type: ignore[union-attr]
    with li.ctx.db.read() as s:
        assert s.get(m.Part, "new-part") is not None  # the price list goes to everyone
        site_row = s.get(m.Site, body["id"])
        assert (site_row is not None) == li_has_site
        if site_row is not None:
            assert "U30" in site_row.software_media_notes
    bad = office.http.put(f"{server.url}/dispatch/entities/jobs/x", json={"id": "x"}, timeout=10)
    assert bad.status_code == 422 and bad.json()["code"] == "entity.table"


def test_dispatch_subcommands(server: Server, office: Office, wang: Client) -> None:
    report = server.admin("report", "fault_report", "机房空调告警 CRAC alarm", "--severity", "1")
    assert report.returncode == 0, report.stderr
    site = office.any_site()
    made = server.admin(
        "create-job",
        "--site",
        site,
        "--fault",
        "机房温度过高",
        "--severity",
        "1",
        "--engineer",
        "wang",
        "--report",
        report.stdout.strip(),
    )
    assert made.returncode == 0, made.stderr
    job = made.stdout.strip()
    wang.sync()
    with wang.ctx.db.read() as s:
        assert s.get(m.Job, job) is not None
    moved = server.admin("assign", job, "li")
    assert moved.returncode == 0 and "-> li" in moved.stdout
    refused = server.admin("assign", job, "nobody")
    assert refused.returncode == 2 and "not an active engineer" in refused.stderr
    assert server.admin("escalations").returncode == 0


def test_cancelled_sync_stops_cleanly_and_resumes(server: Server, wang: Client) -> None:
    import threading

    from fieldkit.sync import session
    from fieldkit.sync.engine import SyncEngine
    from fieldkit.sync.errors import Cancelled

    cancel = threading.Event()

    def stop_after_first_page(progress: object) -> None:
        if getattr(progress, "phase", "") == "pull":
            cancel.set()

    with session.connect(wang.ctx) as transport:
        engine = SyncEngine(wang.ctx, transport, stop_after_first_page, cancel)
        try:
            engine.run()
            raised = False
        except Cancelled:
            raised = True
    assert raised  # the engine stops at its next check, between requests
    assert wang.ctx.db.integrity_check() == "ok"
    missing_before = SyncEngine(wang.ctx, transport).missing_blobs()
    assert missing_before  # it stopped before prefetching the drawings
    report = wang.sync()  # resumes where it stopped
    assert report.downloaded_blobs == len(missing_before)
    assert jobs_on(wang)


def jobs_on(client: Client) -> list[str]:
    with client.ctx.db.read() as s:
        return list(s.scalars(select(m.Job.id)))
