"""Two engineers and a dispatcher against a real server process, each client on its own file."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from sqlalchemy import func, select

from fieldkit.protocol.mutations import MutationArgs
from fieldkit.services import checklists, jobs, queries
from fieldkit.store import models as m
from tests.support.flow import arrive_and_diagnose, record_all_evidence
from tests.support.server import Client, Office, Server, make_client


def job_ids(client: Client) -> set[str]:
    return set(queries.job_ids(client.ctx, queries.JobFilter()))


def status_of(client: Client, job_id: str) -> str | None:
    with client.ctx.db.read() as s:
        row = s.get(m.Job, job_id)
        return row.status if row else None


def fresh_view(server: Server, username: str, where: Path) -> dict:
    """The server's scoped view for a user: what a brand-new device receives."""
    probe = make_client(server.url, username, where)
    probe.sync()
    view = probe.replica()
    probe.close()
    return view


def test_jobs_reach_only_their_engineer_with_site_pack(
    server: Server, office: Office, wang: Client, li: Client
) -> None:
    wang.sync()
    li.sync()
    assert {j["id"] for j in office.jobs("wang")} == job_ids(wang)
    assert {j["id"] for j in office.jobs("li")} == job_ids(li)
    assert job_ids(wang).isdisjoint(job_ids(li))
    new = office.new_job("wang", severity=1)
    wang.sync()
    li.sync()
    assert new in job_ids(wang) and new not in job_ids(li)
    with wang.ctx.db.read() as s:
        job = s.get(m.Job, new)
        assert job is not None and job.respond_by is not None  # SLA set by the center
        assert s.get(m.Site, job.site_id) is not None
        runs = s.scalars(select(m.ChecklistRun).where(m.ChecklistRun.job_id == new)).all()
        assert len(runs) == 1  # backup checklist attached at dispatch
        docs = s.scalars(select(m.Document.blob_sha256).where(m.Document.site_id == job.site_id))
        assert all(wang.ctx.blobs.has(sha) and wang.ctx.blobs.verify(sha) for sha in docs)


def test_offline_edits_on_both_sides_converge(
    server: Server, office: Office, wang: Client, tmp_path: Path
) -> None:
    job = office.new_job("wang", severity=3)
    wang.sync()
    # Offline on site: accept, travel, arrive, diagnose, back up; meanwhile the office raises
    # the severity (an office-owned field).
    arrive_and_diagnose(wang.ctx, job)
    record_all_evidence(wang.ctx, job, tmp_path, b"config backup " * 5000)
    jobs.confirm_backup(wang.ctx, job)
    office.call("PATCH", f"/dispatch/jobs/{job}", json={"severity": 1})
    view = checklists.backup_checklist(wang.ctx, job)
    assert view is not None
    files = sum(1 for i in view.items if i.evidence_kind.value in ("file", "photo"))
    report = wang.sync()
    assert report.rejected == 0 and report.pushed >= 10 and report.uploaded_blobs == files == 3
    with wang.ctx.db.read() as s:
        row = s.get(m.Job, job)
        assert row is not None and (row.status, row.severity) == ("backed_up", 1)
        assert (
            s.scalar(
                select(func.count())
                .select_from(m.OutboxMutation)
                .where(m.OutboxMutation.state != "acked")
            )
            == 0
        )
    assert wang.replica() == fresh_view(server, "wang", tmp_path / "probe")


def test_reassignment_moves_the_job_and_keeps_unsynced_work(
    server: Server, office: Office, wang: Client, li: Client
) -> None:
    job = office.new_job("wang")
    wang.sync()
    jobs.accept_job(wang.ctx, job)
    wang.sync()
    # Offline: a note (append-only) and a transition; meanwhile the office re-assigns.
    jobs.add_note(wang.ctx, job, "客户说周一上午才能停机 downtime only on Monday morning")
    jobs.depart(wang.ctx, job)
    office.assign(job, "li")
    report = wang.sync()
    assert report.rejected == 1 and "re-assigned" in report.rejections[0]
    assert job not in job_ids(wang)  # removed from the first engineer
    li.sync()
    assert job in job_ids(li) and status_of(li, job) == "assigned"
    with li.ctx.db.read() as s:
        notes = s.scalars(
            select(m.WorkLogEntry.note).where(
                m.WorkLogEntry.job_id == job, m.WorkLogEntry.kind == "note"
            )
        ).all()
    assert notes == ["客户说周一上午才能停机 downtime only on Monday morning"]  # kept, not lost
    conflicts = office.call("GET", "/sync/conflicts")
    kinds = {c["kind"] for c in conflicts if c["entity_id"] == job}
    assert kinds == {"rejected", "reassigned_kept"}
    with wang.ctx.db.read() as s:  # the loser stays visible on the device, with the reason
        rejected = s.scalars(
            select(m.OutboxMutation).where(m.OutboxMutation.state == "rejected")
        ).one()
        assert rejected.args["action"] == "depart" and "re-assigned" in rejected.last_error
        audit = s.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "sync.rejected")).one()
        assert audit.details["args"]["action"] == "depart"


def test_second_sync_is_a_noop_and_a_concurrent_start_returns_at_once(
    server: Server, wang: Client
) -> None:
    from fieldkit.sync import session
    from fieldkit.sync.engine import SyncEngine

    wang.sync()
    seen: list[object] = []

    def nested(progress: object) -> None:
        if not seen:
            seen.append(SyncEngine(wang.ctx, session.connect(wang.ctx)).run())

    report = wang.sync(on_progress=nested)
    assert seen == [None]  # the second start while one runs is a no-op
    assert report.pulled == 0 and report.pushed == 0


class TeleportV9(MutationArgs):
    """A change from a newer app that this center does not know."""

    NAME: ClassVar[str] = "job.teleport.v9"
    ENTITY: ClassVar[str] = "job"


def test_unknown_mutation_is_rejected_with_reason_and_does_not_block(
    server: Server, wang: Client
) -> None:
    from fieldkit.services.transaction import transaction

    wang.sync()
    with transaction(wang.ctx) as tx:
        tx.emit(TeleportV9(), "x")
    job = sorted(job_ids(wang))[0]
    jobs.add_note(wang.ctx, job, "after the bad one")
    report = wang.sync()
    assert report.rejected == 1 and report.pushed == 1
    assert "Unknown change type" in report.rejections[0]
