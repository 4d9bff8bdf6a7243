"""The center's answer to an escalation (the flow chart's "analyse what the engineer brought
back -> confirm -> re-assign"): a supervisor records the analysis and the plan, then
re-assigns the job or closes it. Each is one transaction. A re-assignment hands the next
engineer the whole job pack, the earlier escalations and their files included, plus the
center's analysis and plan as a work-log entry (kind ``center_plan``), so the next visit
starts where the last ended.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.engine import Connection

from fieldkit.domain import workflow
from fieldkit.domain.errors import DomainError
from fieldkit.i18n import N_
from fieldkit.server import dispatch, jobstate
from fieldkit.server import tables as t
from fieldkit.server.changes import ChangeWriter
from fieldkit.server.errors import ApiError

E = t.ENTITY
MAX_TEXT = 20000
CENTER_PLAN = "center_plan"  # the work-log kind the app shows with the escalation


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ReviewIn:
    analysis: str
    plan: str = ""
    labels: tuple[str, str] = ("Analysis", "Plan")  # the work-log note's headings


def _check(body: ReviewIn) -> None:
    if not body.analysis.strip():
        raise ApiError(422, "escalation.analysis", N_("Record the center's analysis first."))
    if len(body.analysis) > MAX_TEXT or len(body.plan) > MAX_TEXT:
        raise ApiError(422, "escalation.long", N_("The analysis or plan is too long."))


def _latest(conn: Connection, job_id: str) -> str:
    esc = E["escalations"]
    found = conn.scalar(
        select(esc.c.id).where(esc.c.job_id == job_id).order_by(esc.c.at.desc()).limit(1)
    )
    if found is None:
        raise ApiError(404, "escalation.unknown", N_("This job has no escalation."))
    return str(found)


def _escalated(conn: Connection, job_id: str) -> dict[str, Any]:
    job = jobstate.job_row(conn, job_id)
    if job is None:
        raise ApiError(404, "job.unknown", N_("No such job"))
    if job["status"] != "escalated":
        raise ApiError(
            409, "escalation.state", N_("This job is no longer escalated; reload the queue.")
        )
    return dict(job)


@dataclass
class OfficeEscalations:
    engine: Engine
    now: Callable[[], datetime] = _utcnow

    def _record(
        self, conn: Connection, job_id: str, body: ReviewIn, outcome: str, engineer: str, by: str
    ) -> None:
        conn.execute(
            insert(t.escalation_reviews).values(
                id=str(uuid.uuid4()),
                job_id=job_id,
                escalation_id=_latest(conn, job_id),
                analysis=body.analysis.strip(),
                plan=body.plan.strip(),
                outcome=outcome,
                engineer=engineer,
                by=by,
                at=self.now(),
            )
        )

    def note(self, job_id: str, body: ReviewIn, by: str) -> None:
        """Record the analysis and plan while the job waits (a part on order, the vendor)."""
        _check(body)
        with self.engine.begin() as conn:
            _escalated(conn, job_id)
            self._record(conn, job_id, body, "noted", "", by)

    def reassign(self, job_id: str, engineer: str, body: ReviewIn, by: str) -> None:
        _check(body)
        now = self.now()
        with self.engine.begin() as conn:
            _escalated(conn, job_id)
            self._record(conn, job_id, body, "reassigned", engineer, by)
            analysis, plan = body.labels
            text = f"{analysis}: {body.analysis.strip()}"
            if body.plan.strip():
                text += f"\n{plan}: {body.plan.strip()}"
            # Written before the assignment, so it travels in the job pack the engineer gets.
            conn.execute(
                insert(E["work_log"]).values(
                    id=str(uuid.uuid4()), job_id=job_id, kind=CENTER_PLAN, at=now, by=by, note=text
                )
            )
            writer = ChangeWriter(conn, now)
            # The job's audit trail keeps the analysis as the re-assignment's reason.
            dispatch.assign(
                conn, writer, job_id, engineer, now, by=by, reason=body.analysis.strip()[:2000]
            )
            writer.flush()

    def close(self, job_id: str, body: ReviewIn, by: str) -> None:
        """End the escalation without another visit; the analysis is the job's resolution."""
        _check(body)
        now = self.now()
        with self.engine.begin() as conn:
            job = _escalated(conn, job_id)
            try:
                after = workflow.apply(
                    jobstate.to_job(conn, job),
                    "close_escalation",
                    jobstate.job_context(conn, job_id),
                    now,
                    workflow.ActionArgs(resolution=body.analysis, actor=by),
                )
            except DomainError as exc:
                raise ApiError(409, "job.rule", str(exc)) from exc
            self._record(conn, job_id, body, "closed", "", by)
            conn.execute(
                update(E["jobs"])
                .where(E["jobs"].c.id == job_id)
                .values(
                    status=after.status.value,
                    resolution=after.resolution,
                    version=int(job["version"]) + 1,
                    updated_at=now,
                )
            )
            conn.execute(
                insert(t.job_events).values(
                    job_id=job_id,
                    at=now,
                    by=by,
                    action="close",
                    detail={"escalation": True, "reason": after.resolution[:2000]},
                )
            )
            writer = ChangeWriter(conn, now)
            if job["assigned_engineer"]:
                writer.upsert("jobs", job_id, {str(job["assigned_engineer"])})
            writer.flush()
