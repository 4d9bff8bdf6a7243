"""Escalating a fault to the center with a category and the files or logs that explain it,
and what the engineer sees of it afterwards (waiting for the center, then the re-assignment).

Files are hashed into the blob store before the transaction, as backup evidence is: the
escalation references them by hash, and the sync pushes its mutation only once the center
has confirmed every blob."""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from fieldkit.domain import record_rows, workflow
from fieldkit.domain.enums import EscalationCategory, JobStatus
from fieldkit.domain.errors import InvalidValue
from fieldkit.domain.messages import N_, Message
from fieldkit.domain.workflow import ActionArgs, JobContext
from fieldkit.protocol.mutations import JobEscalateV1
from fieldkit.services.context import ServiceContext
from fieldkit.services.jobs import job_context
from fieldkit.services.records import (
    backup_progress,
    has_signed_slip,
    job_row,
    set_columns,
    to_domain_job,
)
from fieldkit.services.transaction import Changed, transaction
from fieldkit.store import models as m
from fieldkit.store.blobs import BlobError

MUTATION = JobEscalateV1.NAME
CENTER_PLAN = "center_plan"  # work-log entries the center writes when it re-assigns
MAX_FILES = 20


@dataclass(frozen=True)
class AttachedFile:
    filename: str
    sha256: str
    size_bytes: int
    on_device: bool


@dataclass(frozen=True)
class EscalationView:
    id: str
    at: datetime
    by: str
    category: EscalationCategory
    reason: str
    findings: str
    files: list[AttachedFile]
    state: str  # not_sent | waiting | reassigned
    assigned_to: str  # the job's engineer now (after a re-assignment: the new one)
    center_plan: str = ""  # the center's analysis and plan in answer to it, once re-assigned


def escalate(
    ctx: ServiceContext,
    job_id: str,
    reason: str,
    findings: str,
    category: str,
    files: Sequence[Path] = (),
) -> Changed:
    """Send the fault back to the center: the same rule the center runs, the escalation, its
    files and the job's new status, queued as one ``job.escalate.v1`` mutation."""
    if len(files) > MAX_FILES:
        raise InvalidValue(Message(N_("Attach at most {count} files"), count=MAX_FILES))
    args = ActionArgs(reason=reason, findings=findings, category=category, actor=ctx.actor)
    with ctx.db.read() as session:  # refuse early, before hashing large logs
        context = JobContext(backup_progress(session, job_id), has_signed_slip(session, job_id))
        workflow.check(to_domain_job(session, job_row(session, job_id)), "escalate", context, args)
    stored: list[dict[str, object]] = []
    for file in files:
        path = Path(file)
        if not path.is_file():
            raise InvalidValue(
                Message(N_("{name} is not a readable file: choose it again"), name=path.name)
            )
        try:
            sha = ctx.blobs.put_file(path)
        except BlobError as exc:
            raise InvalidValue(str(exc)) from exc
        stored.append(
            {
                "id": m.new_id(),
                "filename": path.name[:255],
                "mime": mimetypes.guess_type(path.name)[0] or "application/octet-stream",
                "sha256": sha,
                "size": ctx.blobs.size(sha),
            }
        )
    now = ctx.clock.now()
    with transaction(ctx) as tx:
        row = job_row(tx.session, job_id)
        before = to_domain_job(tx.session, row)
        after = workflow.apply(before, "escalate", job_context(tx, job_id), now, args)
        set_columns(row, record_rows.job_step_fields(after, now))
        esc = after.escalations[-1]
        escalation_id = m.new_id()
        tx.session.add(m.Escalation(**record_rows.escalation_row(escalation_id, job_id, esc)))
        for f in stored:
            tx.session.add(
                m.Attachment(
                    **record_rows.attachment_row(
                        str(f["id"]),
                        job_id,
                        "escalation",
                        str(f["filename"]),
                        str(f["mime"]),
                        str(f["sha256"]),
                        int(str(f["size"])),
                        now,
                        escalation_id,
                    )
                )
            )
        payload = JobEscalateV1.checked(
            escalation_id=escalation_id,
            at=now,
            reason=esc.reason,
            findings=esc.findings,
            category=esc.category.value,
            attachments=stored,
        )
        mid = tx.emit(payload, job_id, before.version)
        tx.audit(
            "job.escalate",
            "job",
            job_id,
            {"from": before.status.value, "to": after.status.value, "category": esc.category},
            mid,
        )
    return Changed(
        frozenset({job_id}), frozenset({"job", "outbox"}), tuple(tx.mutation_ids), escalation_id
    )


def escalations(ctx: ServiceContext, job_id: str) -> list[EscalationView]:
    """The job's escalations, oldest first, each with its files and where it stands."""
    with ctx.db.read() as session:
        job = session.get(m.Job, job_id)
        if job is None:
            return []
        rows = session.scalars(
            select(m.Escalation).where(m.Escalation.job_id == job_id).order_by(m.Escalation.at)
        ).all()
        files = session.scalars(
            select(m.Attachment)
            .where(m.Attachment.job_id == job_id, m.Attachment.escalation_id.is_not(None))
            .order_by(m.Attachment.filename)
        ).all()
        plans = session.scalars(
            select(m.WorkLogEntry)
            .where(m.WorkLogEntry.job_id == job_id, m.WorkLogEntry.kind == CENTER_PLAN)
            .order_by(m.WorkLogEntry.at)
        ).all()
        unsent = {
            str(o.args.get("escalation_id"))
            for o in session.scalars(
                select(m.OutboxMutation).where(
                    m.OutboxMutation.entity_id == job_id,
                    m.OutboxMutation.name.in_((MUTATION, "job.transition.v1")),
                    m.OutboxMutation.state.in_(("pending", "sent", "rejected")),
                )
            )
        }
        out = []
        for i, e in enumerate(rows):
            latest = i == len(rows) - 1
            if e.id in unsent:
                state = "not_sent"
            elif latest and job.status == JobStatus.ESCALATED.value:
                state = "waiting"
            else:
                state = "reassigned"
            until = rows[i + 1].at if not latest else None
            answer = "\n".join(
                p.note for p in plans if p.at >= e.at and (until is None or p.at < until)
            )
            out.append(
                EscalationView(
                    e.id,
                    e.at,
                    e.by,
                    EscalationCategory(e.category),
                    e.reason,
                    e.findings,
                    [
                        AttachedFile(
                            f.filename, f.blob_sha256, f.size_bytes, ctx.blobs.has(f.blob_sha256)
                        )
                        for f in files
                        if f.escalation_id == e.id
                    ],
                    state,
                    job.assigned_engineer,
                    answer,
                )
            )
        return out
