"""Service slips: build the canonical content from the record, sign, lock, supersede."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldkit.domain import record_rows, rules, workflow
from fieldkit.domain.enums import JobStatus, QuoteStatus, SignerRole
from fieldkit.domain.errors import InvalidValue
from fieldkit.domain.signature import SignatureCapture
from fieldkit.domain.sla import job_sla
from fieldkit.domain.slip import SCHEMA, SignedSlip, SlipDraft
from fieldkit.domain.slip_payload import (
    BackupFact,
    PartFact,
    Satisfaction,
    SignatureFact,
    SlipFacts,
    backup_facts,
    check_payload,
    check_satisfaction,
    local_time,
    slip_payload,
)
from fieldkit.domain.workflow import JobContext
from fieldkit.protocol.mutations import JobTransitionV1, SlipSignV1
from fieldkit.services import device_key
from fieldkit.services.context import ServiceContext
from fieldkit.services.jobs import job_context
from fieldkit.services.records import (
    NotFound,
    backup_run,
    checklist_answers,
    checklist_items,
    contract_sla,
    job_row,
    to_domain_job,
    to_domain_quote,
)
from fieldkit.services.signatures import signature_payload, store_signature
from fieldkit.services.transaction import Changed, transaction
from fieldkit.store import models as m


def _strokes_sha(strokes: list[list[list[float]]]) -> str:
    return hashlib.sha256(json.dumps(strokes, separators=(",", ":")).encode()).hexdigest()


def _work_log_times(session: Session, job_id: str) -> dict[str, datetime | None]:
    """First arrival and start, last finish: when the engineer was on the job."""
    rows = session.scalars(
        select(m.WorkLogEntry)
        .where(m.WorkLogEntry.job_id == job_id)
        .order_by(m.WorkLogEntry.at, m.WorkLogEntry.id)
    ).all()
    first = {k: next((r.at for r in rows if r.kind == k), None) for k in ("arrived", "started")}
    finished = [r.at for r in rows if r.kind == "finished"]
    return {**first, "finished": finished[-1] if finished else None}


def slip_facts(session: Session, job_id: str, engineer_name: str | None = None) -> SlipFacts:
    """Everything the slip reports, gathered from the record at signing time."""
    job = job_row(session, job_id)
    customer = session.get(m.Customer, job.customer_id)
    site = session.get(m.Site, job.site_id)
    assert customer is not None and site is not None  # foreign keys
    device = session.get(m.Device, job.device_id) if job.device_id else None
    backup: list[BackupFact] = []
    run = backup_run(session, job_id)
    if run is not None:
        backup = backup_facts(checklist_items(session, run.id), checklist_answers(session, run.id))
    approved = session.scalars(
        select(m.Quote)
        .where(m.Quote.job_id == job_id, m.Quote.status == QuoteStatus.APPROVED.value)
        .order_by(m.Quote.decided_at.desc(), m.Quote.number.desc())
    ).first()
    quote = to_domain_quote(session, approved) if approved is not None else None
    approved_prices = {
        line.part_no: line.unit_price.amount
        for line in (quote.lines if quote else ())
        if line.part_no
    }
    parts = [
        PartFact(
            r.part_no,
            r.quantity,
            r.paid,
            approved_prices.get(r.part_no) if r.paid else None,
            r.serial_removed,
            r.serial_installed,
        )
        for r in session.scalars(
            select(m.PartReplacement)
            .where(m.PartReplacement.job_id == job_id)
            .order_by(m.PartReplacement.at)
        )
    ]
    sla = job_sla(
        contract_sla(session, job.contract_id),
        to_domain_job(session, job).severity,
        job.reported_at,
        job.responded_at,
        job.arrived_at,
    )
    now = job.updated_at
    times = _work_log_times(session, job_id)
    return SlipFacts(
        job_number=job.number,
        job_type=job.job_type,
        severity=job.severity,
        reported_at=job.reported_at,
        channel=job.channel,
        billing=job.billing,
        customer_name=customer.name,
        customer_name_en=customer.name_en,
        site_name=site.name,
        site_address=site.address,
        site_timezone=site.timezone,
        device=(device.name, device.model, device.serial) if device else None,
        fault_reported=job.fault_description,
        fault_found=job.fault_found,
        cause_area=job.cause_area,
        cause_origin=job.cause_origin,
        work_performed=job.resolution,
        confirmed_with=job.confirmed_with,
        sla_respond=sla.respond.state(now).value,
        sla_arrive=sla.arrive.state(now).value,
        engineer_username=job.assigned_engineer or "",
        engineer_name=engineer_name or job.assigned_engineer or "",
        arrived_at=times["arrived"] or job.arrived_at,
        started_at=times["started"],
        finished_at=times["finished"],
        backup=tuple(backup),
        parts=tuple(parts),
        quote_number=approved.number if approved is not None else None,
        quote=quote,
    )


def slip_content(
    session: Session,
    job_id: str,
    satisfaction: Satisfaction | None,
    comments: str,
    engineer_name: str | None = None,
    customer_absent: str | None = None,
) -> dict[str, Any]:
    """The payload the customer would sign now (no signatures yet): previews use it."""
    return slip_payload(
        slip_facts(session, job_id, engineer_name), satisfaction, comments, (), customer_absent
    )


def signature_fact(capture: SignatureCapture, at: datetime) -> SignatureFact:
    return SignatureFact(capture.role, capture.signer_name, at, _strokes_sha(capture.as_lists()))


@dataclass(frozen=True, slots=True)
class SlipIds:
    slip_id: str
    job_id: str
    number: str
    supersedes_id: str | None = None


def signed_slip(
    facts: SlipFacts,
    satisfaction: Satisfaction | None,
    comments: str,
    captures: list[SignatureCapture],
    at: datetime,
    ids: SlipIds,
    customer_absent: str | None = None,
) -> SignedSlip:
    """The signed canonical slip from the record's facts: the one path every slip takes (the
    app's signing, the demo data set), checked by the rule the center checks again."""
    content = slip_payload(
        facts, satisfaction, comments, [signature_fact(c, at) for c in captures], customer_absent
    )
    content["number"] = ids.number
    check_payload({**content, "schema": SCHEMA})
    return SlipDraft(ids.slip_id, ids.job_id, content, ids.supersedes_id).sign(at)


def sign_slip(
    ctx: ServiceContext,
    job_id: str,
    customer: SignatureCapture,
    engineer: SignatureCapture | None,
    satisfaction: Satisfaction,
    comments: str = "",
    supersedes_id: str | None = None,
) -> Changed:
    """Customer signs the slip for a resolved job: the slip is locked and the job is signed.

    With ``supersedes_id`` this is a correction: the job is already signed, the old slip
    stays on record and the new one points to it.
    """
    if customer.role is not SignerRole.CUSTOMER:
        raise InvalidValue("The slip must be signed by the customer")
    check_satisfaction(satisfaction)
    return _lock_slip(ctx, job_id, customer, engineer, satisfaction, comments, supersedes_id)


def lock_without_customer(
    ctx: ServiceContext,
    job_id: str,
    engineer: SignatureCapture,
    reason: str,
    supersedes_id: str | None = None,
) -> Changed:
    """The customer is not present or refuses to sign: the engineer signs, records why, and
    the slip is locked without a customer signature (the slip and its PDF say so)."""
    if not reason.strip():
        raise InvalidValue("Say why the customer does not sign")
    return _lock_slip(ctx, job_id, None, engineer, None, "", supersedes_id, reason)


def _lock_slip(
    ctx: ServiceContext,
    job_id: str,
    customer: SignatureCapture | None,
    engineer: SignatureCapture | None,
    satisfaction: Satisfaction | None,
    comments: str,
    supersedes_id: str | None,
    customer_absent: str | None = None,
) -> Changed:
    if engineer is not None and engineer.role is not SignerRole.ENGINEER:
        raise InvalidValue("The second signature must be the engineer's")
    now = ctx.clock.now()
    device_key.private_key(ctx)  # load or create it now: it may write a setting
    with transaction(ctx) as tx:
        job = job_row(tx.session, job_id)
        status = JobStatus(job.status)
        if supersedes_id is None:
            workflow.check(
                to_domain_job(tx.session, job),
                "sign",
                JobContext(job_context(tx, job_id).backup, has_signed_slip=True),
            )
        else:
            old = tx.session.get(m.Slip, supersedes_id)
            if old is None or old.job_id != job_id:
                raise NotFound("The slip to correct is not on this device")
            rules.ensure_slip_signable(status, correcting=True)
        captures = [c for c in (customer, engineer) if c is not None]
        count = tx.session.scalar(select(func.count()).where(m.Slip.job_id == job_id)) or 0
        number = rules.slip_number(job.number, count + 1)
        signed = signed_slip(
            slip_facts(tx.session, job_id, engineer.signer_name if engineer else None),
            satisfaction,
            comments,
            captures,
            now,
            SlipIds(m.new_id(), job_id, number, supersedes_id),
            customer_absent,
        )
        cust_id = store_signature(tx, customer, now) if customer is not None else None
        eng_id = store_signature(tx, engineer, now) if engineer is not None else None
        device_signature, device_public = device_key.sign_hash(ctx, signed.sha256)
        tx.session.add(
            m.Slip(
                **record_rows.slip_row(
                    signed, number, cust_id, eng_id, device_signature, device_public
                )
            )
        )
        tx.session.flush()
        args = SlipSignV1.checked(
            slip_id=signed.id,
            number=number,
            canonical=signed.canonical,
            sha256=signed.sha256,
            supersedes=supersedes_id,
            customer_signature_id=cust_id,
            engineer_signature_id=eng_id,
            signatures=[signature_payload(tx, s) for s in (cust_id, eng_id) if s],
            job_id=job_id,
            signed_at=now,
            device_signature=device_signature,
            device_public_key=device_public,
        )
        mid = tx.emit(args, signed.id)
        audit = {"sha256": signed.sha256, "number": number}
        if customer_absent:
            audit["customer_absent"] = customer_absent.strip()
        tx.audit("slip.sign", "slip", signed.id, audit, mid)
        if supersedes_id is None:
            base = job.version
            job.status, job.version, job.updated_at = JobStatus.SIGNED.value, job.version + 1, now
            t_args = JobTransitionV1.checked(
                action="sign", at=now, to=JobStatus.SIGNED.value, slip_id=signed.id
            )
            mid = tx.emit(t_args, job_id, base)
            tx.audit("job.sign", "job", job_id, {"from": status.value, "to": "signed"}, mid)
        return Changed(
            frozenset({job_id}),
            frozenset({"job", "slip", "outbox"}),
            tuple(tx.mutation_ids),
            signed.id,
        )


@dataclass(frozen=True, slots=True)
class OnSiteTimes:
    """The work log's times as the slip prints them: the site's local time with its offset."""

    timezone: str
    arrived: str
    started: str
    finished: str


def on_site_times(ctx: ServiceContext, job_id: str) -> OnSiteTimes:
    with ctx.db.read() as session:
        job = job_row(session, job_id)
        site = session.get(m.Site, job.site_id)
        zone = site.timezone if site is not None else None
        times = _work_log_times(session, job_id)
    shown = {k: local_time(v, zone) if v else "-" for k, v in times.items()}
    return OnSiteTimes(zone or "UTC", shown["arrived"], shown["started"], shown["finished"])


def load_slip(ctx: ServiceContext, slip_id: str) -> SignedSlip:
    with ctx.db.read() as session:
        row = session.get(m.Slip, slip_id)
        if row is None:
            raise NotFound(f"Slip {slip_id} is not on this device")
        return SignedSlip(
            row.id, row.job_id, row.canonical, row.content_sha256, row.signed_at, row.supersedes_id
        )
