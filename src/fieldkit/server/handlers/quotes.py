"""Quotes (optimistic versions, numbers under their job), approval signatures, replaced parts
(only while repairing, within the approved quote, billed as the job is billed)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update

from fieldkit.domain import record_rows, rules
from fieldkit.domain.enums import Billing, JobStatus, QuoteStatus, SignerRole
from fieldkit.domain.errors import DomainError
from fieldkit.domain.money import Money
from fieldkit.domain.quote import (
    Quote,
    QuoteLine,
    Replacement,
    ensure_part_replacement_allowed,
    ensure_quote_step_allowed,
)
from fieldkit.protocol.mutations import (
    PartReplaceV1,
    QuoteAddLineV1,
    QuoteApproveV1,
    QuoteCreateV1,
    QuoteDeclineV1,
    QuoteRemoveLineV1,
    QuoteUpdateLineV1,
    QuoteWithdrawV1,
    SignatureV1,
)
from fieldkit.server.handlers.base import (
    Ctx,
    Rejected,
    audience,
    existing,
    free_number,
    handles,
    insert_row,
    job_for,
)
from fieldkit.server.jobstate import job_context, job_quotes
from fieldkit.server.tables import ENTITY as E


def _quote(ctx: Ctx, check_version: bool = True) -> dict[str, Any]:
    q = existing(ctx.conn, "quotes", ctx.mutation.entity_id)
    if q is None:
        raise Rejected("quote.unknown", "This quote is unknown at the service center")
    job_for(ctx, q["job_id"])
    if check_version and ctx.mutation.base_version != q["version"]:
        raise Rejected(
            "quote.version",
            "The quote was changed elsewhere; reload it and retry",
            [("quotes", q["id"])],
            {"version": q["version"]},
        )
    return q


def _quote_step(ctx: Ctx, step: str, job_id: str, quote_id: str | None = None) -> None:
    """The app's rule for a job's quotes once its slip is signed, run on the center's state."""
    try:
        ensure_quote_step_allowed(step, job_context(ctx.conn, job_id).has_signed_slip)
    except DomainError as exc:
        raise Rejected(
            "quote.rule", str(exc), [("quotes", quote_id)] if quote_id else None
        ) from exc


def _domain_quote(ctx: Ctx, q: dict[str, Any]) -> Quote:
    return next(x for x in job_quotes(ctx.conn, q["job_id"]) if x.id == q["id"])


def _bump(ctx: Ctx, q: dict[str, Any], **values: Any) -> None:
    quotes = E["quotes"]
    ctx.conn.execute(
        update(quotes).where(quotes.c.id == q["id"]).values(version=q["version"] + 1, **values)
    )
    ctx.writer.upsert("quotes", q["id"], ctx.me())


@handles(QuoteCreateV1)
def quote_create(ctx: Ctx, a: QuoteCreateV1) -> None:
    job = job_for(ctx, a.job_id)
    old = existing(ctx.conn, "quotes", a.id)
    if old is not None:
        if old["job_id"] == job["id"] and old["created_at"] == a.created_at:
            return  # the same quote again
        raise Rejected("entity.exists", "A different record with this id is already on record")
    _quote_step(ctx, "create", job["id"])
    number = free_number(ctx, "quotes", job, a.number, "Q")
    values = record_rows.draft_quote_row(
        a.id, job["id"], number, a.currency, a.valid_until, a.created_at
    )
    insert_row(ctx, "quotes", values, ctx.me())


def _listed_part(ctx: Ctx, part_no: str) -> dict[str, Any] | None:
    parts = E["parts"]
    row = ctx.conn.execute(select(parts).where(parts.c.part_no == part_no)).mappings().first()
    return dict(row) if row is not None and row["active"] else None


@handles(QuoteAddLineV1)
def quote_add_line(ctx: Ctx, a: QuoteAddLineV1) -> None:
    q = _quote(ctx)
    if q["status"] != QuoteStatus.DRAFT.value:
        raise Rejected("quote.locked", "The quote was already decided", [("quotes", q["id"])])
    _quote_step(ctx, "add_line", q["job_id"], q["id"])
    part = None
    try:
        if a.kind.value == "part":
            part = _listed_part(ctx, a.part_no or "")
            rules.ensure_listed_part(a.part_no or "", part is not None)
        line = QuoteLine(
            a.kind,
            a.description,
            a.quantity,
            Money.of(a.unit_price, q["currency"]),
            a.tax_rate,
            a.part_no if part else None,
        )
    except (DomainError, ArithmeticError) as exc:
        raise Rejected("quote.line", f"Invalid quote line: {exc}") from exc
    lines = E["quote_lines"]
    # After the current last line, also when an earlier one was removed (as the app does).
    position = (
        ctx.conn.scalar(select(func.max(lines.c.position)).where(lines.c.quote_id == q["id"])) or 0
    ) + 1
    values = record_rows.quote_line_row(
        a.line_id, q["id"], position, line, part["id"] if part else None
    )
    insert_row(ctx, "quote_lines", values, ctx.me())
    _bump(ctx, q)


@handles(QuoteUpdateLineV1)
def quote_update_line(ctx: Ctx, a: QuoteUpdateLineV1) -> None:
    q = _quote(ctx)
    _quote_step(ctx, "update_line", q["job_id"], q["id"])
    try:
        changed = _domain_quote(ctx, q).with_line_changed(
            a.line_id, description=a.description, quantity=a.quantity, unit_price=a.unit_price
        )
    except (DomainError, ArithmeticError) as exc:
        raise Rejected("quote.line", str(exc), [("quotes", q["id"])]) from exc
    line = next(li for li in changed.lines if li.line_id == a.line_id)
    lines = E["quote_lines"]
    ctx.conn.execute(
        update(lines)
        .where(lines.c.id == line.line_id, lines.c.quote_id == q["id"])
        .values(
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price.amount,
        )
    )
    ctx.writer.upsert("quote_lines", line.line_id, ctx.me())
    _bump(ctx, q)


@handles(QuoteRemoveLineV1)
def quote_remove_line(ctx: Ctx, a: QuoteRemoveLineV1) -> None:
    q = _quote(ctx)
    _quote_step(ctx, "remove_line", q["job_id"], q["id"])
    try:
        _domain_quote(ctx, q).without_line(a.line_id)
    except DomainError as exc:
        raise Rejected("quote.line", str(exc), [("quotes", q["id"])]) from exc
    lines = E["quote_lines"]
    ctx.conn.execute(delete(lines).where(lines.c.id == a.line_id, lines.c.quote_id == q["id"]))
    ctx.writer.delete("quote_lines", a.line_id, ctx.me())
    _bump(ctx, q)


@handles(QuoteWithdrawV1)
def quote_withdraw(ctx: Ctx, a: QuoteWithdrawV1) -> None:
    """Recorded as the signed-in engineer's, whatever the device names."""
    q = _quote(ctx)
    _quote_step(ctx, "withdraw", q["job_id"], q["id"])
    try:
        withdrawn = _domain_quote(ctx, q).withdrawn(a.at, a.reason)
    except DomainError as exc:
        raise Rejected("quote.rule", str(exc), [("quotes", q["id"])]) from exc
    _bump(
        ctx,
        q,
        status=withdrawn.status.value,
        decided_at=a.at,
        decided_by_name=ctx.who.username,
        decline_reason=a.reason.strip(),
    )


def store_new_signature(ctx: Ctx, sig: SignatureV1, role: SignerRole, to: set[str]) -> str:
    """A signature a mutation links must be captured for it: never an existing one (another
    customer's signature must not approve a quote or a slip)."""
    if sig.role != role.value:
        raise Rejected("signature.role", f"The {role.value}'s signature is missing")
    if existing(ctx.conn, "signatures", sig.id) is not None:
        raise Rejected("signature.reused", "This signature is already on record; sign again")
    values = {
        "id": sig.id,
        "role": sig.role,
        "signer_name": sig.signer_name,
        "signed_at": sig.signed_at,
        "device_id": ctx.who.device_id,  # the pushing device, never a client's claim
        "canvas_width": sig.canvas_width,
        "canvas_height": sig.canvas_height,
        "strokes": sig.strokes,
        "thumbnail_sha256": None,
    }
    insert_row(ctx, "signatures", values, to)
    return sig.id


def _decide(ctx: Ctx, step: str) -> dict[str, Any]:
    q = _quote(ctx)
    if q["status"] != QuoteStatus.DRAFT.value:
        raise Rejected("quote.locked", "The quote was already decided", [("quotes", q["id"])])
    _quote_step(ctx, step, q["job_id"], q["id"])
    return q


@handles(QuoteApproveV1)
def quote_approve(ctx: Ctx, a: QuoteApproveV1) -> None:
    q = _decide(ctx, "approve")
    domain = _domain_quote(ctx, q)
    try:
        decided = domain.approved(a.at, a.at.date())
    except DomainError as exc:
        raise Rejected("quote.rule", str(exc), [("quotes", q["id"])]) from exc
    if a.signature_id is not None and a.signature_id != a.signature.id:
        raise Rejected("signature.mismatch", "The approval names another signature")
    sig_id = store_new_signature(ctx, a.signature, SignerRole.CUSTOMER, ctx.me())
    values = record_rows.approval_fields(decided, a.signer_name, sig_id, q["version"])
    ctx.conn.execute(update(E["quotes"]).where(E["quotes"].c.id == q["id"]).values(**values))
    ctx.writer.upsert("quotes", q["id"], ctx.me())


@handles(QuoteDeclineV1)
def quote_decline(ctx: Ctx, a: QuoteDeclineV1) -> None:
    q = _decide(ctx, "decline")
    try:
        rules.ensure_decliner_named(a.by)
    except DomainError as exc:
        raise Rejected("quote.rule", str(exc), [("quotes", q["id"])]) from exc
    values = {
        "decided_at": a.at,
        "version": q["version"] + 1,
        "status": QuoteStatus.DECLINED.value,
        "decided_by_name": a.by,
        "decline_reason": a.reason,
    }
    ctx.conn.execute(update(E["quotes"]).where(E["quotes"].c.id == q["id"]).values(**values))
    ctx.writer.upsert("quotes", q["id"], ctx.me())


@handles(PartReplaceV1)
def part_replace(ctx: Ctx, a: PartReplaceV1) -> None:
    job = job_for(ctx, ctx.mutation.entity_id, append_only=True, done_at=a.at)
    reps = E["part_replacements"]
    billing = Billing(job["billing"])
    values = record_rows.part_replacement_row(
        a.id,
        job["id"],
        a.part_no,
        a.quantity,
        a.serial_removed,
        a.serial_installed,
        rules.replacement_is_paid(billing),
        a.at,
        ctx.who.username,
    )
    if existing(ctx.conn, "part_replacements", a.id) is not None:
        insert_row(ctx, "part_replacements", values, audience(job))  # same again, or refused
        return
    done = [
        Replacement(r.part_no, r.quantity)
        for r in ctx.conn.execute(
            select(reps.c.part_no, reps.c.quantity).where(reps.c.job_id == job["id"])
        )
    ]
    try:
        rules.ensure_replacement_step(JobStatus(job["status"]))
        rules.ensure_listed_part(a.part_no, _listed_part(ctx, a.part_no) is not None)
        ensure_part_replacement_allowed(
            billing, a.part_no, a.quantity, job_quotes(ctx.conn, job["id"]), done
        )
    except DomainError as exc:
        raise Rejected("part.rule", str(exc)) from exc
    insert_row(ctx, "part_replacements", values, audience(job))
