"""Checklist evidence: only while the backup is open, corrections only until it is confirmed
(``domain.checklist.ensure_answer_allowed``, as in the app), only with the pusher's own files."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from fieldkit.domain import record_rows, records, rules
from fieldkit.domain.checklist import Evidence, ensure_answer_allowed
from fieldkit.domain.enums import JobStatus
from fieldkit.domain.errors import DomainError
from fieldkit.protocol.mutations import ChecklistAnswerV1
from fieldkit.server.handlers.base import (
    Ctx,
    Rejected,
    audience,
    ensure_own_blob,
    existing,
    handles,
    insert_row,
    job_for,
)
from fieldkit.server.tables import ENTITY as E


@handles(ChecklistAnswerV1)
def checklist_answer(ctx: Ctx, a: ChecklistAnswerV1) -> None:
    items, runs = E["checklist_run_items"], E["checklist_runs"]
    item = ctx.conn.execute(select(items).where(items.c.id == a.run_item_id)).mappings().first()
    if item is None:
        raise Rejected("checklist.unknown", "This checklist item is unknown at the service center")
    job_id = ctx.conn.scalar(select(runs.c.job_id).where(runs.c.id == item["run_id"]))
    job = job_for(ctx, str(job_id), append_only=True, done_at=a.at)
    answers = E["checklist_answers"]
    old = existing(ctx.conn, "checklist_answers", a.answer_id)
    if old is not None and old["run_item_id"] == item["id"] and old["by"] == ctx.who.username:
        return  # a replay of an answer already recorded (another content is refused below)
    domain_item = records.checklist_item_from_row(item)
    evidence = Evidence(item["id"], a.kind, a.at, a.ticked, a.text.strip(), a.blob_sha256)
    earlier = [
        records.evidence_from_row(r)
        for r in ctx.conn.execute(
            select(answers).where(answers.c.run_item_id == item["id"])
        ).mappings()
    ]
    # Work of a job re-assigned meanwhile is kept as a record: its content is still checked.
    status = JobStatus(job["status"]) if job["assigned_engineer"] == ctx.who.username else None
    try:
        ensure_answer_allowed(domain_item, evidence, earlier, status)
    except DomainError as exc:
        raise Rejected("checklist.evidence", str(exc)) from exc
    if a.blob_sha256 is not None:
        ensure_own_blob(ctx, a.blob_sha256)
    to = audience(job)
    # Recorded as the item's kind of evidence, whatever kind the device named.
    stored = replace(evidence, kind=domain_item.evidence_kind)
    answer = record_rows.answer_row(a.answer_id, stored, ctx.who.username, a.filename)
    insert_row(ctx, "checklist_answers", answer, to)
    if a.attachment_id and evidence.blob_sha256:
        attachment = record_rows.attachment_row(
            a.attachment_id,
            job["id"],
            rules.attachment_kind(domain_item.evidence_kind),
            a.filename,
            a.mime,
            evidence.blob_sha256,
            a.size,
            a.at,
        )
        insert_row(ctx, "attachments", attachment, to)
