"""Loading domain objects from store rows (and writing their changes back)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldkit.domain.checklist import ChecklistItem, Evidence, Progress, progress
from fieldkit.domain.enums import (
    Billing,
    CauseArea,
    CauseOrigin,
    Channel,
    ChecklistPurpose,
    EscalationCategory,
    EvidenceKind,
    JobStatus,
    JobType,
    QuoteLineKind,
    QuoteStatus,
    Severity,
)
from fieldkit.domain.errors import DomainError
from fieldkit.domain.job import Cause, Escalation, Job
from fieldkit.domain.money import Money
from fieldkit.domain.quote import Quote, QuoteLine
from fieldkit.domain.sla import ContractSla, SlaTerms
from fieldkit.store import models as m


class NotFound(DomainError):
    """The record is not on this device (never synced, or re-assigned away)."""


def job_row(session: Session, job_id: str) -> m.Job:
    row = session.get(m.Job, job_id)
    if row is None:
        raise NotFound(f"Job {job_id} is not on this device")
    return row


def to_domain_job(session: Session, row: m.Job) -> Job:
    escalations = session.scalars(
        select(m.Escalation).where(m.Escalation.job_id == row.id).order_by(m.Escalation.at)
    ).all()
    cause = None
    if row.cause_area and row.cause_origin:
        cause = Cause(CauseArea(row.cause_area), CauseOrigin(row.cause_origin))
    return Job(
        id=row.id,
        number=row.number,
        customer_id=row.customer_id,
        site_id=row.site_id,
        reported_at=row.reported_at,
        channel=Channel(row.channel),
        fault_description=row.fault_description,
        severity=Severity(row.severity),
        job_type=JobType(row.job_type),
        billing=Billing(row.billing),
        billing_basis=row.billing_basis,
        status=JobStatus(row.status),
        assigned_engineer=row.assigned_engineer,
        device_id=row.device_id,
        contract_id=row.contract_id,
        cause=cause,
        fault_found=row.fault_found,
        resolution=row.resolution,
        confirmed_with=row.confirmed_with,
        responded_at=row.responded_at,
        arrived_at=row.arrived_at,
        escalations=tuple(
            Escalation(e.at, e.by, e.reason, e.findings, EscalationCategory(e.category))
            for e in escalations
        ),
        version=row.version,
    )


def checklist_items(session: Session, run_id: str) -> list[ChecklistItem]:
    rows = session.scalars(
        select(m.ChecklistRunItem)
        .where(m.ChecklistRunItem.run_id == run_id)
        .order_by(m.ChecklistRunItem.position)
    ).all()
    return [ChecklistItem(r.id, r.label, EvidenceKind(r.evidence_kind), r.required) for r in rows]


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
    a = answer
    return Evidence(a.run_item_id, EvidenceKind(a.kind), a.at, a.ticked, a.text, a.blob_sha256)


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
    lines = session.scalars(
        select(m.QuoteLine).where(m.QuoteLine.quote_id == row.id).order_by(m.QuoteLine.position)
    ).all()
    return Quote(
        id=row.id,
        job_id=row.job_id,
        currency=row.currency,
        valid_until=row.valid_until,
        status=QuoteStatus(row.status),
        decided_at=row.decided_at,
        lines=tuple(
            QuoteLine(
                QuoteLineKind(li.kind),
                li.description,
                li.quantity,
                Money(li.unit_price, row.currency),
                li.tax_rate,
                li.part_no,
                li.id,
            )
            for li in lines
        ),
    )


def job_quotes(session: Session, job_id: str) -> list[Quote]:
    rows = session.scalars(select(m.Quote).where(m.Quote.job_id == job_id)).all()
    return [to_domain_quote(session, r) for r in rows]


def contract_sla(session: Session, contract_id: str | None) -> ContractSla | None:
    if contract_id is None:
        return None
    rows = session.scalars(select(m.ContractSla).where(m.ContractSla.contract_id == contract_id))
    return {
        Severity(r.severity): SlaTerms(
            timedelta(minutes=r.respond_minutes),
            timedelta(minutes=r.arrive_minutes) if r.arrive_minutes is not None else None,
        )
        for r in rows
    }


def service_date(row: m.Job, tz_name: str) -> date:
    from zoneinfo import ZoneInfo

    return row.reported_at.astimezone(ZoneInfo(tz_name)).date()
