"""What the hotline reads during a call: customers found by name, phone or site; a customer's
sites with their contract's fault levels (definition, response and arrival commitments, the
deadlines a job reported now would get) and the warranty state a job would record; and the
lists of follow-ups and recorded calls. Read-only: writes are in ``office_hotline``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, or_, select
from sqlalchemy.engine import Connection

from fieldkit.domain.enums import Severity
from fieldkit.domain.hotline import FOLLOWED_UP, LEVEL_DEFINITIONS
from fieldkit.domain.sla import job_sla
from fieldkit.domain.warranty import BillingDecision
from fieldkit.server import tables as t
from fieldkit.server.dispatch import billing_for
from fieldkit.server.jobstate import contract_sla
from fieldkit.server.roles import OFFICE_ROLES

E = t.ENTITY
SEARCH_LIMIT = 20
LIST_LIMIT = 200


@dataclass(frozen=True)
class CustomerHit:
    id: str
    name: str
    name_en: str
    phone: str
    sites: list[str]


@dataclass(frozen=True)
class Level:
    severity: int
    definition: str  # a catalog message
    respond_within: timedelta | None  # None: the contract sets no time for this level
    arrive_within: timedelta | None
    respond_by: datetime | None  # if a job were reported now
    arrive_by: datetime | None


@dataclass(frozen=True)
class DeviceChoice:
    id: str
    name: str
    model: str
    serial: str
    location: str
    billing: BillingDecision


@dataclass(frozen=True)
class SiteChoice:
    id: str
    name: str
    address: str
    timezone: str
    contract_number: str
    billing: BillingDecision  # with no device named
    levels: list[Level]
    devices: list[DeviceChoice]


@dataclass(frozen=True)
class CustomerCard:
    id: str
    name: str
    name_en: str
    phone: str
    email: str
    address: str
    sites: list[SiteChoice] = field(default_factory=list)


@dataclass(frozen=True)
class ReportLine:
    id: str
    kind: str
    at: datetime
    timezone: str
    customer: str
    site: str
    caller: str
    text: str
    recorded_by: str
    owner: str
    response: str
    closed_at: datetime | None
    closed_by: str
    job_number: str


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_customers(engine: Engine, query: str) -> list[CustomerHit]:
    """Customers whose name, English name or phone, or whose site's name, address or contact
    phone contains ``query`` (case-insensitive), by name."""
    query = query.strip()
    if not query:
        return []
    pattern = _like(query)
    c, s, sc = E["customers"], E["sites"], E["site_contacts"]
    by_site = select(s.c.customer_id).where(
        or_(s.c.name.ilike(pattern, escape="\\"), s.c.address.ilike(pattern, escape="\\"))
    )
    by_contact = (
        select(s.c.customer_id)
        .join(sc, sc.c.site_id == s.c.id)
        .where(sc.c.phone.ilike(pattern, escape="\\"))
    )
    stmt = (
        select(c.c.id, c.c.name, c.c.name_en, c.c.phone)
        .where(
            or_(
                c.c.name.ilike(pattern, escape="\\"),
                c.c.name_en.ilike(pattern, escape="\\"),
                c.c.phone.ilike(pattern, escape="\\"),
                c.c.id.in_(by_site),
                c.c.id.in_(by_contact),
            )
        )
        .order_by(c.c.name)
        .limit(SEARCH_LIMIT)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
        names: dict[str, list[str]] = {}
        for site in conn.execute(
            select(s.c.customer_id, s.c.name)
            .where(s.c.customer_id.in_([r["id"] for r in rows]))
            .order_by(s.c.name)
        ).mappings():
            names.setdefault(site["customer_id"], []).append(site["name"])
    return [
        CustomerHit(r["id"], r["name"], r["name_en"], r["phone"], names.get(r["id"], []))
        for r in rows
    ]


def levels(conn: Connection, contract_id: str | None, now: datetime) -> list[Level]:
    """Levels 1-4 with the contract's commitments (``domain.sla``) and their definitions."""
    terms = contract_sla(conn, contract_id)
    out = []
    for severity in Severity:
        term = terms.get(severity) if terms else None
        clocks = job_sla(terms, severity, now)
        out.append(
            Level(
                severity=int(severity),
                definition=LEVEL_DEFINITIONS[severity],
                respond_within=term.respond_within if term else None,
                arrive_within=term.arrive_within if term else None,
                respond_by=clocks.respond.deadline,
                arrive_by=clocks.arrive.deadline,
            )
        )
    return out


def customer_card(engine: Engine, customer_id: str, now: datetime) -> CustomerCard | None:
    """The caller's customer with every site, its levels and the warranty state per device,
    as a job reported ``now`` would have them."""
    c, s, d, k = E["customers"], E["sites"], E["devices"], E["contracts"]
    with engine.connect() as conn:
        row = conn.execute(select(c).where(c.c.id == customer_id)).mappings().first()
        if row is None:
            return None
        sites = []
        for site in conn.execute(
            select(s, k.c.number.label("contract_number"))
            .outerjoin(k, k.c.id == s.c.contract_id)
            .where(s.c.customer_id == customer_id)
            .order_by(s.c.name)
        ).mappings():
            day = now.date()  # as create_job dates a job reported now
            devices = [
                DeviceChoice(
                    dev["id"],
                    dev["name"],
                    dev["model"],
                    dev["serial"],
                    dev["location"],
                    billing_for(conn, site, dev["id"], day),
                )
                for dev in conn.execute(
                    select(d).where(d.c.site_id == site["id"]).order_by(d.c.name)
                ).mappings()
            ]
            sites.append(
                SiteChoice(
                    id=site["id"],
                    name=site["name"],
                    address=site["address"],
                    timezone=site["timezone"],
                    contract_number=site["contract_number"] or "",
                    billing=billing_for(conn, site, None, day),
                    levels=levels(conn, site["contract_id"], now),
                    devices=devices,
                )
            )
    return CustomerCard(
        row["id"], row["name"], row["name_en"], row["phone"], row["email"], row["address"], sites
    )


def site_row(conn: Connection, site_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(E["sites"]).where(E["sites"].c.id == site_id)).mappings().first()
    return dict(row) if row else None


def device_site(conn: Connection, device_id: str) -> str | None:
    return conn.scalar(select(E["devices"].c.site_id).where(E["devices"].c.id == device_id))


def office_people(engine: Engine) -> list[tuple[str, str]]:
    """(username, display name) of the active office staff: who may own a follow-up."""
    u = t.users
    with engine.connect() as conn:
        rows = conn.execute(
            select(u.c.username, u.c.display_name)
            .where(u.c.role.in_(OFFICE_ROLES), u.c.active.is_(True))
            .order_by(u.c.username)
        )
        return [(r.username, r.display_name or r.username) for r in rows]


def report_lines(
    engine: Engine, kinds: frozenset[str] | tuple[str, ...], closed: bool | None = None
) -> list[ReportLine]:
    """Reports of ``kinds``, newest first; ``closed`` filters follow-ups by their state."""
    r, c, s, j = t.hotline_reports, E["customers"], E["sites"], E["jobs"]
    k = E["contracts"]
    stmt = (
        select(
            r,
            c.c.name.label("customer_name"),
            s.c.name.label("site_name"),
            s.c.timezone.label("site_tz"),
            j.c.number.label("job_number"),
        )
        .outerjoin(c, c.c.id == r.c.customer_id)
        .outerjoin(s, s.c.id == r.c.site_id)
        .outerjoin(j, j.c.id == r.c.job_id)
        .where(r.c.kind.in_(list(kinds)))
        .order_by(r.c.at.desc())
        .limit(LIST_LIMIT)
    )
    if closed is True:
        stmt = stmt.where(r.c.closed_at.is_not(None))
    elif closed is False:
        stmt = stmt.where(r.c.closed_at.is_(None))
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
        zones = _customer_zones(conn, {x["customer_id"] for x in rows} - {None}, k)
    return [
        ReportLine(
            id=x["id"],
            kind=x["kind"],
            at=x["at"],
            timezone=x["site_tz"] or zones.get(x["customer_id"], "") or "UTC",
            customer=x["customer_name"] or "",
            site=x["site_name"] or "",
            caller=x["caller"],
            text=x["text"],
            recorded_by=x["recorded_by"],
            owner=x["owner"],
            response=x["response"],
            closed_at=x["closed_at"],
            closed_by=x["closed_by"],
            job_number=x["job_number"] or "",
        )
        for x in rows
    ]


def _customer_zones(conn: Connection, customers: set[str], k: Any) -> dict[str, str]:
    """A customer's contract zone, for calls not tied to a site."""
    if not customers:
        return {}
    rows = conn.execute(
        select(k.c.customer_id, k.c.timezone)
        .where(k.c.customer_id.in_(customers))
        .order_by(k.c.starts_on)
    )
    return {row.customer_id: row.timezone for row in rows}


def followups(engine: Engine, closed: bool) -> list[ReportLine]:
    return report_lines(engine, FOLLOWED_UP, closed)


def report(engine: Engine, report_id: str) -> dict[str, Any] | None:
    r = t.hotline_reports
    with engine.connect() as conn:
        row = conn.execute(select(r).where(r.c.id == report_id)).mappings().first()
        return dict(row) if row else None


def job_brief(engine: Engine, job_id: str | None) -> dict[str, Any] | None:
    """Number, type, status, level, billing and deadlines of the job a call created."""
    if not job_id:
        return None
    j, s = E["jobs"], E["sites"]
    with engine.connect() as conn:
        row = (
            conn.execute(
                select(
                    j.c.id,
                    j.c.number,
                    j.c.job_type,
                    j.c.status,
                    j.c.severity,
                    j.c.billing,
                    j.c.billing_basis,
                    j.c.respond_by,
                    j.c.arrive_by,
                    s.c.name.label("site_name"),
                    s.c.timezone,
                )
                .join(s, s.c.id == j.c.site_id)
                .where(j.c.id == job_id)
            )
            .mappings()
            .first()
        )
        return dict(row) if row else None
