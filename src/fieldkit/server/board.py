"""The dispatch board's read model: open jobs with their response and arrival clocks, the
unassigned lane, each engineer's load and last contact, and a change counter the page polls
so it redraws within seconds of an engineer's sync. The clocks come from ``domain.sla`` so the
board, the engineer's tablet and a later slip agree on what was met and what was breached."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, String, case, func, select, type_coerce
from sqlalchemy.engine import Connection

from fieldkit.domain.sla import SlaClock, SlaState
from fieldkit.server import tables as t
from fieldkit.server.board_cache import (
    OPEN_STATUSES as OPEN_STATUSES,  # the board's statuses, also for its filters
)
from fieldkit.server.board_cache import (
    JobsPart,
    cache_for,
    stamp_of,
    version_of,
)
from fieldkit.server.contact import DeviceContact, device_contacts, latest

E = t.ENTITY
JOB_TYPES = ("corrective_repair", "periodic_inspection", "software_upgrade", "remote_resolution")
PAGE_SIZE = 50  # a page of the board; the unassigned lane shows its LANE_SIZE most urgent
LANE_SIZE = 20


@dataclass(frozen=True)
class BoardFilter:
    """What the dispatcher narrowed the board to (GET parameters); blank means all."""

    level: int | None = None
    status: str = ""
    customer: str = ""  # customer id
    engineer: str = ""  # a username, or "-" for the unassigned only
    job_type: str = ""
    page: int = 1

    @classmethod
    def parse(cls, params: dict[str, str]) -> BoardFilter:
        """Unknown or malformed values are ignored, never an error page."""
        level = params.get("level", "")
        page = params.get("page", "")
        status = params.get("status", "")
        job_type = params.get("type", "")
        return cls(
            level=int(level) if level in ("1", "2", "3", "4") else None,
            status=status if status in OPEN_STATUSES else "",
            customer=params.get("customer", "")[:36],
            engineer=params.get("engineer", "")[:80],
            job_type=job_type if job_type in JOB_TYPES else "",
            page=max(1, min(int(page), 10_000)) if page.isdigit() else 1,
        )

    def query(self, **changes: Any) -> dict[str, str]:
        """The GET parameters of this filter (with ``changes``), for links and forms."""
        values = {
            "level": str(self.level or ""),
            "status": self.status,
            "customer": self.customer,
            "engineer": self.engineer,
            "type": self.job_type,
            "page": str(self.page) if self.page > 1 else "",
        }
        values.update({k: str(v) for k, v in changes.items()})
        return {k: v for k, v in values.items() if v}


@dataclass(frozen=True)
class Clock:
    """One deadline as the board shows it."""

    deadline: datetime | None
    state: str  # SlaState value: not_covered | running | met | breached
    seconds_left: int | None  # negative once overdue; None once answered or not covered

    @property
    def breached(self) -> bool:
        return self.state == SlaState.BREACHED.value


@dataclass(frozen=True)
class BoardJob:
    id: str
    number: str
    status: str
    severity: int
    job_type: str
    assigned_engineer: str
    customer_id: str
    customer: str
    site: str
    timezone: str
    fault_description: str
    reported_at: datetime
    respond: Clock
    arrive: Clock
    version: int

    @property
    def breached(self) -> bool:
        return self.respond.breached or self.arrive.breached


@dataclass(frozen=True)
class EngineerLoad:
    username: str
    display_name: str
    open_jobs: int
    last_seen_at: datetime | None  # the newest contact of any of their devices
    devices: int
    pending_changes: int | None = None  # what their devices said they still hold (display)


@dataclass
class Board:
    jobs: list[BoardJob]
    unassigned: list[BoardJob]
    total: int  # open jobs matching the filter (the page shows PAGE_SIZE of them)
    unassigned_total: int
    breached_total: int
    engineers: list[EngineerLoad]
    customers: list[tuple[str, str]]  # (id, name), for the customer filter
    page: int
    pages: int
    version: str
    now: datetime
    filter: BoardFilter = field(default_factory=BoardFilter)


def clock(deadline: datetime | None, event_at: datetime | None, now: datetime) -> Clock:
    sla = SlaClock(deadline, event_at)
    left = sla.time_left(now)
    return Clock(deadline, sla.state(now).value, int(left.total_seconds()) if left else None)


def _moment(value: str | None) -> datetime | None:
    """A stored UTC moment (fixed-width ISO text, ``UtcDateTime``): fromisoformat is ~10x
    quicker than the column type's strptime, which matters for a page of 200 rows."""
    return None if value is None else datetime.fromisoformat(value)


def _job_select() -> Any:
    jobs, customers, sites = E["jobs"], E["customers"], E["sites"]

    def raw(name: str) -> Any:
        return type_coerce(jobs.c[name], String).label(name)

    return (
        select(
            jobs.c.id,
            jobs.c.number,
            jobs.c.status,
            jobs.c.severity,
            jobs.c.job_type,
            jobs.c.assigned_engineer,
            jobs.c.customer_id,
            customers.c.name.label("customer"),
            sites.c.name.label("site"),
            sites.c.timezone,
            func.substr(jobs.c.fault_description, 1, 300).label("fault_description"),
            raw("reported_at"),
            raw("respond_by"),
            raw("responded_at"),
            raw("arrive_by"),
            raw("arrived_at"),
            jobs.c.version,
        )
        .join(customers, customers.c.id == jobs.c.customer_id)
        .join(sites, sites.c.id == jobs.c.site_id)
    )


def _where(stmt: Any, f: BoardFilter, unassigned: bool | None) -> Any:
    jobs = E["jobs"]
    stmt = stmt.where(jobs.c.status == f.status) if f.status else stmt
    if not f.status:
        stmt = stmt.where(jobs.c.status.in_(OPEN_STATUSES))
    if f.level:
        stmt = stmt.where(jobs.c.severity == f.level)
    if f.customer:
        stmt = stmt.where(jobs.c.customer_id == f.customer)
    if f.job_type:
        stmt = stmt.where(jobs.c.job_type == f.job_type)
    if unassigned is True or f.engineer == "-":
        stmt = stmt.where(jobs.c.assigned_engineer == "")
    elif f.engineer:
        stmt = stmt.where(jobs.c.assigned_engineer == f.engineer)
    elif unassigned is False:
        stmt = stmt.where(jobs.c.assigned_engineer != "")
    return stmt


def _to_job(row: Any, now: datetime) -> BoardJob:
    return BoardJob(
        id=row.id,
        number=row.number,
        status=row.status,
        severity=row.severity,
        job_type=row.job_type,
        assigned_engineer=row.assigned_engineer,
        customer_id=row.customer_id,
        customer=row.customer,
        site=row.site,
        timezone=row.timezone or "UTC",
        fault_description=row.fault_description or "",
        reported_at=_moment(row.reported_at) or now,
        respond=clock(_moment(row.respond_by), _moment(row.responded_at), now),
        arrive=clock(_moment(row.arrive_by), _moment(row.arrived_at), now),
        version=row.version,
    )


def _urgency() -> tuple[Any, ...]:
    """Most urgent first: the earliest respond-by, jobs without a deadline last (PostgreSQL
    walks ix_jobs_respond_by in this order and stops after a page)."""
    jobs = E["jobs"]
    return (jobs.c.respond_by.asc().nulls_last(), jobs.c.number)


def _page(
    conn: Connection, f: BoardFilter, unassigned: bool | None, offset: int, size: int = PAGE_SIZE
) -> list[Any]:
    """One page in urgency order: the ids are sorted on the narrow jobs table alone, then
    only that page's rows are joined and read."""
    jobs = E["jobs"]
    ids = (
        _where(select(jobs.c.id), f, unassigned)
        .order_by(*_urgency())
        .limit(size)
        .offset(offset)
        .subquery()
    )
    return list(
        conn.execute(_job_select().where(jobs.c.id.in_(select(ids.c.id))).order_by(*_urgency()))
    )


def _late(now: datetime) -> Any:
    """Open jobs past a deadline they have not answered (the same rule as ``SlaClock``)."""
    jobs = E["jobs"]
    return (
        (jobs.c.respond_by.is_not(None))
        & (
            (jobs.c.responded_at.is_(None) & (jobs.c.respond_by < now))
            | (jobs.c.responded_at > jobs.c.respond_by)
        )
    ) | (
        (jobs.c.arrive_by.is_not(None))
        & (
            (jobs.c.arrived_at.is_(None) & (jobs.c.arrive_by < now))
            | (jobs.c.arrived_at > jobs.c.arrive_by)
        )
    )


def _counts(
    conn: Connection, f: BoardFilter, now: datetime
) -> tuple[int, int, int, datetime | None]:
    """(matching, unassigned among them, breached among them, the next deadline after
    ``now`` one of them has still to meet: the breach count moves then without a write) in
    one pass over the jobs."""
    jobs = E["jobs"]

    def ahead(deadline: Any, answered: Any) -> Any:
        upcoming = case((answered.is_(None) & (deadline > now), deadline), else_=None)
        return func.min(type_coerce(upcoming, String))

    stmt = _where(
        select(
            func.count(),
            func.coalesce(func.sum(case((jobs.c.assigned_engineer == "", 1), else_=0)), 0),
            func.coalesce(func.sum(case((_late(now), 1), else_=0)), 0),
            ahead(jobs.c.respond_by, jobs.c.responded_at),
            ahead(jobs.c.arrive_by, jobs.c.arrived_at),
        ).select_from(jobs),
        f,
        None,
    )
    row = conn.execute(stmt).one()
    upcoming = [d for d in (_moment(row[3]), _moment(row[4])) if d is not None]
    return int(row[0]), int(row[1]), int(row[2]), min(upcoming) if upcoming else None


def _count(conn: Connection, f: BoardFilter, unassigned: bool | None) -> int:
    stmt = _where(select(func.count()).select_from(E["jobs"]), f, unassigned)
    return int(conn.scalar(stmt) or 0)


def _open_jobs(conn: Connection) -> dict[str, int]:
    """Each engineer's open jobs (an index-only scan of ix_jobs_engineer_status)."""
    jobs = E["jobs"]
    return dict(
        conn.execute(
            select(jobs.c.assigned_engineer, func.count())
            .where(jobs.c.status.in_(OPEN_STATUSES), jobs.c.assigned_engineer != "")
            .group_by(jobs.c.assigned_engineer)
        ).all()
    )


def engineer_loads(conn: Connection, counts: dict[str, int] | None = None) -> list[EngineerLoad]:
    """Every active engineer with their open jobs and their devices' last contact
    (``contact.device_contacts``), read at each view."""
    users = t.users
    counts = _open_jobs(conn) if counts is None else counts
    by_user: dict[int, list[DeviceContact]] = {}
    for c in device_contacts(conn):
        by_user.setdefault(c.user_id, []).append(c)
    rows = conn.execute(
        select(users.c.id, users.c.username, users.c.display_name)
        .where(users.c.role == "engineer", users.c.active.is_(True))
        .order_by(users.c.username)
    )
    out = []
    for row in rows:
        seen = latest(by_user.get(row.id, []))
        out.append(
            EngineerLoad(
                row.username,
                row.display_name,
                int(counts.get(row.username, 0)),
                seen.last_seen_at,
                seen.devices,
                seen.pending_changes,
            )
        )
    return out


def board_version(conn: Connection) -> str:
    """Changes whenever anything the board shows may have: a synced or office change (the
    change log), a job row (an unassigned job has no audience in the log), a device's
    contact. Indexed look-ups in one round trip; the page polls it every few seconds."""
    return version_of(stamp_of(conn))


def _jobs_part(conn: Connection, f: BoardFilter, now: datetime) -> JobsPart:
    customers = E["customers"]
    total, unassigned_count, breached, upcoming = _counts(conn, f, now)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(f.page, pages)
    lane_filter = f if f.engineer in ("", "-") else BoardFilter()
    # Every customer, for the filter (a service company has hundreds, not millions).
    customer_rows = conn.execute(
        select(customers.c.id, customers.c.name).order_by(customers.c.name).limit(1000)
    )
    return JobsPart(
        listed=_page(conn, f, None, (page - 1) * PAGE_SIZE),
        unassigned=_page(conn, lane_filter, True, 0, LANE_SIZE),
        total=total,
        unassigned_total=(
            unassigned_count if lane_filter is f else _count(conn, lane_filter, True)
        ),
        breached_total=breached,
        open_jobs=_open_jobs(conn),
        customers=[(r.id, r.name) for r in customer_rows],
        page=page,
        pages=pages,
        as_of=now,
        valid_until=upcoming,
    )


def load_board(engine: Engine, f: BoardFilter, now: datetime) -> Board:
    """The board at ``now``. Its job part is read afresh after any change (cache_for), the
    engineers' contacts at every view."""
    cache = cache_for(engine)
    with engine.connect() as conn:
        stamp = stamp_of(conn)  # before the data: what is read is at least this new
        key = (stamp[0], stamp[1], f)
        part = cache.get(key, now)
        if part is None:
            part = _jobs_part(conn, f, now)
            cache.put(key, part)
        return Board(
            jobs=[_to_job(r, now) for r in part.listed],
            unassigned=[_to_job(r, now) for r in part.unassigned],
            total=part.total,
            unassigned_total=part.unassigned_total,
            breached_total=part.breached_total,
            engineers=engineer_loads(conn, part.open_jobs),
            customers=part.customers,
            page=part.page,
            pages=part.pages,
            version=version_of(stamp),
            now=now,
            filter=f,
        )


def load_engineers(engine: Engine) -> list[EngineerLoad]:
    """The engineers' load alone (the assign page's choice of engineer)."""
    with engine.connect() as conn:
        return engineer_loads(conn)


def current_version(engine: Engine) -> str:
    with engine.connect() as conn:
        return board_version(conn)


def ago(then: datetime | None, now: datetime) -> timedelta | None:
    return None if then is None else now - then
