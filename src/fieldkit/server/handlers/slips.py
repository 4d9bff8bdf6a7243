"""Signed slips: bound to their own row, their job and its state, signed by the registered
device key of the engineer who holds the job now, numbered under their job."""

from __future__ import annotations

from sqlalchemy import insert, select

from fieldkit.domain import record_rows, rules
from fieldkit.domain.enums import DeliveryStatus, JobStatus, SignerRole
from fieldkit.domain.errors import DomainError
from fieldkit.domain.mail import ensure_sendable, validate_address, validate_language
from fieldkit.domain.slip import SignedSlip
from fieldkit.domain.slip import device_signature_ok as device_key_ok
from fieldkit.domain.slip_payload import SCHEMA_V1, check_payload
from fieldkit.protocol.mutations import SlipSendEmailV1, SlipSignV1
from fieldkit.server.handlers.base import (
    Ctx,
    Rejected,
    audience,
    existing,
    free_number,
    handles,
    insert_row,
    job_for,
    visible,
)
from fieldkit.server.handlers.quotes import store_new_signature
from fieldkit.server.tables import ENTITY as E
from fieldkit.server.tables import client_devices, mail_outbox


@handles(SlipSignV1)
def slip_sign(ctx: Ctx, a: SlipSignV1) -> None:
    slip = SignedSlip(a.slip_id, a.job_id, a.canonical, a.sha256, a.signed_at, a.supersedes)
    if not slip.verify():
        raise Rejected("slip.hash", "The slip's content does not match its hash; refused")
    content = slip.content()
    try:
        check_payload(content)  # the rule the app signed by, for every payload version
    except DomainError as exc:
        raise Rejected("slip.content", str(exc)) from exc
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
        rules.ensure_slip_binds(content, slip.id, slip.job_id, slip.supersedes_id)
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
    if not rules.number_fits_job(a.number, job["number"], "S"):
        raise Rejected("slip.number", "The slip's number does not belong to its job")
    # The center issues numbers: one taken inside the job (a second tablet's correction) is
    # replaced by the next free one, which the device adopts with its next pull.
    number = free_number(ctx, "slips", job, a.number, "S")
    by_id = {s.id: s for s in a.signatures}
    # The signatures the signed content names must come with it: the customer's unless the
    # content says why the customer did not sign, the engineer's for every current slip.
    customer_absent = content.get("customer_absent") is not None
    engineer_needed = content.get("schema") != SCHEMA_V1
    if (
        (a.customer_signature_id is None) != customer_absent
        or (a.customer_signature_id is not None and a.customer_signature_id not in by_id)
        or (engineer_needed and a.engineer_signature_id is None)
        or (a.engineer_signature_id is not None and a.engineer_signature_id not in by_id)
    ):
        raise Rejected("signature.missing", "The slip's signatures were not sent with it")
    to = audience(job)
    if a.customer_signature_id is not None:
        store_new_signature(ctx, by_id[a.customer_signature_id], SignerRole.CUSTOMER, to)
    if a.engineer_signature_id:
        store_new_signature(ctx, by_id[a.engineer_signature_id], SignerRole.ENGINEER, to)
    values = record_rows.slip_row(
        slip,
        number,
        a.customer_signature_id,
        a.engineer_signature_id,
        a.device_signature,
        registered,
    )
    insert_row(ctx, "slips", values, to)


@handles(SlipSendEmailV1)
def slip_send_email(ctx: Ctx, a: SlipSendEmailV1) -> None:
    """Queue the signed slip for the customer, checked by the rules the app ran. The mail goes
    out after this push commits (server/mail.py), never on the request path; its status
    reaches the engineer as the ``slip_emails`` row."""
    old = existing(ctx.conn, "slip_emails", a.id)
    if old is not None:
        if old["slip_id"] == a.slip_id and old["requested_by"] == ctx.who.username:
            return  # the same request again
        raise Rejected("entity.exists", "A different record with this id is already on record")
    slip = existing(ctx.conn, "slips", a.slip_id)
    if slip is None or not visible(ctx.conn, "slips", a.slip_id, ctx.who.username):
        raise Rejected("slip.unknown", "This slip is not at the service center")
    job = job_for(ctx, slip["job_id"], append_only=True, done_at=a.at)
    slips = E["slips"]
    superseded = ctx.conn.scalar(select(slips.c.id).where(slips.c.supersedes_id == slip["id"]))
    try:
        address = validate_address(a.to)
        language = validate_language(a.language)
        ensure_sendable(superseded is not None)
    except DomainError as exc:
        raise Rejected("mail.rule", str(exc)) from exc
    values = {
        "id": a.id,
        "job_id": slip["job_id"],
        "slip_id": slip["id"],
        "to_address": address,
        "language": language,
        "requested_at": a.at,
        "requested_by": ctx.who.username,
        "status": DeliveryStatus.QUEUED.value,
        "status_at": ctx.now,
        "detail": "",
        "attempts": 0,
    }
    insert_row(ctx, "slip_emails", values, audience(job))
    ctx.conn.execute(
        insert(mail_outbox).values(
            id=a.id,
            state="pending",
            attempts=0,
            next_attempt_at=ctx.now,
            claimed_at=None,
            last_error="",
            created_at=ctx.now,
        )
    )
