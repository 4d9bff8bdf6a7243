"""Read models for lists and screens: plain rows, no ORM objects leak to the UI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from fieldkit.domain.sla import SlaClock
from fieldkit.services.context import ServiceContext

# The job list's types, re-exported where every caller of the read models looks.
from fieldkit.services.job_list import JobFilter as JobFilter
from fieldkit.services.job_list import JobRow as JobRow
from fieldkit.store import models as m


def job_page(ctx: ServiceContext, flt: JobFilter, offset: int, limit: int) -> list[str]:
    """One page of matching job ids in display order (see services/job_list.py)."""
    return ctx.job_list.page(flt, offset, limit)


def job_count(ctx: ServiceContext, flt: JobFilter) -> int:
    return ctx.job_list.count(flt)


def job_ids(ctx: ServiceContext, flt: JobFilter) -> list[str]:
    """All matching job ids in display order: cheap enough for 100k rows (ids only)."""
    return ctx.job_list.ids(flt)


def job_rows(ctx: ServiceContext, ids: list[str]) -> list[JobRow]:
    """Display rows for a page of ids, in the order given."""
    return ctx.job_list.rows(ids)


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
    cause_area: str = ""  # "" until the diagnosis is saved
    cause_origin: str = ""


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
            cause_area=job.cause_area or "",
            cause_origin=job.cause_origin or "",
        )
