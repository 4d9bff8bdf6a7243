"""Sending the signed slip to the customer by e-mail, queued offline like any change: the
center renders the slip's PDF from the stored content and sends it once the change arrives,
and reports the status back (queued, sent, failed) through the sync."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from fieldkit.domain.enums import DeliveryStatus
from fieldkit.domain.mail import (
    CUSTOMER_LANGUAGE,
    ensure_sendable,
    validate_address,
    validate_language,
)
from fieldkit.protocol.mutations import SlipSendEmailV1
from fieldkit.services.context import ServiceContext
from fieldkit.services.records import NotFound
from fieldkit.services.transaction import Changed, transaction
from fieldkit.store import models as m

MUTATION = SlipSendEmailV1.NAME


@dataclass(frozen=True)
class Recipient:
    name: str
    role: str
    email: str


@dataclass(frozen=True)
class Delivery:
    id: str
    to: str
    language: str
    requested_at: datetime
    status: DeliveryStatus
    status_at: datetime | None
    detail: str
    synced: bool  # the center has the request (False: it waits for the next sync)
    attempts: int  # the center's tries so far


def recipients(ctx: ServiceContext, job_id: str) -> list[Recipient]:
    """The site's contacts that have an e-mail address, system owner first."""
    with ctx.db.read() as session:
        job = session.get(m.Job, job_id)
        if job is None:
            return []
        contacts = session.scalars(
            select(m.SiteContact).where(m.SiteContact.site_id == job.site_id)
        ).all()
    order = {"system_owner": 0, "other": 1, "installer": 2}
    return [
        Recipient(c.name, c.role, c.email.strip())
        for c in sorted(contacts, key=lambda c: (order.get(c.role, 1), c.name))
        if c.email.strip()
    ]


def customer_language(ctx: ServiceContext, job_id: str) -> str:
    with ctx.db.read() as session:
        job = session.get(m.Job, job_id)
        customer = session.get(m.Customer, job.customer_id) if job else None
    return CUSTOMER_LANGUAGE.get(customer.language if customer else "en", "en")


def send_slip(ctx: ServiceContext, slip_id: str, to: str, language: str) -> Changed:
    """Queue the e-mail: checked by the rules the center applies again before it sends."""
    address = validate_address(to)
    language = validate_language(language)
    now = ctx.clock.now()
    with transaction(ctx) as tx:
        slip = tx.session.get(m.Slip, slip_id)
        if slip is None:
            raise NotFound("That slip is not on this device")
        superseded = tx.session.scalars(
            select(m.Slip.id).where(m.Slip.supersedes_id == slip_id)
        ).first()
        ensure_sendable(superseded is not None)
        row = m.SlipEmail(
            id=m.new_id(),
            job_id=slip.job_id,
            slip_id=slip.id,
            to_address=address,
            language=language,
            requested_at=now,
            requested_by=ctx.actor,
            status=DeliveryStatus.QUEUED.value,
            status_at=None,
            detail="",
            attempts=0,
        )
        tx.session.add(row)
        args = SlipSendEmailV1.checked(
            id=row.id, slip_id=slip.id, to=address, language=language, at=now
        )
        mid = tx.emit(args, row.id)
        tx.audit("slip.send_email", "slip", slip.id, {"to": address, "email_id": row.id}, mid)
    return Changed(
        frozenset({slip.job_id}), frozenset({"slip", "outbox"}), tuple(tx.mutation_ids), row.id
    )


def send_current_slip(ctx: ServiceContext, job_id: str, to: str, language: str) -> Changed:
    """Send the job's slip in force (the newest: a correction supersedes the one before)."""
    with ctx.db.read() as session:
        slip_id = session.scalars(
            select(m.Slip.id).where(m.Slip.job_id == job_id).order_by(m.Slip.signed_at.desc())
        ).first()
    if slip_id is None:
        raise NotFound("This job has no signed slip yet")
    return send_slip(ctx, slip_id, to, language)


def deliveries(ctx: ServiceContext, job_id: str) -> list[Delivery]:
    """The job's slip e-mails, newest first, with the status the center reported."""
    with ctx.db.read() as session:
        rows = session.scalars(
            select(m.SlipEmail)
            .where(m.SlipEmail.job_id == job_id)
            .order_by(m.SlipEmail.requested_at.desc())
        ).all()
        outbox = {
            o.entity_id: o
            for o in session.scalars(
                select(m.OutboxMutation).where(
                    m.OutboxMutation.name == MUTATION,
                    m.OutboxMutation.state.in_(("pending", "sent", "rejected")),
                )
            )
        }
        out = []
        for r in rows:
            mutation = outbox.get(r.id)
            refused = mutation is not None and mutation.state == "rejected"
            out.append(
                Delivery(
                    r.id,
                    r.to_address,
                    r.language,
                    r.requested_at,
                    DeliveryStatus.FAILED if refused else DeliveryStatus(r.status),
                    r.status_at,
                    mutation.last_error if mutation is not None and refused else r.detail,
                    mutation is None or refused,
                    r.attempts,
                )
            )
        return out
