"""Loading domain objects from store rows (and writing their changes back)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldkit.domain import records
from fieldkit.domain.checklist import ChecklistItem, Evidence, Progress, progress
from fieldkit.domain.enums import ChecklistPurpose
from fieldkit.domain.errors import DomainError
from fieldkit.domain.job import Job
from fieldkit.domain.quote import Quote
from fieldkit.domain.sla import ContractSla
from fieldkit.store import models as m


class NotFound(DomainError):
    """The record is not on this device (never synced, or re-assigned away)."""


def job_row(session: Session, job_id: str) -> m.Job:
    row = session.get(m.Job, job_id)
    if row is None:
        raise NotFound(f"Job {job_id} is not on this device")
    return row


def as_row(obj: Any) -> dict[str, Any]:
    """An ORM row as the column mapping the shared mapper (``domain.records``) reads."""
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}


def set_columns(row: m.Base, values: dict[str, Any]) -> None:
    """Write a row builder's column values (``domain.record_rows``) onto an ORM row."""
    for name, value in values.items():
        setattr(row, name, value)


def to_domain_job(session: Session, row: m.Job) -> Job:
    escalations = session.scalars(select(m.Escalation).where(m.Escalation.job_id == row.id))
    return records.job_from_row(as_row(row), [as_row(e) for e in escalations])


def checklist_items(session: Session, run_id: str) -> list[ChecklistItem]:
    rows = session.scalars(
        select(m.ChecklistRunItem)
        .where(m.ChecklistRunItem.run_id == run_id)
        .order_by(m.ChecklistRunItem.position)
    ).all()
    return [records.checklist_item_from_row(as_row(r)) for r in rows]


def answer_rows(session: Session, run_id: str) -> list[m.ChecklistAnswer]:
    """Every answer of a checklist run, oldest first (the latest per item counts)."""
    return list(
        session.scalars(
            select(m.ChecklistAnswer)
            .join(m.ChecklistRunItem, m.ChecklistRunItem.id == m.ChecklistAnswer.run_item_id)
            .where(m.ChecklistRunItem.run_id == run_id)
            .order_by(m.ChecklistAnswer.at)
        )
    )


def as_evidence(answer: m.ChecklistAnswer) -> Evidence:
    return records.evidence_from_row(as_row(answer))


def checklist_answers(session: Session, run_id: str) -> list[Evidence]:
    return [as_evidence(a) for a in answer_rows(session, run_id)]


def backup_run(session: Session, job_id: str) -> m.ChecklistRun | None:
    return session.scalars(
        select(m.ChecklistRun).where(
            m.ChecklistRun.job_id == job_id,
            m.ChecklistRun.purpose == ChecklistPurpose.BACKUP.value,
        )
    ).first()


def backup_progress(session: Session, job_id: str) -> Progress:
    run = backup_run(session, job_id)
    if run is None:
        return Progress(done=0, total=0, missing=())
    return progress(checklist_items(session, run.id), checklist_answers(session, run.id))


def has_signed_slip(session: Session, job_id: str) -> bool:
    return session.scalars(select(m.Slip.id).where(m.Slip.job_id == job_id)).first() is not None


def to_domain_quote(session: Session, row: m.Quote) -> Quote:
    lines = session.scalars(select(m.QuoteLine).where(m.QuoteLine.quote_id == row.id))
    return records.quote_from_row(as_row(row), [as_row(li) for li in lines])


def job_quotes(session: Session, job_id: str) -> list[Quote]:
    rows = session.scalars(select(m.Quote).where(m.Quote.job_id == job_id)).all()
    return [to_domain_quote(session, r) for r in rows]


def contract_sla(session: Session, contract_id: str | None) -> ContractSla | None:
    if contract_id is None:
        return None
    rows = session.scalars(select(m.ContractSla).where(m.ContractSla.contract_id == contract_id))
    return records.contract_sla_from_rows(as_row(r) for r in rows)
