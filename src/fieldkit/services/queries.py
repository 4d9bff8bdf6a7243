"""Read models for lists and screens: plain rows, no ORM objects leak to the UI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from fieldkit.domain.sla import SlaClock
from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m
from fieldkit.store.search import search_ids

FINISHED = ("resolved", "resolved_remotely", "signed", "closed")
# Open work before finished work, whatever else the sort is.
_FINISHED_LAST = case((m.Job.status.in_(FINISHED), 1), else_=0)
# The deadline still ahead of the engineer: respond-by until responded, then arrive-by.
_NEXT_DEADLINE = case(
    (m.Job.responded_at.is_(None), m.Job.respond_by),
    (m.Job.arrived_at.is_(None), m.Job.arrive_by),
    else_=None,
)
_NO_PENDING_DEADLINE = case((_NEXT_DEADLINE.is_(None), 1), else_=0)
# (column, ascending) pairs; a descending sort flips every direction.
SORTS: dict[str, tuple[tuple[Any, bool], ...]] = {
    "urgency": (
        (_FINISHED_LAST, True),
        (_NO_PENDING_DEADLINE, True),
        (_NEXT_DEADLINE, True),
        (m.Job.severity, True),
        (m.Job.number, True),
    ),
    "reported": ((m.Job.reported_at, False), (m.Job.number, True)),
    "number": ((m.Job.number, True),),
    "customer": ((m.Customer.name, True), (m.Job.number, True)),
    "status": ((m.Job.status, True), (m.Job.number, True)),
}


@dataclass(frozen=True)
class JobFilter:
    text: str = ""
    statuses: frozenset[str] = frozenset()
    severities: frozenset[int] = frozenset()
    job_types: frozenset[str] = frozenset()
    reported_from: date | None = None
    reported_to: date | None = None
    sort: str = "urgency"
    descending: bool = False


@dataclass(frozen=True)
class JobRow:
    id: str
    number: str
    severity: int
    status: str
    job_type: str
    billing: str
    customer: str
    site: str
    reported_at: datetime
    respond: SlaClock
    arrive: SlaClock


def _base(flt: JobFilter, session: Session) -> Select[Any] | None:
    stmt = select(m.Job.id).join(m.Customer, m.Customer.id == m.Job.customer_id)
    if flt.statuses:
        stmt = stmt.where(m.Job.status.in_(flt.statuses))
    if flt.severities:
        stmt = stmt.where(m.Job.severity.in_(flt.severities))
    if flt.job_types:
        stmt = stmt.where(m.Job.job_type.in_(flt.job_types))
    if flt.reported_from:
        stmt = stmt.where(m.Job.reported_at >= f"{flt.reported_from.isoformat()}T00:00:00")
    if flt.reported_to:
        stmt = stmt.where(m.Job.reported_at <= f"{flt.reported_to.isoformat()}T23:59:59.999999Z")
    if flt.text.strip():
        ids = search_ids(session, flt.text, "job", limit=5000)
        if not ids:
            return None
        stmt = stmt.where(m.Job.id.in_(ids))
    return stmt


def job_ids(ctx: ServiceContext, flt: JobFilter) -> list[str]:
    """All matching job ids in display order: cheap enough for 100k rows (ids only)."""
    with ctx.db.read() as session:
        stmt = _base(flt, session)
        if stmt is None:
            return []
        order = [
            col.asc() if ascending != flt.descending else col.desc()
            for col, ascending in SORTS.get(flt.sort, SORTS["urgency"])
        ]
        return list(session.scalars(stmt.order_by(*order)))


def job_rows(ctx: ServiceContext, ids: list[str]) -> list[JobRow]:
    """Display rows for a page of ids, in the order given."""
    if not ids:
        return []
    with ctx.db.read() as session:
        stmt = (
            select(
                m.Job.id,
                m.Job.number,
                m.Job.severity,
                m.Job.status,
                m.Job.job_type,
                m.Job.billing,
                m.Customer.name,
                m.Site.name,
                m.Job.reported_at,
                m.Job.respond_by,
                m.Job.responded_at,
                m.Job.arrive_by,
                m.Job.arrived_at,
            )
            .join(m.Customer, m.Customer.id == m.Job.customer_id)
            .join(m.Site, m.Site.id == m.Job.site_id)
            .where(m.Job.id.in_(ids))
        )
        by_id = {
            r[0]: JobRow(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                r[8],
                SlaClock(r[9], r[10]),
                SlaClock(r[11], r[12]),
            )
            for r in session.execute(stmt)
        }
    return [by_id[i] for i in ids if i in by_id]


@dataclass(frozen=True)
class SyncSummary:
    pending: int
    rejected: int
    last_sync_at: datetime | None


def sync_summary(ctx: ServiceContext) -> SyncSummary:
    with ctx.db.read() as session:
        counts: dict[str, int] = {
            state: n
            for state, n in session.execute(
                select(m.OutboxMutation.state, func.count()).group_by(m.OutboxMutation.state)
            )
        }
        last = session.scalar(select(func.max(m.SyncCursor.last_sync_at)))
    return SyncSummary(
        pending=counts.get("pending", 0) + counts.get("sent", 0),
        rejected=counts.get("rejected", 0),
        last_sync_at=last,
    )


def rejected_changes(ctx: ServiceContext) -> list[str]:
    """What the server refused, and why, newest first: the user decides what to do."""
    with ctx.db.read() as session:
        rows = session.execute(
            select(m.OutboxMutation.name, m.OutboxMutation.entity_id, m.OutboxMutation.last_error)
            .where(m.OutboxMutation.state == "rejected")
            .order_by(m.OutboxMutation.seq.desc())
        ).all()
    return [f"{name} {entity}: {error}" for name, entity, error in rows]


@dataclass(frozen=True)
class JobDetail:
    id: str
    number: str
    status: str
    severity: int
    job_type: str
    billing: str
    billing_basis: str
    customer: str
    site: str
    site_address: str
    installed_by_us: bool
    device: str
    fault_description: str
    fault_found: str
    cause: str
    resolution: str
    confirmed_with: str
    backup_done: int
    backup_total: int
    respond: SlaClock
    arrive: SlaClock


def job_detail(ctx: ServiceContext, job_id: str) -> JobDetail:
    """Everything the job workspace shows, read in one transaction."""
    from fieldkit.services.records import backup_progress, job_row

    with ctx.db.read() as session:
        job = job_row(session, job_id)
        customer = session.get(m.Customer, job.customer_id)
        site = session.get(m.Site, job.site_id)
        device = session.get(m.Device, job.device_id) if job.device_id else None
        assert customer is not None and site is not None
        backup = backup_progress(session, job_id)
        return JobDetail(
            id=job.id,
            number=job.number,
            status=job.status,
            severity=job.severity,
            job_type=job.job_type,
            billing=job.billing,
            billing_basis=job.billing_basis,
            customer=f"{customer.name} {customer.name_en}".strip(),
            site=site.name,
            site_address=site.address,
            installed_by_us=site.installed_by_us,
            device=" ".join(x for x in (device.name, device.model, device.serial) if x)
            if device
            else "",
            fault_description=job.fault_description,
            fault_found=job.fault_found,
            cause=" / ".join(x for x in (job.cause_area, job.cause_origin) if x),
            resolution=job.resolution,
            confirmed_with=job.confirmed_with,
            backup_done=backup.done,
            backup_total=backup.total,
            respond=SlaClock(job.respond_by, job.responded_at),
            arrive=SlaClock(job.arrive_by, job.arrived_at),
        )
