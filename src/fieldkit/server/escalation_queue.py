"""What the escalation queue shows: every escalated job, most severe first and oldest first
within a level, with what the engineer brought back (reason, findings, category, files), the
job's earlier escalations and the center's reviews. Read only; the writes are in
:mod:`fieldkit.server.office_escalations`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.engine import Connection, Engine

from fieldkit.server import tables as t

E = t.ENTITY


@dataclass(frozen=True)
class EscalationFile:
    filename: str
    size: int
    sha256: str
    mime: str


@dataclass(frozen=True)
class EscalationRecord:
    id: str
    at: datetime
    by: str
    reason: str
    findings: str
    category: str
    files: list[EscalationFile] = field(default_factory=list)


@dataclass(frozen=True)
class Review:
    at: datetime
    by: str
    analysis: str
    plan: str
    outcome: str  # noted | reassigned | closed
    engineer: str


@dataclass(frozen=True)
class QueueItem:
    job_id: str
    number: str
    severity: int
    status: str
    assigned_engineer: str
    customer: str
    site: str
    timezone: str
    fault_description: str
    latest: EscalationRecord
    earlier: list[EscalationRecord]
    reviews: list[Review]

    def age_hours(self, now: datetime) -> float:
        return max(0.0, (now - self.latest.at).total_seconds() / 3600)


def _records(conn: Connection, job_id: str) -> list[EscalationRecord]:
    esc, att = E["escalations"], E["attachments"]
    files: dict[str, list[EscalationFile]] = {}
    for a in conn.execute(
        select(att)
        .where(att.c.job_id == job_id, att.c.escalation_id.is_not(None))
        .order_by(att.c.filename)
    ).mappings():
        files.setdefault(a["escalation_id"], []).append(
            EscalationFile(a["filename"], a["size_bytes"], a["blob_sha256"], a["mime"])
        )
    return [
        EscalationRecord(
            r["id"],
            r["at"],
            r["by"],
            r["reason"],
            r["findings"],
            r["category"],
            files.get(r["id"], []),
        )
        for r in conn.execute(
            select(esc).where(esc.c.job_id == job_id).order_by(esc.c.at.desc())
        ).mappings()
    ]


def reviews(conn: Connection, job_id: str) -> list[Review]:
    rv = t.escalation_reviews
    return [
        Review(r["at"], r["by"], r["analysis"], r["plan"], r["outcome"], r["engineer"])
        for r in conn.execute(
            select(rv).where(rv.c.job_id == job_id).order_by(rv.c.at.desc())
        ).mappings()
    ]


def _item(conn: Connection, job: dict[str, Any]) -> QueueItem | None:
    records = _records(conn, str(job["id"]))
    if not records:
        return None
    return QueueItem(
        job_id=str(job["id"]),
        number=str(job["number"]),
        severity=int(job["severity"]),
        status=str(job["status"]),
        assigned_engineer=str(job["assigned_engineer"]),
        customer=str(job["customer"]),
        site=str(job["site"]),
        timezone=str(job["timezone"] or "UTC"),
        fault_description=str(job["fault_description"]),
        latest=records[0],
        earlier=records[1:],
        reviews=reviews(conn, str(job["id"])),
    )


def _jobs_stmt() -> Select[Any]:
    jobs, customers, sites = E["jobs"], E["customers"], E["sites"]
    return (
        select(
            jobs.c.id,
            jobs.c.number,
            jobs.c.severity,
            jobs.c.status,
            jobs.c.assigned_engineer,
            jobs.c.fault_description,
            customers.c.name.label("customer"),
            sites.c.name.label("site"),
            sites.c.timezone,
        )
        .join(customers, customers.c.id == jobs.c.customer_id)
        .join(sites, sites.c.id == jobs.c.site_id)
    )


def open_escalations(engine: Engine) -> list[QueueItem]:
    """Escalated jobs: level 1 first, the longest waiting first within a level."""
    jobs = E["jobs"]
    with engine.connect() as conn:
        rows = conn.execute(_jobs_stmt().where(jobs.c.status == "escalated")).mappings().all()
        items = [i for i in (_item(conn, dict(r)) for r in rows) if i is not None]
    return sorted(items, key=lambda i: (i.severity, i.latest.at))


def escalation(engine: Engine, job_id: str) -> QueueItem | None:
    """One job's escalations and reviews, whatever its status now."""
    jobs = E["jobs"]
    with engine.connect() as conn:
        row = conn.execute(_jobs_stmt().where(jobs.c.id == job_id)).mappings().first()
        return _item(conn, dict(row)) if row else None


def engineers(engine: Engine) -> list[tuple[str, str]]:
    """Active engineers (user name, display name) a job can be re-assigned to."""
    users = t.users
    with engine.connect() as conn:
        return [
            (r.username, r.display_name)
            for r in conn.execute(
                select(users.c.username, users.c.display_name)
                .where(users.c.role == "engineer", users.c.active.is_(True))
                .order_by(users.c.username)
            )
        ]
