"""Moving a job through the service flow: accept, depart, arrive, diagnose, repair, resolve,
escalate. Every step is a ``job.transition.v1`` mutation the server replays through its own
state machine."""

from __future__ import annotations

from dataclasses import replace

from fieldkit.domain import record_rows, rules, workflow
from fieldkit.domain.enums import CauseArea, CauseOrigin, JobStatus
from fieldkit.domain.errors import InvalidValue
from fieldkit.domain.workflow import ActionArgs, JobContext
from fieldkit.protocol.mutations import TEXT_MAX, JobClassifyV1, JobTransitionV1, WorklogAddV1
from fieldkit.services.context import ServiceContext
from fieldkit.services.records import (
    backup_progress,
    has_signed_slip,
    job_row,
    set_columns,
    to_domain_job,
)
from fieldkit.services.transaction import Changed, Tx, transaction
from fieldkit.store import models as m

WORK_LOG = rules.WORK_LOG


def job_context(tx: Tx, job_id: str) -> JobContext:
    return JobContext(
        backup=backup_progress(tx.session, job_id),
        has_signed_slip=has_signed_slip(tx.session, job_id),
    )


def perform(
    ctx: ServiceContext, job_id: str, action: str, args: ActionArgs | None = None
) -> Changed:
    """Run one state-machine action on a job, or raise the domain error explaining why not."""
    args = args or ActionArgs()
    args = args if args.actor else replace(args, actor=ctx.actor)
    now = ctx.clock.now()
    with transaction(ctx) as tx:
        row = job_row(tx.session, job_id)
        before = to_domain_job(tx.session, row)
        after = workflow.apply(before, action, job_context(tx, job_id), now, args)
        set_columns(row, record_rows.job_step_fields(after, now))
        # Rows the action creates travel with their ids, so the server stores the same rows.
        created: dict[str, str] = {}
        if len(after.escalations) > len(before.escalations):
            esc = after.escalations[-1]
            created["escalation_id"] = m.new_id()
            tx.session.add(
                m.Escalation(**record_rows.escalation_row(created["escalation_id"], job_id, esc))
            )
        log_kind = rules.work_log_kind(action)
        if log_kind is not None:
            created["work_log_id"] = m.new_id()
            tx.session.add(
                m.WorkLogEntry(
                    **record_rows.work_log_row(
                        created["work_log_id"], job_id, log_kind, now, ctx.actor
                    )
                )
            )
        payload = JobTransitionV1.checked(
            action=action,
            at=now,
            to=after.status.value,
            confirmed_with=args.confirmed_with,
            resolution=args.resolution,
            reason=args.reason,
            findings=args.findings,
            engineer=args.engineer,
            **created,
        )
        mid = tx.emit(payload, job_id, before.version)
        tx.audit(
            f"job.{action}",
            "job",
            job_id,
            {"from": before.status.value, "to": after.status.value},
            mid,
        )
    return Changed(frozenset({job_id}), frozenset({"job", "outbox"}), tuple(tx.mutation_ids))


def accept_job(ctx: ServiceContext, job_id: str) -> Changed:
    return perform(ctx, job_id, "accept")


def depart(ctx: ServiceContext, job_id: str) -> Changed:
    return perform(ctx, job_id, "depart")


def record_arrival(ctx: ServiceContext, job_id: str, confirmed_with: str) -> Changed:
    """Arrive on site and confirm the problem with the site's system owner."""
    return perform(ctx, job_id, "arrive", ActionArgs(confirmed_with=confirmed_with))


def start_diagnosis(ctx: ServiceContext, job_id: str) -> Changed:
    return perform(ctx, job_id, "start_diagnosis")


def confirm_backup(ctx: ServiceContext, job_id: str) -> Changed:
    return perform(ctx, job_id, "confirm_backup")


def start_repair(ctx: ServiceContext, job_id: str) -> Changed:
    return perform(ctx, job_id, "start_repair")


def resolve(ctx: ServiceContext, job_id: str, resolution: str) -> Changed:
    return perform(ctx, job_id, "resolve", ActionArgs(resolution=resolution))


def resolve_remotely(ctx: ServiceContext, job_id: str, resolution: str) -> Changed:
    return perform(ctx, job_id, "resolve_remotely", ActionArgs(resolution=resolution))


def escalate(ctx: ServiceContext, job_id: str, reason: str, findings: str) -> Changed:
    """Send the fault back to the center with what the engineer found."""
    return perform(ctx, job_id, "escalate", ActionArgs(reason=reason, findings=findings))


CLASSIFIABLE = rules.CLASSIFIABLE


def classify_cause(
    ctx: ServiceContext, job_id: str, area: CauseArea, origin: CauseOrigin, fault_found: str = ""
) -> Changed:
    """Record the diagnosis: hardware or software, human error or system fault."""
    now = ctx.clock.now()
    with transaction(ctx) as tx:
        row = job_row(tx.session, job_id)
        rules.ensure_classifiable(JobStatus(row.status))
        base = row.version
        found = fault_found.strip() or row.fault_found
        set_columns(row, record_rows.classify_fields(area.value, origin.value, found, base, now))
        args = JobClassifyV1.checked(
            cause_area=area, cause_origin=origin, fault_found=row.fault_found
        )
        mid = tx.emit(args, job_id, base)
        tx.audit("job.classify", "job", job_id, args.wire(), mid)
    return Changed(frozenset({job_id}), frozenset({"job", "outbox"}), tuple(tx.mutation_ids))


def add_note(ctx: ServiceContext, job_id: str, note: str) -> Changed:
    """Append a free note to the work log (append-only, never conflicts)."""
    rules.ensure_note(note)
    if len(note) > TEXT_MAX:
        raise InvalidValue("The note is longer than 20,000 characters")
    now = ctx.clock.now()
    with transaction(ctx) as tx:
        job_row(tx.session, job_id)
        entry = m.WorkLogEntry(
            **record_rows.work_log_row(m.new_id(), job_id, "note", now, ctx.actor, note.strip())
        )
        tx.session.add(entry)
        tx.session.flush()
        mid = tx.emit(WorklogAddV1.checked(id=entry.id, at=now, note=entry.note), job_id)
        tx.audit("job.note", "job", job_id, {"note_id": entry.id}, mid)
    return Changed(frozenset({job_id}), frozenset({"job", "outbox"}), tuple(tx.mutation_ids))


def available_actions(ctx: ServiceContext, job_id: str) -> list[workflow.ActionOption]:
    """The next steps for a job, each enabled or with the reason it is not (for buttons)."""
    with ctx.db.read() as session:
        row = job_row(session, job_id)
        context = JobContext(backup_progress(session, job_id), has_signed_slip(session, job_id))
        return workflow.next_actions(to_domain_job(session, row), context)
