"""Backup (and inspection) checklist evidence: tick, text, photo or attached file."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldkit.domain import record_rows, rules
from fieldkit.domain.checklist import (
    ANSWERS_CORRECTABLE,
    OPEN_FOR_EVIDENCE,
    ChecklistItem,
    Evidence,
    Progress,
    done_items,
    ensure_answer_allowed,
    progress,
)
from fieldkit.domain.enums import EvidenceKind, JobStatus
from fieldkit.domain.errors import InvalidValue
from fieldkit.protocol.mutations import TEXT_MAX, ChecklistAnswerV1
from fieldkit.services.context import ServiceContext
from fieldkit.services.records import (
    NotFound,
    answer_rows,
    as_evidence,
    backup_run,
    checklist_items,
)
from fieldkit.services.transaction import Changed, transaction
from fieldkit.store import models as m
from fieldkit.store.blobs import BlobError


@dataclass(frozen=True)
class EvidenceShown:
    """What counts for an item (its latest answer), for the engineer to check: the file and
    its hash as the slip will list them, or the note as typed."""

    at: datetime
    text: str
    filename: str
    sha256: str | None
    size_bytes: int | None  # None: the file is not on this device (recorded elsewhere)
    ticked: bool = False
    kind: EvidenceKind = EvidenceKind.TICK


@dataclass(frozen=True)
class ChecklistView:
    run_id: str
    items: list[ChecklistItem]
    progress: Progress
    evidence: dict[str, EvidenceShown]  # by item id; items without an answer are absent
    done: frozenset[str] = frozenset()  # ids of the items (required or not) satisfied
    open: bool = False  # evidence can be recorded now (on site, until the repair is done)
    correctable: bool = False  # a recorded answer can still be corrected (until backed up)

    def can_answer(self, item_id: str) -> bool:
        """The item takes an answer now: a first one, or a correction while allowed."""
        return self.open and (item_id not in self.evidence or self.correctable)


def backup_checklist(ctx: ServiceContext, job_id: str) -> ChecklistView | None:
    with ctx.db.read() as session:
        run = backup_run(session, job_id)
        if run is None:
            return None
        job = session.get(m.Job, job_id)
        status = JobStatus(job.status) if job is not None else None
        items = checklist_items(session, run.id)
        answers = answer_rows(session, run.id)
        evidence = [as_evidence(a) for a in answers]
        return ChecklistView(
            run.id,
            items,
            progress(items, evidence),
            _latest_evidence(ctx, answers),
            done_items(items, evidence),
            status in OPEN_FOR_EVIDENCE,
            status in ANSWERS_CORRECTABLE,
        )


def evidence_file(ctx: ServiceContext, sha256: str) -> Path | None:
    """The stored file of a photo or backup answer, if it is on this device."""
    return ctx.blobs.path(sha256) if ctx.blobs.has(sha256) else None


def record_evidence(
    ctx: ServiceContext,
    run_item_id: str,
    *,
    ticked: bool = False,
    text: str = "",
    file: Path | None = None,
) -> Changed:
    """Answer a checklist item. A file (photo or backup) is hashed into the blob store first,
    so the answer and the mutation can reference it by hash and nothing is half-attached.

    Answers are append-only: a correction (another note, file or photo, or unticking a box
    ticked by mistake) is a new answer, allowed until the backup is confirmed, and the old
    one stays on record; the latest counts."""
    if len(text) > TEXT_MAX:
        raise InvalidValue("The note is longer than 20,000 characters")
    with ctx.db.read() as session:
        # Refuse early, before hashing a large file: the job's state and a late correction.
        item, job = _open_item(session, run_item_id)
        earlier = _earlier(session, item.id)
        if earlier or JobStatus(job.status) not in OPEN_FOR_EVIDENCE:
            probe = Evidence(item.id, EvidenceKind.TICK, ctx.clock.now(), ticked=True)
            tick_item = ChecklistItem(item.id, item.label, EvidenceKind.TICK, item.required)
            ensure_answer_allowed(tick_item, probe, earlier, JobStatus(job.status))
    sha = size = None
    if file is not None:
        file = Path(file)
        if not file.is_file():
            raise InvalidValue(f"{file.name} is not a readable file")
        try:
            sha = ctx.blobs.put_file(file)
        except BlobError as exc:
            raise InvalidValue(str(exc)) from exc
        size = ctx.blobs.size(sha)
    now = ctx.clock.now()
    with transaction(ctx) as tx:
        item, job = _open_item(tx.session, run_item_id)
        kind = EvidenceKind(item.evidence_kind)
        domain_item = ChecklistItem(item.id, item.label, kind, item.required)
        earlier = _earlier(tx.session, item.id)
        if earlier:  # a correction comes after what it corrects, even on a clock set back
            now = max(now, max(a.recorded_at for a in earlier) + timedelta(microseconds=1))
        evidence = Evidence(item.id, kind, now, ticked, text.strip(), sha)
        ensure_answer_allowed(domain_item, evidence, earlier, JobStatus(job.status))
        filename = file.name[:255] if file is not None else ""
        answer = m.ChecklistAnswer(
            **record_rows.answer_row(m.new_id(), evidence, ctx.actor, filename)
        )
        tx.session.add(answer)
        attachment: dict[str, Any] = {}
        if sha is not None and file is not None:
            mime = evidence_mime(file.name)
            attachment = {"attachment_id": m.new_id(), "mime": mime, "size": size or 0}
            tx.session.add(
                m.Attachment(
                    **record_rows.attachment_row(
                        attachment["attachment_id"],
                        job.id,
                        rules.attachment_kind(kind),
                        filename,
                        mime,
                        sha,
                        size or 0,
                        now,
                    )
                )
            )
        tx.session.flush()
        args = ChecklistAnswerV1.checked(
            answer_id=answer.id,
            run_item_id=item.id,
            kind=kind,
            ticked=ticked,
            text=evidence.text,
            blob_sha256=sha,
            filename=filename,
            at=now,
            **attachment,
        )
        mid = tx.emit(args, item.id)
        tx.audit(
            "checklist.answer",
            "checklist_item",
            item.id,
            {
                "label": item.label,
                "answer_id": answer.id,
                "ticked": ticked,
                "text": evidence.text,
                "blob_sha256": sha,
                "corrects": earlier[-1].recorded_at.isoformat() if earlier else None,
            },
            mid,
        )
    return Changed(
        frozenset({job.id}), frozenset({"checklist", "outbox"}), tuple(tx.mutation_ids), answer.id
    )


def evidence_mime(filename: str) -> str:
    """The media type an evidence file is recorded with, from its name."""
    return (mimetypes.guess_type(filename)[0] or "application/octet-stream")[:80]


def _open_item(session: Session, run_item_id: str) -> tuple[m.ChecklistRunItem, m.Job]:
    item = session.get(m.ChecklistRunItem, run_item_id)
    if item is None:
        raise NotFound("That checklist item is not on this device")
    run = session.get(m.ChecklistRun, item.run_id)
    job = session.get(m.Job, run.job_id) if run is not None else None
    if job is None:
        raise NotFound("That checklist's job is not on this device")
    return item, job


def _earlier(session: Session, run_item_id: str) -> list[Evidence]:
    rows = session.scalars(
        select(m.ChecklistAnswer)
        .where(m.ChecklistAnswer.run_item_id == run_item_id)
        .order_by(m.ChecklistAnswer.at)
    )
    return [as_evidence(a) for a in rows]


def _latest_evidence(
    ctx: ServiceContext, answers: list[m.ChecklistAnswer]
) -> dict[str, EvidenceShown]:
    latest: dict[str, EvidenceShown] = {}
    for answer in answers:  # oldest first: a later answer replaces an earlier one
        sha = answer.blob_sha256
        size = ctx.blobs.size(sha) if sha and ctx.blobs.has(sha) else None
        latest[answer.run_item_id] = EvidenceShown(
            answer.at,
            answer.text,
            answer.filename,
            sha,
            size,
            answer.ticked,
            EvidenceKind(answer.kind),
        )
    return latest
