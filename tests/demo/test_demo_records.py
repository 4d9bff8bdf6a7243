"""A record from the demo data set is the record the app writes for the same input: the demo
job's history is replayed through the app's services on a copy of the job as the center
created it, and the two jobs' rows, audit trails and domain objects must agree."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldkit.demo.generator import DemoSize, generate
from fieldkit.demo.slips import CUSTOMER, demo_device_id, engineer_capture
from fieldkit.domain import records
from fieldkit.domain.clock import FixedClock
from fieldkit.domain.enums import CauseArea, CauseOrigin, JobStatus, QuoteLineKind
from fieldkit.services import checklists, escalations, jobs, quotes, slips
from fieldkit.services.context import ServiceContext, open_context
from fieldkit.services.records import as_row
from fieldkit.store import models as m

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ENGINEER = "demo"
JOB_CHILDREN = (m.WorkLogEntry, m.Escalation, m.Attachment, m.PartReplacement, m.Quote, m.Slip)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServiceContext, FixedClock]]:
    clock = FixedClock(NOW)
    ctx = open_context(tmp_path_factory.mktemp("demo") / "data", ENGINEER, clock)
    generate(ctx.db, ctx.blobs, DemoSize(jobs=120, devices_per_site=4), now=NOW)
    yield ctx, clock
    ctx.db.close()


def _rows(s: Session, model: type[m.Base], **where: Any) -> list[dict[str, Any]]:
    stmt = select(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return [as_row(r) for r in s.scalars(stmt)]


def _demo_job(ctx: ServiceContext, status: JobStatus, billing: str | None = None) -> str:
    with ctx.db.read() as s:
        stmt = select(m.Job.id).where(m.Job.status == status.value).order_by(m.Job.number)
        if billing is not None:
            stmt = stmt.where(m.Job.billing == billing)
        job_id = s.scalars(stmt).first()
    assert job_id is not None, f"the demo has no {status} job"
    return job_id


def _as_created(ctx: ServiceContext, job_id: str) -> str:
    """A copy of the demo job as the center created and assigned it: before any work."""
    with ctx.db.write() as s:
        job = as_row(s.get(m.Job, job_id))
        copy = {
            **job,
            "id": m.new_id(),
            "number": job["number"] + "-APP",
            "status": JobStatus.ASSIGNED.value,
            "cause_area": None,
            "cause_origin": None,
            "fault_found": "",
            "resolution": "",
            "confirmed_with": "",
            "responded_at": None,
            "arrived_at": None,
            "updated_at": job["reported_at"] + timedelta(minutes=1),
            "version": 2,
        }
        s.add(m.Job(**copy))
        for run in _rows(s, m.ChecklistRun, job_id=job_id):
            new_run = {**run, "id": m.new_id(), "job_id": copy["id"]}
            s.add(m.ChecklistRun(**new_run))
            s.flush()
            for item in _rows(s, m.ChecklistRunItem, run_id=run["id"]):
                s.add(m.ChecklistRunItem(**{**item, "id": m.new_id(), "run_id": new_run["id"]}))
        return str(copy["id"])


def _history(s: Session, job_id: str) -> list[tuple[datetime, str, dict[str, Any]]]:
    """Every step on the job's records in the order it was taken: (at, action, audit row)."""
    audit = [as_row(a) for a in s.scalars(select(m.AuditEntry).order_by(m.AuditEntry.id))]
    ids = _entity_ids(s, job_id)
    return [(a["at"], a["action"], a) for a in audit if a["entity_id"] in ids]


def _entity_ids(s: Session, job_id: str) -> set[str]:
    ids = {job_id}
    ids |= {q["id"] for q in _rows(s, m.Quote, job_id=job_id)}
    ids |= {r["id"] for r in _rows(s, m.Slip, job_id=job_id)}
    for run in _rows(s, m.ChecklistRun, job_id=job_id):
        ids |= {i["id"] for i in _rows(s, m.ChecklistRunItem, run_id=run["id"])}
    return ids


def _replay(ctx: ServiceContext, clock: FixedClock, demo_id: str, app_id: str, tmp: Path) -> None:
    """Run the demo job's audit trail through the app's services on the copy."""
    with ctx.db.read() as s:
        history = _history(s, demo_id)
        demo_items = _item_ids(s, demo_id)
        app_items = dict(zip(demo_items, _item_ids(s, app_id), strict=True))
        answers = {
            a["id"]: a for item in demo_items for a in _rows(s, m.ChecklistAnswer, run_item_id=item)
        }
        lines = {
            q["id"]: sorted(_rows(s, m.QuoteLine, quote_id=q["id"]), key=lambda li: li["position"])
            for q in _rows(s, m.Quote, job_id=demo_id)
        }
        escalation_rows = _rows(s, m.Escalation, job_id=demo_id)
        parts = _rows(s, m.PartReplacement, job_id=demo_id)
        demo_job = as_row(s.get(m.Job, demo_id))
    assert history, "the demo job has no audit trail"
    app_quotes: list[str] = []
    for at, action, entry in history:
        clock.set(at)
        details = entry["details"]
        if action == "job.arrive":
            jobs.record_arrival(ctx, app_id, demo_job["confirmed_with"])
        elif action in ("job.resolve", "job.resolve_remotely"):
            jobs.perform(
                ctx, app_id, action[4:], jobs.ActionArgs(resolution=demo_job["resolution"])
            )
        elif action == "job.escalate":
            esc = escalation_rows[0]
            escalations.escalate(ctx, app_id, esc["reason"], esc["findings"], esc["category"])
        elif action == "job.classify":
            jobs.classify_cause(
                ctx,
                app_id,
                CauseArea(details["cause_area"]),
                CauseOrigin(details["cause_origin"]),
                details["fault_found"],
            )
        elif action == "checklist.answer":
            answer = answers[details["answer_id"]]
            file = None
            if answer["blob_sha256"]:
                file = tmp / answer["filename"]
                file.write_bytes(ctx.blobs.read_bytes(answer["blob_sha256"]))
            checklists.record_evidence(
                ctx,
                app_items[entry["entity_id"]],
                ticked=answer["ticked"],
                text=answer["text"],
                file=file,
            )
        elif action == "quote.create":
            app_quotes.append(str(quotes.create_quote(ctx, app_id).entity_id))
        elif action == "quote.add_line":
            line = next(li for li in lines[entry["entity_id"]] if li["id"] == details["line_id"])
            kind = QuoteLineKind(line["kind"])
            part = kind is QuoteLineKind.PART
            quotes.add_quote_line(
                ctx,
                app_quotes[-1],
                kind,
                line["quantity"],
                part_no=line["part_no"],
                description="" if part else line["description"],
                unit_price=None if part else line["unit_price"],
                tax_rate=None if part else line["tax_rate"],
            )
        elif action == "quote.approve":
            quotes.record_customer_approval(ctx, app_quotes[-1], CUSTOMER)
        elif action == "part.replace":
            part = parts[0]
            quotes.record_part_replacement(
                ctx,
                app_id,
                part["part_no"],
                part["quantity"],
                part["serial_removed"],
                part["serial_installed"],
            )
        elif action == "slip.sign":
            slips.sign_slip(ctx, app_id, CUSTOMER, engineer_capture(ENGINEER), 5)
        elif action == "job.sign":
            pass  # the app's signing step writes it with the slip
        else:
            jobs.perform(ctx, app_id, action.removeprefix("job."))


def _item_ids(s: Session, job_id: str) -> list[str]:
    return [
        i["id"]
        for run in _rows(s, m.ChecklistRun, job_id=job_id)
        for i in sorted(_rows(s, m.ChecklistRunItem, run_id=run["id"]), key=lambda i: i["position"])
    ]


def _filled(rows: list[dict[str, Any]]) -> list[frozenset[str]]:
    return sorted((frozenset(k for k, v in r.items() if v is not None) for r in rows), key=sorted)


IDS = frozenset(
    {
        "id",
        "job_id",
        "number",
        "quote_id",
        "run_item_id",
        "approval_signature_id",
        "customer_signature_id",
        "engineer_signature_id",
        "device_signature",
        "device_public_key",
        "canonical",
        "content_sha256",
        "mutation_id",
        "entity_id",
        "device_id",
    }
)


def _same(rows: list[dict[str, Any]]) -> list[tuple[tuple[str, Any], ...]]:
    """Rows without their ids, in a stable order, for comparing two jobs' records."""
    return sorted(
        (tuple(sorted((k, repr(v)) for k, v in r.items() if k not in IDS)) for r in rows),
    )


def _records(s: Session, job_id: str) -> dict[str, list[dict[str, Any]]]:
    out = {model.__tablename__: _rows(s, model, job_id=job_id) for model in JOB_CHILDREN}
    items = _item_ids(s, job_id)
    out["checklist_answers"] = [
        a for item in items for a in _rows(s, m.ChecklistAnswer, run_item_id=item)
    ]
    out["quote_lines"] = [
        li for q in out["quotes"] for li in _rows(s, m.QuoteLine, quote_id=q["id"])
    ]
    sig_ids = {q["approval_signature_id"] for q in out["quotes"]} | {
        x for sl in out["slips"] for x in (sl["customer_signature_id"], sl["engineer_signature_id"])
    }
    out["signatures"] = [as_row(s.get(m.Signature, i)) for i in sig_ids if i]
    return out


def _compare(ctx: ServiceContext, demo_id: str, app_id: str) -> dict[str, list[dict[str, Any]]]:
    with ctx.db.read() as s:
        demo_job, app_job = as_row(s.get(m.Job, demo_id)), as_row(s.get(m.Job, app_id))
        demo, app = _records(s, demo_id), _records(s, app_id)
        demo_audit = [a[1] for a in _history(s, demo_id)]
        app_audit = [a[1] for a in _history(s, app_id)]
        demo_esc = _rows(s, m.Escalation, job_id=demo_id)
        app_esc = _rows(s, m.Escalation, job_id=app_id)
    # The job itself: every derived field (status, version, SLA times, cause) the same.
    assert {k: v for k, v in demo_job.items() if k not in IDS} == {
        k: v for k, v in app_job.items() if k not in IDS
    }
    assert records.job_from_row(demo_job, demo_esc) == replace(
        records.job_from_row(app_job, app_esc), id=demo_id, number=demo_job["number"]
    )
    for table, rows in demo.items():
        assert len(rows) == len(app[table]), table
        assert _filled(rows) == _filled(app[table]), table  # the same columns filled
        assert _same(rows) == _same(app[table]), table
    # Every record has its audit entry, the same as the app's, in the same order.
    assert demo_audit == app_audit
    return demo


def _slip_content(ctx: ServiceContext, job_id: str) -> dict[str, Any]:
    with ctx.db.read() as s:
        row = s.scalars(select(m.Slip).where(m.Slip.job_id == job_id)).one()
        job = s.get(m.Job, job_id)
        assert job is not None
        text = row.canonical.replace(job.number, "SO-X")
    content: dict[str, Any] = json.loads(text)
    return {k: v for k, v in content.items() if k not in ("slip_id", "job_id")}


def test_a_signed_paid_repair_is_recorded_as_the_app_records_it(
    demo: tuple[ServiceContext, FixedClock], tmp_path: Path
) -> None:
    ctx, clock = demo
    demo_id = _demo_job(ctx, JobStatus.SIGNED, "paid")
    app_id = _as_created(ctx, demo_id)
    _replay(ctx, clock, demo_id, app_id, tmp_path)
    records_of = _compare(ctx, demo_id, app_id)
    for kind in (
        "work_log",
        "checklist_answers",
        "attachments",
        "quotes",
        "quote_lines",
        "part_replacements",
        "signatures",
        "slips",
    ):
        assert records_of[kind], f"the demo job has no {kind}"
    assert {a["kind"] for a in records_of["attachments"]} >= {"photo", "backup_file"}
    # The quote maps to the same domain quote; the slip says the same thing.
    with ctx.db.read() as s:
        demo_q, app_q = (
            s.scalars(select(m.Quote).where(m.Quote.job_id == j)).one() for j in (demo_id, app_id)
        )
        mapped = [
            records.quote_from_row(as_row(q), _rows(s, m.QuoteLine, quote_id=q.id))
            for q in (demo_q, app_q)
        ]
    strip = [
        replace(q, id="q", job_id="j", lines=tuple(replace(li, line_id=None) for li in q.lines))
        for q in mapped
    ]
    assert strip[0] == strip[1] and strip[0].totals() == strip[1].totals()
    demo_slip, app_slip = _slip_content(ctx, demo_id), _slip_content(ctx, app_id)
    assert demo_slip == app_slip


def test_an_escalated_job_is_recorded_as_the_app_records_it(
    demo: tuple[ServiceContext, FixedClock], tmp_path: Path
) -> None:
    ctx, clock = demo
    demo_id = _demo_job(ctx, JobStatus.ESCALATED)
    app_id = _as_created(ctx, demo_id)
    _replay(ctx, clock, demo_id, app_id, tmp_path)
    records_of = _compare(ctx, demo_id, app_id)
    assert records_of["escalations"] and records_of["checklist_answers"]


@pytest.mark.parametrize(
    "status", [JobStatus.RESOLVED_REMOTELY, JobStatus.TRAVELLING, JobStatus.CLOSED]
)
def test_other_steps_are_recorded_as_the_app_records_them(
    demo: tuple[ServiceContext, FixedClock], tmp_path: Path, status: JobStatus
) -> None:
    ctx, clock = demo
    demo_id = _demo_job(ctx, status)
    app_id = _as_created(ctx, demo_id)
    _replay(ctx, clock, demo_id, app_id, tmp_path)
    if status is JobStatus.CLOSED:  # the center closes it: not the engineer's step
        with ctx.db.write() as s:
            demo_job, app_job = s.get(m.Job, demo_id), s.get(m.Job, app_id)
            assert demo_job is not None and app_job is not None
            assert app_job.status == JobStatus.SIGNED.value
            assert demo_job.version == app_job.version + 1
            app_job.status, app_job.version = demo_job.status, demo_job.version
            app_job.updated_at = demo_job.updated_at
    records_of = _compare(ctx, demo_id, app_id)
    assert records_of["work_log"]


def test_a_fresh_demo_has_every_change_on_record_and_none_to_send(
    ctx: ServiceContext,
) -> None:
    """The demo's changes are in the outbox as acknowledged (the center holds them) and in
    the audit log, each audit entry naming its change, all by the demo's own device: nothing
    waits to be sent, and this installation's first change is still its change #1 (a center
    expects a device's changes without a gap)."""
    generate(ctx.db, ctx.blobs, DemoSize(jobs=60, devices_per_site=3), now=NOW)
    with ctx.db.read() as s:
        outbox = s.scalars(select(m.OutboxMutation)).all()
        audit = s.scalars(select(m.AuditEntry)).all()
        jobs_worked = set(
            s.scalars(select(m.Job.id).where(m.Job.status != JobStatus.ASSIGNED.value))
        )
    assert outbox and {o.state for o in outbox} == {"acked"}
    assert {o.device_id for o in outbox} == {demo_device_id(7)} == {a.device_id for a in audit}
    assert {a.mutation_id for a in audit} == {o.mutation_id for o in outbox}
    assert sorted(o.seq for o in outbox) == list(range(1, len(outbox) + 1))
    assert {o.entity_id for o in outbox if o.entity_type == "job"} == jobs_worked
    jobs.add_note(ctx, sorted(jobs_worked)[0], "门禁已恢复")
    with ctx.db.read() as s:
        mine = s.scalars(select(m.OutboxMutation).where(m.OutboxMutation.state == "pending")).one()
    assert (mine.device_id, mine.seq) == (ctx.device_id, 1)
