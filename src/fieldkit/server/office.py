"""The service center office's use cases, one transaction each: record and grade a hotline
report, create, assign, re-grade and close a job, the escalation queue, reference data,
users (create, unlock, revoke, remote wipe) and pruning the change log. The HTTP API, the
console and `fieldkit-server` subcommands all call these, so an office action means the same
thing whichever door it came through; no SQL lives in the routes. Errors are
:class:`ApiError` with a code and one plain sentence."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Connection, Engine, insert, select, update

from fieldkit.domain.enums import Channel, JobType
from fieldkit.server import auth, changes, dispatch, jobstate
from fieldkit.server import tables as t
from fieldkit.server.changes import ChangeWriter
from fieldkit.server.errors import ApiError

ReportKind = Literal[
    "fault_report",
    "complaint",
    "praise",
    "suggestion",
    "consultation",
    "project_info",
    "customer_need",
]


class ReportIn(BaseModel):
    kind: ReportKind
    text: str = Field(min_length=1, max_length=20000)
    caller: str = Field(default="", max_length=120)
    customer_id: str | None = Field(default=None, max_length=36)
    severity: int | None = Field(default=None, ge=1, le=4)
    site_id: str | None = Field(default=None, max_length=36)
    device_id: str | None = Field(default=None, max_length=36)
    # A fault handled on the phone: what was described, found, achieved and advised.
    symptoms: str = Field(default="", max_length=20000)
    cause: str = Field(default="", max_length=20000)
    result: str = Field(default="", max_length=20000)
    guidance: str = Field(default="", max_length=20000)


class JobIn(BaseModel):
    site_id: str = Field(max_length=36)
    device_id: str | None = Field(default=None, max_length=36)
    fault_description: str = Field(min_length=1, max_length=20000)
    severity: int = Field(ge=1, le=4)
    job_type: JobType = JobType.CORRECTIVE_REPAIR
    channel: Channel = Channel.HOTLINE
    engineer: str | None = Field(default=None, max_length=80)
    report_id: str | None = Field(default=None, max_length=36)
    reported_at: datetime | None = None


class AssignIn(BaseModel):
    engineer: str = Field(min_length=1, max_length=80)


class JobPatch(BaseModel):
    severity: int | None = Field(default=None, ge=1, le=4)


# -- what the office routes answer ----------------------------------------------------------
class Created(BaseModel):
    id: str


class JobRef(BaseModel):
    id: str


class Graded(BaseModel):
    id: str  # the report's id
    severity: int


class Assigned(BaseModel):
    id: str  # the job's id
    engineer: str


class Unlocked(BaseModel):
    username: str
    status: Literal["unlocked"] = "unlocked"


class Revoked(BaseModel):
    revoked: int  # logins ended


@dataclass(frozen=True)
class Revocation:
    logins: int  # tokens revoked
    wipes: int  # devices told to erase their synced data at their next request


class Report(BaseModel):
    id: str
    kind: str
    customer_id: str | None
    caller: str
    text: str
    severity: int | None
    job_id: str | None
    recorded_by: str
    at: datetime
    site_id: str | None = None
    device_id: str | None = None
    owner: str = ""
    response: str = ""
    closed_at: datetime | None = None


class EscalationEntry(BaseModel):
    id: str  # the job's id
    number: str
    severity: int
    assigned_engineer: str
    reason: str
    findings: str
    category: str
    at: datetime


class JobSummary(BaseModel):
    id: str
    number: str
    status: str
    severity: int
    assigned_engineer: str
    version: int


class SiteSummary(BaseModel):
    id: str
    name: str
    customer_id: str
    contract_id: str | None


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _event(
    conn: Connection, job_id: str, now: datetime, by: str, action: str, detail: dict[str, Any]
) -> None:
    conn.execute(
        insert(t.job_events).values(job_id=job_id, at=now, by=by, action=action, detail=detail)
    )


@dataclass
class Office:
    """The office's operations on one center database. ``by`` names who acted (a user name,
    or ``fieldkit-server`` for the command line) in what the center records."""

    engine: Engine
    now: Callable[[], datetime] = _utcnow

    # -- hotline -------------------------------------------------------------------------
    def record_report(self, body: ReportIn, by: str) -> str:
        with self.engine.begin() as conn:
            return self.insert_report(conn, body, by)

    def insert_report(self, conn: Connection, body: ReportIn, by: str) -> str:
        """The report, written in the caller's transaction (the hotline's intake writes it
        and the job in one)."""
        report_id = str(uuid.uuid4())
        for table, key in (("sites", body.site_id), ("devices", body.device_id)):
            known = t.ENTITY[table]
            if key and conn.scalar(select(known.c.id).where(known.c.id == key)) is None:
                raise ApiError(404, f"{table[:-1]}.unknown", f"No such {table[:-1]}")
        conn.execute(
            insert(t.hotline_reports).values(
                id=report_id,
                kind=body.kind,
                customer_id=body.customer_id,
                caller=body.caller,
                text=body.text,
                severity=body.severity,
                site_id=body.site_id,
                device_id=body.device_id,
                symptoms=body.symptoms,
                cause=body.cause,
                result=body.result,
                guidance=body.guidance,
                job_id=None,
                recorded_by=by,
                at=self.now(),
            )
        )
        return report_id

    def grade_report(self, report_id: str, severity: int) -> None:
        with self.engine.begin() as conn:
            result = conn.execute(
                update(t.hotline_reports)
                .where(t.hotline_reports.c.id == report_id)
                .values(severity=severity)
            )
            if result.rowcount == 0:
                raise ApiError(404, "report.unknown", "No such report")

    def reports(self) -> list[Report]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.hotline_reports).order_by(t.hotline_reports.c.at.desc()))
            return [Report.model_validate(dict(r)) for r in rows.mappings()]

    # -- jobs ----------------------------------------------------------------------------
    def create_job(self, body: JobIn) -> str:
        with self.engine.begin() as conn:
            writer = ChangeWriter(conn, self.now())
            job_id = self.insert_job(conn, writer, body)
            writer.flush()
        return job_id

    def insert_job(self, conn: Connection, writer: ChangeWriter, body: JobIn) -> str:
        """The job (linked to its report), written in the caller's transaction; the caller
        flushes ``writer``."""
        when = body.reported_at or writer.now
        if when.tzinfo is None:
            raise ApiError(422, "request.invalid", "reported_at needs a time zone")
        job_id = dispatch.create_job(
            conn, writer, {**body.model_dump(), "reported_at": when}, writer.now
        )
        if body.report_id:
            linked = conn.execute(
                update(t.hotline_reports)
                .where(t.hotline_reports.c.id == body.report_id)
                .values(job_id=job_id, severity=body.severity)
            )
            if linked.rowcount == 0:
                raise ApiError(404, "report.unknown", "No such report")
        return job_id

    def assign(
        self,
        job_id: str,
        engineer: str,
        by: str = "",
        reason: str = "",
        require_reason: bool = False,
    ) -> None:
        """Give the job to ``engineer``; ``reason`` is kept with the assignment and in the
        job's audit trail. ``require_reason``: a re-assignment must say why (the console)."""
        reason = reason.strip()
        if len(reason) > 2000:
            raise ApiError(422, "job.reason", "Keep the reason under 2000 characters")
        now = self.now()
        with self.engine.begin() as conn:
            if require_reason and not reason:
                job = jobstate.job_row(conn, job_id)
                if job is not None and job["assigned_engineer"] not in ("", engineer):
                    raise ApiError(
                        422, "job.reason", "Say why the job changes hands, then re-assign it"
                    )
            writer = ChangeWriter(conn, now)
            dispatch.assign(conn, writer, job_id, engineer, now, by=by, reason=reason)
            writer.flush()

    def close(self, job_id: str, by: str = "") -> None:
        now = self.now()
        with self.engine.begin() as conn:
            writer = ChangeWriter(conn, now)
            dispatch.close(conn, writer, job_id, now)
            _event(conn, job_id, now, by, "close", {})
            writer.flush()

    def change_severity(
        self, job_id: str, severity: int | None, by: str = "", reason: str = ""
    ) -> None:
        """Re-grade a job; its respond-by and arrive-by follow the contract's new terms.
        ``None`` changes nothing but still says whether the job exists."""
        now = self.now()
        with self.engine.begin() as conn:
            writer = ChangeWriter(conn, now)
            before = jobstate.job_row(conn, job_id)
            if before is None:
                raise ApiError(404, "job.unknown", "No such job")
            if severity is not None:
                dispatch.change_severity(conn, writer, job_id, severity, now)
            if severity is not None and severity != before["severity"]:
                after = jobstate.job_row(conn, job_id)
                assert after is not None
                detail = {
                    "from": before["severity"],
                    "to": severity,
                    "reason": reason.strip()[:2000],
                    "respond_by": _iso(after["respond_by"]),
                    "arrive_by": _iso(after["arrive_by"]),
                }
                _event(conn, job_id, now, by, "severity", detail)
            writer.flush()

    def jobs(self, engineer: str | None = None, status: str | None = None) -> list[JobSummary]:
        jobs = t.ENTITY["jobs"]
        stmt = select(
            jobs.c.id,
            jobs.c.number,
            jobs.c.status,
            jobs.c.severity,
            jobs.c.assigned_engineer,
            jobs.c.version,
        ).order_by(jobs.c.number)
        if engineer:
            stmt = stmt.where(jobs.c.assigned_engineer == engineer)
        if status:
            stmt = stmt.where(jobs.c.status == status)
        with self.engine.connect() as conn:
            return [JobSummary.model_validate(dict(r)) for r in conn.execute(stmt).mappings()]

    def sites(self) -> list[SiteSummary]:
        sites = t.ENTITY["sites"]
        stmt = select(sites.c.id, sites.c.name, sites.c.customer_id, sites.c.contract_id)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt.order_by(sites.c.name)).mappings()
            return [SiteSummary.model_validate(dict(r)) for r in rows]

    def escalations(self) -> list[EscalationEntry]:
        """Open escalations, most severe first, oldest first within a level."""
        jobs, esc = t.ENTITY["jobs"], t.ENTITY["escalations"]
        stmt = (
            select(
                jobs.c.id,
                jobs.c.number,
                jobs.c.severity,
                jobs.c.assigned_engineer,
                esc.c.reason,
                esc.c.findings,
                esc.c.category,
                esc.c.at,
            )
            .join(esc, esc.c.job_id == jobs.c.id)
            .where(jobs.c.status == "escalated")
            .order_by(jobs.c.severity, esc.c.at)
        )
        with self.engine.connect() as conn:
            return [EscalationEntry.model_validate(dict(r)) for r in conn.execute(stmt).mappings()]

    def put_entity(self, table: str, entity_id: str, body: dict[str, Any]) -> str:
        """Reference data (customers, sites, devices, contracts...) from the office's systems."""
        nested = sorted(k for k, v in body.items() if isinstance(v, dict | list))
        if nested:
            raise ApiError(422, "entity.value", "Fields must be plain values", fields=nested[:20])
        now = self.now()
        with self.engine.begin() as conn:
            writer = ChangeWriter(conn, now)
            key = dispatch.upsert_entity(conn, writer, table, body)
            if key != entity_id:
                raise ApiError(422, "entity.id", "The id in the path and the body differ")
            writer.flush()
        return key

    # -- people --------------------------------------------------------------------------
    def unlock_user(self, username: str, by: str) -> None:
        """Lift the login delay of an account that failed logins have slowed down."""
        with self.engine.begin() as conn:
            if not auth.unlock(conn, username, self.now(), by):
                raise ApiError(404, "user.unknown", "No such user")

    def create_user(self, username: str, password: str, role: str, display_name: str = "") -> int:
        with self.engine.begin() as conn:
            return auth.create_user(conn, username, password, role, display_name)

    def revoke_user(self, username: str, *, wipe: bool = False) -> Revocation:
        """End every login of a user (a stolen tablet); with ``wipe``, also make the user's
        devices erase their synced data at their next request. One transaction."""
        now = self.now()
        with self.engine.begin() as conn:
            logins = auth.revoke_user_tokens(conn, username, now)
            wipes = auth.request_wipe(conn, username, now) if wipe else 0
        return Revocation(logins, wipes)

    # -- housekeeping --------------------------------------------------------------------
    def prune_changes(self, older_than: timedelta) -> int:
        """Drop change-log rows older than ``older_than``; returns the seq pruned through."""
        with self.engine.begin() as conn:
            return changes.prune(conn, older_than, self.now())
