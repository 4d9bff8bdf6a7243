"""The archive of closed jobs: search by customer, site, device, closing date range, number
and text, newest first, one page at a time. Closed jobs are walked through the
(status, updated_at) index (a closed job no longer changes, so updated_at is when it closed);
customer, site and device narrow through their own indexed id columns. Only the free text
reads the descriptions of the jobs the other conditions left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, or_, select

from fieldkit.server import tables as t

E = t.ENTITY
PAGE_SIZE = 50
MAX_TERM = 200


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class ArchiveQuery:
    customer: str = ""
    site: str = ""
    device: str = ""
    number: str = ""
    text: str = ""
    closed_from: date | None = None
    closed_to: date | None = None
    page: int = 1

    @classmethod
    def parse(cls, params: dict[str, str]) -> ArchiveQuery:
        page = params.get("page", "")

        def term(name: str) -> str:
            return params.get(name, "").strip()[:MAX_TERM]

        return cls(
            customer=term("customer"),
            site=term("site"),
            device=term("device"),
            number=term("number"),
            text=term("q"),
            closed_from=_day(params.get("from", "")),
            closed_to=_day(params.get("to", "")),
            page=max(1, min(int(page), 100_000)) if page.isdigit() else 1,
        )

    def params(self, **changes: Any) -> dict[str, str]:
        values = {
            "customer": self.customer,
            "site": self.site,
            "device": self.device,
            "number": self.number,
            "q": self.text,
            "from": self.closed_from.isoformat() if self.closed_from else "",
            "to": self.closed_to.isoformat() if self.closed_to else "",
            "page": str(self.page) if self.page > 1 else "",
        }
        values.update({k: str(v) for k, v in changes.items()})
        return {k: v for k, v in values.items() if v}


@dataclass(frozen=True)
class ArchivedJob:
    id: str
    number: str
    customer: str
    site: str
    timezone: str
    device: str
    fault_description: str
    resolution: str
    assigned_engineer: str
    reported_at: datetime
    closed_at: datetime


@dataclass
class ArchivePage:
    jobs: list[ArchivedJob]
    page: int
    has_more: bool
    query: ArchiveQuery


def search_archive(engine: Engine, q: ArchiveQuery, zone: str = "Asia/Shanghai") -> ArchivePage:
    """``zone``: the office's zone, in which the date range's days begin and end."""
    jobs, customers, sites, devices = E["jobs"], E["customers"], E["sites"], E["devices"]
    stmt = (
        select(
            jobs.c.id,
            jobs.c.number,
            customers.c.name.label("customer"),
            sites.c.name.label("site"),
            sites.c.timezone,
            devices.c.name.label("device"),
            func.substr(jobs.c.fault_description, 1, 300).label("fault_description"),
            func.substr(jobs.c.resolution, 1, 300).label("resolution"),
            jobs.c.assigned_engineer,
            jobs.c.reported_at,
            jobs.c.updated_at,
        )
        .join(customers, customers.c.id == jobs.c.customer_id)
        .join(sites, sites.c.id == jobs.c.site_id)
        .outerjoin(devices, devices.c.id == jobs.c.device_id)
        .where(jobs.c.status == "closed")
    )
    if q.customer:
        match = _like(q.customer)
        stmt = stmt.where(
            jobs.c.customer_id.in_(
                select(customers.c.id).where(
                    or_(
                        customers.c.name.ilike(match, escape="\\"),
                        customers.c.name_en.ilike(match, escape="\\"),
                        customers.c.phone.ilike(match, escape="\\"),
                    )
                )
            )
        )
    if q.site:
        stmt = stmt.where(
            jobs.c.site_id.in_(
                select(sites.c.id).where(sites.c.name.ilike(_like(q.site), escape="\\"))
            )
        )
    if q.device:
        match = _like(q.device)
        stmt = stmt.where(
            jobs.c.device_id.in_(
                select(devices.c.id).where(
                    or_(
                        devices.c.name.ilike(match, escape="\\"),
                        devices.c.serial.ilike(match, escape="\\"),
                        devices.c.model.ilike(match, escape="\\"),
                    )
                )
            )
        )
    if q.number:
        stmt = stmt.where(jobs.c.number.ilike(_like(q.number), escape="\\"))
    tz = ZoneInfo(zone)
    if q.closed_from:
        start = datetime.combine(q.closed_from, time(), tz).astimezone(UTC)
        stmt = stmt.where(jobs.c.updated_at >= start)
    if q.closed_to:
        end = datetime.combine(q.closed_to + timedelta(days=1), time(), tz).astimezone(UTC)
        stmt = stmt.where(jobs.c.updated_at < end)
    if q.text:
        match = _like(q.text)
        stmt = stmt.where(
            or_(
                jobs.c.fault_description.ilike(match, escape="\\"),
                jobs.c.resolution.ilike(match, escape="\\"),
                jobs.c.fault_found.ilike(match, escape="\\"),
            )
        )
    stmt = (
        stmt.order_by(jobs.c.updated_at.desc(), jobs.c.id)
        .limit(PAGE_SIZE + 1)
        .offset((q.page - 1) * PAGE_SIZE)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    found = [
        ArchivedJob(
            id=r.id,
            number=r.number,
            customer=r.customer,
            site=r.site,
            timezone=r.timezone or "UTC",
            device=r.device or "",
            fault_description=r.fault_description or "",
            resolution=r.resolution or "",
            assigned_engineer=r.assigned_engineer,
            reported_at=r.reported_at,
            closed_at=r.updated_at,
        )
        for r in rows[:PAGE_SIZE]
    ]
    return ArchivePage(found, q.page, len(rows) > PAGE_SIZE, q)
