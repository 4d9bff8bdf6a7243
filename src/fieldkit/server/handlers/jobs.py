"""Job steps: the state machine run on the center's state, the cause, free notes."""

from __future__ import annotations

from sqlalchemy import update

from fieldkit.domain import rules, workflow
from fieldkit.domain.enums import JobStatus
from fieldkit.domain.errors import DomainError
from fieldkit.protocol.mutations import JobClassifyV1, JobTransitionV1, WorklogAddV1
from fieldkit.server.handlers.base import Ctx, Rejected, audience, handles, insert_row, job_for
from fieldkit.server.jobstate import job_context, to_job
from fieldkit.server.tables import ENTITY as E

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
        values = {
            "id": a.escalation_id,
            "job_id": row["id"],
            "at": a.at,
            "by": esc.by,
            "reason": esc.reason,
            "findings": esc.findings,
        }
        insert_row(ctx, "escalations", values, ctx.me())
    kind = rules.work_log_kind(a.action)
    if a.work_log_id and kind is not None:
        values = {
            "id": a.work_log_id,
            "job_id": row["id"],
            "kind": kind,
            "at": a.at,
            "by": ctx.who.username,
            "note": "",
        }
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
    values = {
        "id": a.id,
        "job_id": job["id"],
        "kind": "note",
        "at": a.at,
        "by": ctx.who.username,
        "note": a.note,
    }
    insert_row(ctx, "work_log", values, audience(job))
