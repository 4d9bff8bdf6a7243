"""Read models for lists and screens: plain rows, no ORM objects leak to the UI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.orm import Session

from fieldkit.domain.sla import SlaClock
from fieldkit.services.context import ServiceContext
from fieldkit.store import job_order
from fieldkit.store import models as m
from fieldkit.store.search import match_count_estimate, match_exists, matching_ids

# Above this many full-text matches a search reads jobs in index order instead (see _base).
BROAD_MATCH = 3000
FINISHED = ("resolved", "resolved_remotely", "signed", "closed")
# Urgency: open work first, then the nearest pending deadline, then severity; the very
# expressions of the jobs urgency index (store/job_order.py), so SQLite reads in index order.
_URGENCY: tuple[Any, ...] = tuple(literal_column(expr) for expr in job_order.URGENCY)
SORTS: dict[str, tuple[tuple[Any, bool], ...]] = {
    "urgency": tuple((expr, True) for expr in _URGENCY),
    "reported": ((m.Job.reported_at, False), (m.Job.number, True)),
    "number": ((m.Job.number, True),),
    "severity": ((m.Job.severity, True), *((expr, True) for expr in _URGENCY)),
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


def _base(flt: JobFilter, session: Session, counting: bool = False) -> Select[Any] | None:
    stmt = select(m.Job.id)
    if flt.sort == "customer":  # joined only when needed: the join hides the urgency index
        stmt = stmt.join(m.Customer, m.Customer.id == m.Job.customer_id)
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
        if not counting and match_count_estimate(session, flt.text) > BROAD_MATCH:
            broad = match_exists(flt.text, "job", "jobs.id")
            if broad is None:
                return None
            stmt = stmt.where(broad)  # read jobs in display order, test each, stop at a page
        else:
            matches = matching_ids(flt.text, "job")
            if matches is None:
                return None
            stmt = stmt.where(m.Job.id.in_(matches))  # few matches: fetch them, sort them
    return stmt


def _ordered(flt: JobFilter, stmt: Select[Any]) -> Select[Any]:
    order = [
        col.asc() if ascending != flt.descending else col.desc()
        for col, ascending in SORTS.get(flt.sort, SORTS["urgency"])
    ]
    return stmt.order_by(*order)


def job_page(ctx: ServiceContext, flt: JobFilter, offset: int, limit: int) -> list[str]:
    """One page of matching job ids in display order: the list fetches what is shown, so a
    keystroke in the search box costs a top-N sort, not 100k ids sent to Python."""
    with ctx.db.read() as session:
        stmt = _base(flt, session)
        if stmt is None:
            return []
        return list(session.scalars(_ordered(flt, stmt).offset(offset).limit(limit)))


def job_count(ctx: ServiceContext, flt: JobFilter) -> int:
    with ctx.db.read() as session:
        stmt = _base(flt, session, counting=True)  # no order to follow: the id list is best
        if stmt is None:
            return 0
        return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def job_ids(ctx: ServiceContext, flt: JobFilter) -> list[str]:
    """All matching job ids in display order: cheap enough for 100k rows (ids only)."""
    with ctx.db.read() as session:
        stmt = _base(flt, session)
        if stmt is None:
            return []
        return list(session.scalars(_ordered(flt, stmt)))


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
