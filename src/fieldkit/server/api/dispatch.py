"""The office's routes (hotline reports, jobs, escalations, sites, reference data, users):
each calls one :class:`fieldkit.server.office.Office` use case, the same ones that
``fieldkit-server`` subcommands and the console call."""

# No `from __future__ import annotations`: FastAPI must evaluate the dependency aliases.
from typing import Any

from fastapi import APIRouter

from fieldkit.server.api.deps import ERRORS, OfficeCasesDep, OfficeDep
from fieldkit.server.errors import ApiError
from fieldkit.server.office import (
    Assigned,
    AssignIn,
    Created,
    EscalationEntry,
    Graded,
    JobIn,
    JobPatch,
    JobRef,
    JobSummary,
    Report,
    ReportIn,
    Revoked,
    SiteSummary,
    Unlocked,
)

router = APIRouter(prefix="/dispatch", tags=["dispatch"], responses=ERRORS)


@router.post("/reports", status_code=201)
def record_report(body: ReportIn, who: OfficeDep, office: OfficeCasesDep) -> Created:
    """Record a hotline report (a fault, a complaint, praise...); returns its id."""
    return Created(id=office.record_report(body, who.username))


@router.post("/reports/{report_id}/grade")
def grade_report(report_id: str, body: JobPatch, who: OfficeDep, office: OfficeCasesDep) -> Graded:
    """Give a report its fault level (1 most severe to 4)."""
    if body.severity is None:
        raise ApiError(422, "report.severity", "Give the fault level (1-4)")
    office.grade_report(report_id, body.severity)
    return Graded(id=report_id, severity=body.severity)


@router.get("/reports")
def list_reports(who: OfficeDep, office: OfficeCasesDep) -> list[Report]:
    """All hotline reports, newest first."""
    return office.reports()


@router.post("/jobs", status_code=201)
def create_job(body: JobIn, who: OfficeDep, office: OfficeCasesDep) -> Created:
    """Open a job at a site (deadlines from its contract), optionally answering a report."""
    return Created(id=office.create_job(body))


@router.post("/jobs/{job_id}/assign")
def assign(job_id: str, body: AssignIn, who: OfficeDep, office: OfficeCasesDep) -> Assigned:
    """Give a job to an engineer, or move it to another one."""
    office.assign(job_id, body.engineer, by=who.username)
    return Assigned(id=job_id, engineer=body.engineer)


@router.post("/jobs/{job_id}/close")
def close_job(job_id: str, who: OfficeDep, office: OfficeCasesDep) -> JobRef:
    """Close a resolved job."""
    office.close(job_id, by=who.username)
    return JobRef(id=job_id)


@router.patch("/jobs/{job_id}")
def patch_job(job_id: str, body: JobPatch, who: OfficeDep, office: OfficeCasesDep) -> JobRef:
    """Re-grade a job; its respond-by and arrive-by follow (the office owns severity)."""
    office.change_severity(job_id, body.severity, by=who.username)
    return JobRef(id=job_id)


@router.get("/escalations")
def escalations(who: OfficeDep, office: OfficeCasesDep) -> list[EscalationEntry]:
    """Open escalations, most severe first, oldest first within a level."""
    return office.escalations()


@router.get("/jobs")
def list_jobs(
    who: OfficeDep,
    office: OfficeCasesDep,
    engineer: str | None = None,
    status: str | None = None,
) -> list[JobSummary]:
    """Jobs by number, optionally one engineer's or in one status."""
    return office.jobs(engineer, status)


@router.get("/sites")
def list_sites(who: OfficeDep, office: OfficeCasesDep) -> list[SiteSummary]:
    """Sites by name."""
    return office.sites()


@router.put("/entities/{table}/{entity_id}")
def put_entity(
    table: str, entity_id: str, body: dict[str, Any], who: OfficeDep, office: OfficeCasesDep
) -> Created:
    """Create or replace reference data (customers, sites, devices, contracts...)."""
    return Created(id=office.put_entity(table, entity_id, body))


@router.post("/users/{username}/unlock")
def unlock(username: str, who: OfficeDep, office: OfficeCasesDep) -> Unlocked:
    """Lift the login delay of an account that failed logins have slowed down."""
    office.unlock_user(username, who.username)
    return Unlocked(username=username)


@router.post("/users/{username}/revoke")
def revoke(username: str, who: OfficeDep, office: OfficeCasesDep) -> Revoked:
    """End every login of a user (a lost or stolen tablet)."""
    return Revoked(revoked=office.revoke_user(username).logins)
