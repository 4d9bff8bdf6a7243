"""Service slips: build the canonical content from the record, sign, lock, supersede."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldkit.domain import rules, workflow
from fieldkit.domain.enums import JobStatus, QuoteStatus, SignerRole
from fieldkit.domain.errors import InvalidValue
from fieldkit.domain.signature import SignatureCapture
from fieldkit.domain.sla import job_sla
from fieldkit.domain.slip import SignedSlip, SlipDraft
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
)
from fieldkit.services.signatures import signature_payload, store_signature
from fieldkit.services.transaction import Changed, transaction
from fieldkit.store import models as m


def _strokes_sha(strokes: list[list[list[float]]]) -> str:
    return hashlib.sha256(json.dumps(strokes, separators=(",", ":")).encode()).hexdigest()


def slip_content(session: Session, job_id: str, satisfaction: int, comments: str) -> dict[str, Any]:
    """Everything the customer signs for, gathered from the record at signing time."""
    job = job_row(session, job_id)
    customer = session.get(m.Customer, job.customer_id)
    site = session.get(m.Site, job.site_id)
    assert customer is not None and site is not None  # foreign keys
    device = session.get(m.Device, job.device_id) if job.device_id else None
    backup: list[dict[str, Any]] = []
    run = backup_run(session, job_id)
    if run is not None:
        latest = {
            a.item_id: a
            for a in sorted(checklist_answers(session, run.id), key=lambda a: a.recorded_at)
        }
        for item in checklist_items(session, run.id):
            ans = latest.get(item.id)
            backup.append(
                {
                    "item": item.label,
                    "at": ans.recorded_at if ans else None,
                    "sha256": ans.blob_sha256 if ans else None,
                    "note": ans.text if ans else "",
                }
            )
    approved_prices = {
        line.part_no: line.unit_price
        for q in session.scalars(
            select(m.Quote).where(
                m.Quote.job_id == job_id, m.Quote.status == QuoteStatus.APPROVED.value
            )
        )
        for line in session.scalars(select(m.QuoteLine).where(m.QuoteLine.quote_id == q.id))
        if line.part_no
    }
    parts = [
        {
            "part_no": r.part_no,
            "quantity": r.quantity,
            "paid": r.paid,
            "unit_price": approved_prices.get(r.part_no) if r.paid else None,
            "serial_removed": r.serial_removed,
            "serial_installed": r.serial_installed,
        }
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
    return {
        "job": {
            "number": job.number,
            "type": job.job_type,
            "severity": job.severity,
            "reported_at": job.reported_at,
            "channel": job.channel,
            "billing": job.billing,
        },
        "customer": {"name": customer.name, "name_en": customer.name_en},
        "site": {"name": site.name, "address": site.address},
        "device": (
            {"name": device.name, "model": device.model, "serial": device.serial}
            if device
            else None
        ),
        "fault_reported": job.fault_description,
        "fault_found": job.fault_found,
        "cause": {"area": job.cause_area, "origin": job.cause_origin},
        "work_performed": job.resolution,
        "confirmed_with": job.confirmed_with,
        "backup": backup,
        "parts": parts,
        "sla": {"respond": sla.respond.state(now).value, "arrive": sla.arrive.state(now).value},
        "satisfaction": satisfaction,
        "comments": comments.strip(),
    }


def sign_slip(
    ctx: ServiceContext,
    job_id: str,
    customer: SignatureCapture,
    engineer: SignatureCapture | None,
    satisfaction: int,
    comments: str = "",
    supersedes_id: str | None = None,
) -> Changed:
    """Customer signs the slip for a resolved job: the slip is locked and the job is signed.

    With ``supersedes_id`` this is a correction: the job is already signed, the old slip
    stays on record and the new one points to it.
    """
    if customer.role is not SignerRole.CUSTOMER:
        raise InvalidValue("The slip must be signed by the customer")
    if engineer is not None and engineer.role is not SignerRole.ENGINEER:
        raise InvalidValue("The second signature must be the engineer's")
    if not 1 <= satisfaction <= 5:
        raise InvalidValue("Customer satisfaction is rated 1 to 5")
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
        content = slip_content(tx.session, job_id, satisfaction, comments)
        cust_id = store_signature(tx, customer, now)
        eng_id = store_signature(tx, engineer, now) if engineer is not None else None
        content["signatures"] = [
            {
                "role": s.role.value,
                "name": s.signer_name.strip(),
                "at": now,
                "strokes_sha256": _strokes_sha(s.as_lists()),
            }
            for s in (customer, engineer)
            if s is not None
        ]
        count = tx.session.scalar(select(func.count()).where(m.Slip.job_id == job_id)) or 0
        number = rules.slip_number(job.number, count + 1)
        draft = SlipDraft(
            id=m.new_id(),
            job_id=job_id,
            content={**content, "number": number},
            supersedes_id=supersedes_id,
        )
        signed = draft.sign(now)
        device_signature, device_public = device_key.sign_hash(ctx, signed.sha256)
        tx.session.add(
            m.Slip(
                id=signed.id,
                job_id=job_id,
                number=number,
                canonical=signed.canonical,
                content_sha256=signed.sha256,
                signed_at=now,
                supersedes_id=supersedes_id,
                customer_signature_id=cust_id,
                engineer_signature_id=eng_id,
                device_signature=device_signature,
                device_public_key=device_public,
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
        tx.audit("slip.sign", "slip", signed.id, {"sha256": signed.sha256, "number": number}, mid)
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


def load_slip(ctx: ServiceContext, slip_id: str) -> SignedSlip:
    with ctx.db.read() as session:
        row = session.get(m.Slip, slip_id)
        if row is None:
            raise NotFound(f"Slip {slip_id} is not on this device")
        return SignedSlip(
            row.id, row.job_id, row.canonical, row.content_sha256, row.signed_at, row.supersedes_id
        )
