"""Backup (and inspection) checklist evidence: tick, text, photo or attached file."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from fieldkit.domain import rules
from fieldkit.domain.checklist import (
    ChecklistItem,
    Evidence,
    Progress,
    progress,
    validate_evidence,
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

OPEN_FOR_EVIDENCE = rules.OPEN_FOR_EVIDENCE


@dataclass(frozen=True)
class EvidenceShown:
    """What counts for an item (its latest answer), for the engineer to check: the file and
    its hash as the slip will list them, or the note as typed."""

    at: datetime
    text: str
    filename: str
    sha256: str | None
    size_bytes: int | None  # None: the file is not on this device (recorded elsewhere)


@dataclass(frozen=True)
class ChecklistView:
    run_id: str
    items: list[ChecklistItem]
    progress: Progress
    evidence: dict[str, EvidenceShown]  # by item id; items without an answer are absent


def backup_checklist(ctx: ServiceContext, job_id: str) -> ChecklistView | None:
    with ctx.db.read() as session:
        run = backup_run(session, job_id)
        if run is None:
            return None
        items = checklist_items(session, run.id)
        answers = answer_rows(session, run.id)
        return ChecklistView(
            run.id,
            items,
            progress(items, [as_evidence(a) for a in answers]),
            _latest_evidence(ctx, answers),
        )


def record_evidence(
    ctx: ServiceContext,
    run_item_id: str,
    *,
    ticked: bool = False,
    text: str = "",
    file: Path | None = None,
) -> Changed:
    """Complete a checklist item. A file (photo or backup) is hashed into the blob store first,
    so the answer and the mutation can reference it by hash and nothing is half-attached."""
    if len(text) > TEXT_MAX:
        raise InvalidValue("The note is longer than 20,000 characters")
    with ctx.db.read() as session:
        _open_item(session, run_item_id)  # refuse early, before hashing a large file
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
        evidence = Evidence(item.id, kind, now, ticked, text.strip(), sha)
        validate_evidence(domain_item, evidence)
        filename = file.name[:255] if file is not None else ""
        answer = m.ChecklistAnswer(
            run_item_id=item.id,
            at=now,
            by=ctx.actor,
            kind=kind.value,
            ticked=ticked,
            text=evidence.text,
            blob_sha256=sha,
            filename=filename,
        )
        tx.session.add(answer)
        attachment: dict[str, Any] = {}
        if sha is not None and file is not None:
            attach_kind = rules.attachment_kind(kind)
            mime = (mimetypes.guess_type(file.name)[0] or "application/octet-stream")[:80]
            attachment = {"attachment_id": m.new_id(), "mime": mime, "size": size or 0}
            tx.session.add(
                m.Attachment(
                    id=attachment["attachment_id"],
                    job_id=job.id,
                    kind=attach_kind,
                    filename=filename,
                    mime=mime,
                    blob_sha256=sha,
                    size_bytes=size or 0,
                    created_at=now,
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
            {"label": item.label, "blob_sha256": sha},
            mid,
        )
    return Changed(
        frozenset({job.id}), frozenset({"checklist", "outbox"}), tuple(tx.mutation_ids), answer.id
    )


def _open_item(session: Session, run_item_id: str) -> tuple[m.ChecklistRunItem, m.Job]:
    item = session.get(m.ChecklistRunItem, run_item_id)
    if item is None:
        raise NotFound("That checklist item is not on this device")
    run = session.get(m.ChecklistRun, item.run_id)
    job = session.get(m.Job, run.job_id) if run is not None else None
    if job is None:
        raise NotFound("That checklist's job is not on this device")
    rules.ensure_open_for_evidence(JobStatus(job.status))
    return item, job


def _latest_evidence(
    ctx: ServiceContext, answers: list[m.ChecklistAnswer]
) -> dict[str, EvidenceShown]:
    latest: dict[str, EvidenceShown] = {}
    for answer in answers:  # oldest first: a later answer replaces an earlier one
        sha = answer.blob_sha256
        size = ctx.blobs.size(sha) if sha and ctx.blobs.has(sha) else None
        latest[answer.run_item_id] = EvidenceShown(
            answer.at, answer.text, answer.filename, sha, size
        )
    return latest
