"""Signed slips: bound to their own row, their job and its state, signed by the registered
device key of the engineer who holds the job now, numbered under their job."""

from __future__ import annotations

from sqlalchemy import select

from fieldkit.domain import rules
from fieldkit.domain.enums import JobStatus, SignerRole
from fieldkit.domain.errors import DomainError
from fieldkit.domain.slip import SignedSlip
from fieldkit.domain.slip import device_signature_ok as device_key_ok
from fieldkit.protocol.mutations import SlipSignV1
from fieldkit.server.handlers.base import (
    Ctx,
    Rejected,
    audience,
    existing,
    handles,
    insert_row,
    job_for,
    visible,
)
from fieldkit.server.handlers.quotes import store_new_signature
from fieldkit.server.tables import ENTITY as E
from fieldkit.server.tables import client_devices


@handles(SlipSignV1)
def slip_sign(ctx: Ctx, a: SlipSignV1) -> None:
    slip = SignedSlip(a.slip_id, a.job_id, a.canonical, a.sha256, a.signed_at, a.supersedes)
    if not slip.verify():
        raise Rejected("slip.hash", "The slip's content does not match its hash; refused")
    # Only the engineer who holds the job now signs for it (never a former assignee).
    job = job_for(ctx, slip.job_id)
    old = existing(ctx.conn, "slips", slip.id)
    if old is not None:
        if old["content_sha256"] == slip.sha256 and old["job_id"] == slip.job_id:
            return  # the same signed slip again: acknowledged once
        mine = visible(ctx.conn, "slips", slip.id, ctx.who.username)
        raise Rejected(
            "slip.conflict",
            "A different slip with this id is already on record",
            [("slips", slip.id)] if mine else [],
            {"sha256": old["content_sha256"]} if mine else None,
        )
    try:
        rules.ensure_slip_binds(slip.content(), slip.id, slip.job_id, slip.supersedes_id)
        rules.ensure_slip_signable(JobStatus(job["status"]), slip.supersedes_id is not None)
    except DomainError as exc:
        raise Rejected("slip.rule", str(exc), [("jobs", job["id"])]) from exc
    if slip.supersedes_id is not None:
        prior = existing(ctx.conn, "slips", slip.supersedes_id)
        if prior is None or prior["job_id"] != slip.job_id:
            raise Rejected("slip.supersedes", "The slip to correct is not a slip of this job")
    registered = ctx.conn.scalar(
        select(client_devices.c.public_key).where(client_devices.c.device_id == ctx.who.device_id)
    )
    if (
        not registered
        or not a.device_signature
        or a.device_public_key != registered
        or not device_key_ok(registered, slip.sha256, a.device_signature)
    ):
        raise Rejected(
            "slip.device_signature",
            "The slip is not signed by this device's registered key; refused",
        )
    slips = E["slips"]
    if not rules.number_fits_job(a.number, job["number"], "S"):
        raise Rejected("slip.number", "The slip's number does not belong to its job")
    if ctx.conn.scalar(select(slips.c.id).where(slips.c.number == a.number)) is not None:
        raise Rejected(
            "slip.number",
            "Another slip already has this number; the change is kept for the office to review",
            job_id=job["id"],
        )
    by_id = {s.id: s for s in a.signatures}
    customer = by_id.get(a.customer_signature_id)
    if customer is None or (a.engineer_signature_id and a.engineer_signature_id not in by_id):
        raise Rejected("signature.missing", "The slip's signatures were not sent with it")
    to = audience(job)
    store_new_signature(ctx, customer, SignerRole.CUSTOMER, to)
    if a.engineer_signature_id:
        store_new_signature(ctx, by_id[a.engineer_signature_id], SignerRole.ENGINEER, to)
    values = {
        "id": slip.id,
        "job_id": slip.job_id,
        "number": a.number,
        "canonical": slip.canonical,
        "content_sha256": slip.sha256,
        "signed_at": slip.signed_at,
        "supersedes_id": slip.supersedes_id,
        "customer_signature_id": a.customer_signature_id,
        "engineer_signature_id": a.engineer_signature_id,
        "device_signature": a.device_signature,
        "device_public_key": registered,
        "pdf_sha256": None,
    }
    insert_row(ctx, "slips", values, to)
