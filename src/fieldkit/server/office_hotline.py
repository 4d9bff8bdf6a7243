"""The hotline's use cases: take a call (record the report; for a fault, create the job linked
to it through :class:`Office`), close a fault resolved on the phone as a remote resolution by
walking the job through the domain's state machine, and follow complaints and suggestions to
closure. Errors are :class:`ApiError` (office) or :class:`DomainError` (a rule), each one
sentence."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Connection, insert, select, update

from fieldkit.domain import rules, workflow
from fieldkit.domain.enums import CauseArea, CauseOrigin, Channel, JobStatus, JobType
from fieldkit.domain.errors import DomainError, GuardFailed, InvalidValue
from fieldkit.domain.hotline import ensure_closable, ensure_kind, is_followed_up
from fieldkit.domain.messages import N_, Message
from fieldkit.server import tables as t
from fieldkit.server.changes import ChangeWriter
from fieldkit.server.errors import ApiError
from fieldkit.server.hotline import device_site, site_row
from fieldkit.server.jobstate import job_context, job_row, to_job
from fieldkit.server.office import JobIn, Office, ReportIn
from fieldkit.server.roles import OFFICE_ROLES

E = t.ENTITY
Outcome = Literal["record", "job", "remote"]
# The steps a fault resolved on the phone takes, each checked by the domain's state machine.
PHONE_PATH = ("accept", "start_diagnosis", "classify", "resolve_remotely", "close")


class CallIn(BaseModel):
    """What the operator typed during a call."""

    kind: str = Field(max_length=30)
    text: str = Field(max_length=20000)
    caller: str = Field(default="", max_length=120)
    customer_id: str | None = Field(default=None, max_length=36)
    site_id: str | None = Field(default=None, max_length=36)
    device_id: str | None = Field(default=None, max_length=36)
    severity: int | None = Field(default=None, ge=1, le=4)
    symptoms: str = Field(default="", max_length=20000)
    cause: str = Field(default="", max_length=20000)
    result: str = Field(default="", max_length=20000)
    guidance: str = Field(default="", max_length=20000)
    cause_area: str = Field(default="", max_length=20)
    cause_origin: str = Field(default="", max_length=20)


@dataclass(frozen=True)
class CallResult:
    report_id: str
    job_id: str | None = None
    job_number: str = ""
    billing: str = ""
    status: str = ""


@dataclass
class Hotline:
    office: Office

    def take_call(
        self,
        call: CallIn,
        outcome: Outcome,
        by: str,
        tr: Callable[[str], str] = lambda text: text,
    ) -> CallResult:
        """Record the call; a fault becomes an on-site job (``job``) or is closed as resolved
        on the phone (``remote``). Checked before anything is written. An on-site job's
        description carries what phone support found (labelled through ``tr``, the
        operator's language), so the engineer starts from there."""
        kind = ensure_kind(call.kind)
        if not call.text.strip():
            raise InvalidValue(Message(N_("Write down what the caller says")))
        fault = kind == "fault_report"
        if not fault and outcome != "record":
            raise InvalidValue(Message(N_("Only a fault becomes a job")))
        if fault:
            if outcome == "record":
                raise InvalidValue(Message(N_("A fault becomes a job: on site or by phone")))
            call = call.model_copy(update={"customer_id": self._check_fault(call)})
        if outcome == "remote":
            self._check_phone_resolution(call)
        report = ReportIn(
            kind=kind,  # type: ignore[arg-type]
            text=call.text,
            caller=call.caller,
            customer_id=call.customer_id or None,
            severity=call.severity if fault else None,
            site_id=call.site_id if fault else None,
            device_id=(call.device_id or None) if fault else None,
            symptoms=call.symptoms,
            cause=call.cause,
            result=call.result,
            guidance=call.guidance,
        )
        # One transaction: the report, its job and the phone resolution are all written, or
        # (a refusal or a failure at any step) none of them.
        with self.office.engine.begin() as conn:
            report_id = self.office.insert_report(conn, report, by)
            if not fault:
                return CallResult(report_id)
            assert call.site_id and call.severity
            writer = ChangeWriter(conn, self.office.now())
            job_id = self.office.insert_job(
                conn,
                writer,
                JobIn(
                    site_id=call.site_id,
                    device_id=call.device_id or None,
                    fault_description=call.text if outcome == "remote" else _described(call, tr),
                    severity=call.severity,
                    job_type=JobType.REMOTE_RESOLUTION
                    if outcome == "remote"
                    else JobType.CORRECTIVE_REPAIR,
                    channel=Channel.HOTLINE,
                    report_id=report_id,
                ),
            )
            if outcome == "remote":
                self._walk_phone(
                    conn,
                    writer,
                    job_id,
                    CauseArea(call.cause_area),
                    CauseOrigin(call.cause_origin),
                    _found(call),
                    call.result.strip(),
                    call.guidance.strip(),
                    by,
                )
            writer.flush()
            job = job_row(conn, job_id)
        assert job is not None
        return CallResult(report_id, job_id, job["number"], job["billing"], job["status"])

    def _check_fault(self, call: CallIn) -> str:
        """The site's customer, once the site and device fit the call."""
        if not call.site_id:
            raise InvalidValue(Message(N_("Choose the site of the fault")))
        if call.severity is None:
            raise InvalidValue(Message(N_("Choose the fault level (1-4)")))
        with self.office.engine.connect() as conn:
            site = site_row(conn, call.site_id)
            if site is None or (call.customer_id and site["customer_id"] != call.customer_id):
                raise InvalidValue(Message(N_("This site is not the customer's")))
            if call.device_id and device_site(conn, call.device_id) != call.site_id:
                raise InvalidValue(Message(N_("This device is not at the chosen site")))
            return str(site["customer_id"])

    @staticmethod
    def _check_phone_resolution(call: CallIn) -> None:
        """What resolving remotely will need (the walk checks it again, step by step)."""
        try:
            CauseArea(call.cause_area)
            CauseOrigin(call.cause_origin)
        except ValueError:
            raise GuardFailed(
                "resolve_remotely", Message(N_("Classify the cause before resolving"))
            ) from None
        if not call.result.strip():
            raise GuardFailed(
                "resolve_remotely", Message(N_("Describe how the fault was resolved"))
            )

    def resolve_by_phone(
        self,
        job_id: str,
        area: CauseArea,
        origin: CauseOrigin,
        found: str,
        resolution: str,
        guidance: str,
        by: str,
    ) -> None:
        """Close a remote-resolution job the operator resolved on the phone: accept, diagnose,
        classify the cause, resolve remotely and close, each step checked by the domain's
        rules (no status set by hand), in one transaction, with the work log it writes."""
        with self.office.engine.begin() as conn:
            writer = ChangeWriter(conn, self.office.now())
            self._walk_phone(conn, writer, job_id, area, origin, found, resolution, guidance, by)
            writer.flush()

    @staticmethod
    def _walk_phone(
        conn: Connection,
        writer: ChangeWriter,
        job_id: str,
        area: CauseArea,
        origin: CauseOrigin,
        found: str,
        resolution: str,
        guidance: str,
        by: str,
    ) -> None:
        """The walk of :meth:`resolve_by_phone` in the caller's transaction (which flushes
        ``writer``)."""
        now = writer.now
        engineer = ""
        for step in PHONE_PATH:
            row = job_row(conn, job_id)
            if row is None:
                raise ApiError(404, "job.unknown", "No such job")
            engineer = row["assigned_engineer"]
            values: dict[str, Any]
            try:
                if step == "classify":
                    rules.ensure_classifiable(JobStatus(row["status"]))
                    values = {
                        "cause_area": area.value,
                        "cause_origin": origin.value,
                        "fault_found": found,
                    }
                else:
                    after = workflow.apply(
                        to_job(conn, row),
                        step,
                        job_context(conn, job_id),
                        now,
                        workflow.ActionArgs(resolution=resolution, actor=by),
                    )
                    values = {
                        "status": after.status.value,
                        "responded_at": after.responded_at,
                        "resolution": after.resolution,
                    }
            except DomainError as exc:
                raise ApiError(409, "job.rule", str(exc)) from exc
            conn.execute(
                update(E["jobs"])
                .where(E["jobs"].c.id == job_id)
                .values(**values, version=row["version"] + 1, updated_at=now)
            )
            kind = rules.work_log_kind(step)
            note = guidance if step == "resolve_remotely" else ""
            if kind:
                conn.execute(
                    insert(E["work_log"]).values(
                        id=str(uuid.uuid4()), job_id=job_id, kind=kind, at=now, by=by, note=note
                    )
                )
        if engineer:  # a remote job someone held: their device learns it is closed
            writer.upsert("jobs", job_id, {engineer})

    # -- follow-ups ----------------------------------------------------------------------
    def follow_up(self, report_id: str, owner: str, response: str, close: bool, by: str) -> None:
        """Save a complaint's or suggestion's owner and response; ``close`` also closes it
        (``domain.hotline.ensure_closable``)."""
        now = self.office.now()
        r = t.hotline_reports
        with self.office.engine.begin() as conn:
            row = conn.execute(select(r).where(r.c.id == report_id)).mappings().first()
            if row is None:
                raise ApiError(404, "report.unknown", "No such report")
            if not is_followed_up(row["kind"]):
                raise InvalidValue(Message(N_("Only complaints and suggestions are followed up")))
            if row["closed_at"] is not None:
                raise InvalidValue(Message(N_("This follow-up is already closed")))
            owner = owner.strip()
            if owner and not conn.scalar(
                select(t.users.c.id).where(
                    t.users.c.username == owner,
                    t.users.c.role.in_(OFFICE_ROLES),
                    t.users.c.active.is_(True),
                )
            ):
                raise InvalidValue(Message(N_("The owner must be one of the center's staff")))
            values: dict[str, object] = {"owner": owner, "response": response}
            if close:
                ensure_closable(row["kind"], False, owner, response)
                values |= {"closed_at": now, "closed_by": by}
            conn.execute(update(r).where(r.c.id == report_id).values(**values))


PHONE_NOTES = (
    ("symptoms", N_("Symptoms")),
    ("cause", N_("Cause")),
    ("result", N_("Result")),
    ("guidance", N_("Guidance given")),
)


def _described(call: CallIn, tr: Callable[[str], str]) -> str:
    """The caller's words, then what phone support recorded, one labelled line each."""
    notes = [
        tr(N_("{label}: {text}")).format(label=tr(label), text=getattr(call, name).strip())
        for name, label in PHONE_NOTES
        if getattr(call, name).strip()
    ]
    return "\n\n".join([call.text.strip(), "\n".join(notes)]) if notes else call.text


def _found(call: CallIn) -> str:
    """What the job's record says was found: the symptoms described and the cause."""
    return "\n".join(x for x in (call.symptoms.strip(), call.cause.strip()) if x)
