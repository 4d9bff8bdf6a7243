"""Job steps: the state machine run on the center's state, the cause, free notes."""

from __future__ import annotations

from sqlalchemy import select, update

from fieldkit.domain import record_rows, rules, workflow
from fieldkit.domain.enums import JobStatus
from fieldkit.domain.errors import DomainError
from fieldkit.protocol.mutations import (
    JobClassifyV1,
    JobEscalateV1,
    JobTransitionV1,
    WorklogAddV1,
)
from fieldkit.server.handlers.base import (
    Ctx,
    Rejected,
    audience,
    ensure_own_blob,
    handles,
    insert_row,
    job_for,
)
from fieldkit.server.jobstate import job_context, to_job
from fieldkit.server.tables import ENTITY as E
from fieldkit.server.tables import blobs

# What an engineer may do is exactly what the app offers them (the office closes, re-assigns).
ENGINEER_ACTIONS = frozenset(workflow.FLOW_ORDER)


@handles(JobTransitionV1)
def job_transition(ctx: Ctx, a: JobTransitionV1) -> None:
    if a.action not in ENGINEER_ACTIONS:
        raise Rejected("job.action", "This is not an engineer action")
    row = job_for(ctx, ctx.mutation.entity_id)
    before = to_job(ctx.conn, row)
    args = workflow.ActionArgs(
        confirmed_with=a.confirmed_with,
        resolution=a.resolution,
        reason=a.reason,
        findings=a.findings,
        actor=ctx.who.username,
    )
    try:
        after = workflow.apply(before, a.action, job_context(ctx.conn, row["id"]), a.at, args)
    except DomainError as exc:
        raise Rejected("job.rule", str(exc), [("jobs", row["id"])], row["status"]) from exc
    ctx.conn.execute(
        update(E["jobs"])
        .where(E["jobs"].c.id == row["id"])
        .values(
            status=after.status.value,
            version=row["version"] + 1,
            responded_at=after.responded_at,
            arrived_at=after.arrived_at,
            confirmed_with=after.confirmed_with,
            resolution=after.resolution,
            updated_at=ctx.now,
        )
    )
    ctx.writer.upsert("jobs", row["id"], ctx.me())
    if a.escalation_id and len(after.escalations) > len(before.escalations):
        esc = after.escalations[-1]
        values = record_rows.escalation_row(a.escalation_id, row["id"], esc)
        insert_row(ctx, "escalations", values, ctx.me())
    kind = rules.work_log_kind(a.action)
    if a.work_log_id and kind is not None:
        values = record_rows.work_log_row(a.work_log_id, row["id"], kind, a.at, ctx.who.username)
        insert_row(ctx, "work_log", values, ctx.me())


@handles(JobClassifyV1)
def job_classify(ctx: Ctx, a: JobClassifyV1) -> None:
    row = job_for(ctx, ctx.mutation.entity_id)
    try:
        rules.ensure_classifiable(JobStatus(row["status"]))
    except DomainError as exc:
        raise Rejected("job.rule", str(exc), [("jobs", row["id"])]) from exc
    ctx.conn.execute(
        update(E["jobs"])
        .where(E["jobs"].c.id == row["id"])
        .values(
            cause_area=a.cause_area.value,
            cause_origin=a.cause_origin.value,
            fault_found=a.fault_found,
            version=row["version"] + 1,
            updated_at=ctx.now,
        )
    )
    ctx.writer.upsert("jobs", row["id"], ctx.me())


@handles(WorklogAddV1)
def worklog_add(ctx: Ctx, a: WorklogAddV1) -> None:
    job = job_for(ctx, ctx.mutation.entity_id, append_only=True, done_at=a.at)
    try:
        rules.ensure_note(a.note)
    except DomainError as exc:
        raise Rejected("job.rule", str(exc)) from exc
    values = record_rows.work_log_row(a.id, job["id"], "note", a.at, ctx.who.username, a.note)
    insert_row(ctx, "work_log", values, audience(job))


@handles(JobEscalateV1)
def job_escalate(ctx: Ctx, a: JobEscalateV1) -> None:
    """The escalation with its category and the files or logs that go with it, checked by the
    rule the app ran. A file counts only if the center holds its blob complete and it is the
    pusher's; its size is the center's, never the device's figure."""
    row = job_for(ctx, ctx.mutation.entity_id)
    args = workflow.ActionArgs(
        reason=a.reason, findings=a.findings, category=a.category, actor=ctx.who.username
    )
    try:
        after = workflow.apply(
            to_job(ctx.conn, row), "escalate", job_context(ctx.conn, row["id"]), a.at, args
        )
    except DomainError as exc:
        raise Rejected("job.rule", str(exc), [("jobs", row["id"])], row["status"]) from exc
    sizes: list[int] = []
    for f in a.attachments:
        size = ctx.conn.scalar(
            select(blobs.c.size).where(blobs.c.sha256 == f.sha256, blobs.c.complete.is_(True))
        )
        if size is None:
            raise Rejected("escalation.file", "A file of the escalation is not at the center")
        ensure_own_blob(ctx, f.sha256)
        sizes.append(int(size))
    ctx.conn.execute(
        update(E["jobs"])
        .where(E["jobs"].c.id == row["id"])
        .values(status=after.status.value, version=row["version"] + 1, updated_at=ctx.now)
    )
    ctx.writer.upsert("jobs", row["id"], ctx.me())
    esc = after.escalations[-1]
    values = record_rows.escalation_row(a.escalation_id, row["id"], esc)
    insert_row(ctx, "escalations", values, ctx.me())
    for f, size in zip(a.attachments, sizes, strict=True):
        attachment = record_rows.attachment_row(
            f.id,
            row["id"],
            "escalation",
            f.filename or "file",
            f.mime or "application/octet-stream",
            f.sha256,
            size,
            a.at,
            a.escalation_id,
        )
        insert_row(ctx, "attachments", attachment, ctx.me())
