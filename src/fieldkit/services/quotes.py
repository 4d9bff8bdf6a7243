"""Quotes for paid work, the customer's approval, and recording replaced parts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldkit.domain import record_rows, rules
from fieldkit.domain.enums import Billing, JobStatus, QuoteLineKind, QuoteStatus, SignerRole
from fieldkit.domain.errors import GuardFailed, InvalidValue
from fieldkit.domain.money import Money, to_decimal
from fieldkit.domain.quote import (
    QuoteLine,
    Replacement,
    ensure_part_replacement_allowed,
    ensure_quote_step_allowed,
)
from fieldkit.domain.signature import SignatureCapture
from fieldkit.protocol.mutations import (
    PartReplaceV1,
    QuoteAddLineV1,
    QuoteApproveV1,
    QuoteCreateV1,
    QuoteDeclineV1,
    QuoteRemoveLineV1,
    QuoteUpdateLineV1,
    QuoteWithdrawV1,
)
from fieldkit.services.context import ServiceContext
from fieldkit.services.records import (
    NotFound,
    has_signed_slip,
    job_quotes,
    job_row,
    set_columns,
    to_domain_quote,
)
from fieldkit.services.signatures import signature_payload, store_signature
from fieldkit.services.transaction import Changed, Tx, transaction
from fieldkit.store import models as m

DEFAULT_VALIDITY = timedelta(days=14)


def _quote(tx: Tx, quote_id: str) -> m.Quote:
    row = tx.session.get(m.Quote, quote_id)
    if row is None:
        raise NotFound(f"Quote {quote_id} is not on this device")
    return row


def _step_allowed(tx: Tx, step: str, job_id: str) -> None:
    ensure_quote_step_allowed(step, has_signed_slip(tx.session, job_id))


def _same_version(row: m.Quote, expected_version: int | None, step: str) -> None:
    if expected_version is not None and row.version != expected_version:
        raise GuardFailed(step, "The quote changed since you opened it; reload and try again")


def _changed(tx: Tx, job_id: str, entity_id: str | None = None) -> Changed:
    return Changed(
        frozenset({job_id}), frozenset({"quote", "outbox"}), tuple(tx.mutation_ids), entity_id
    )


def create_quote(ctx: ServiceContext, job_id: str, currency: str = "CNY") -> Changed:
    now = ctx.clock.now()
    with transaction(ctx) as tx:
        job = job_row(tx.session, job_id)
        _step_allowed(tx, "create", job_id)
        count = tx.session.scalar(select(func.count()).where(m.Quote.job_id == job_id)) or 0
        quote = m.Quote(
            **record_rows.draft_quote_row(
                m.new_id(),
                job_id,
                rules.quote_number(job.number, count + 1),
                currency,
                (now + DEFAULT_VALIDITY).date(),
                now,
            )
        )
        tx.session.add(quote)
        tx.session.flush()
        args = QuoteCreateV1.checked(
            id=quote.id,
            number=quote.number,
            currency=currency,
            valid_until=quote.valid_until,
            job_id=job_id,
            created_at=now,
        )
        mid = tx.emit(args, quote.id)
        tx.audit("quote.create", "quote", quote.id, args.wire(), mid)
        return _changed(tx, job_id, quote.id)


def add_quote_line(
    ctx: ServiceContext,
    quote_id: str,
    kind: QuoteLineKind,
    quantity: Decimal | int | str,
    *,
    part_no: str | None = None,
    description: str = "",
    unit_price: Decimal | str | None = None,
    tax_rate: Decimal | str | None = None,
    expected_version: int | None = None,
) -> Changed:
    """Add a line; a part line takes its price and tax from the price list unless overridden."""
    with transaction(ctx) as tx:
        row = _quote(tx, quote_id)
        _same_version(row, expected_version, "add_quote_line")
        _step_allowed(tx, "add_line", row.job_id)
        part = None
        if kind is QuoteLineKind.PART:
            part = tx.session.scalars(select(m.Part).where(m.Part.part_no == part_no)).first()
            if part is None or not part.active:
                raise InvalidValue(f"Part {part_no} is not in the price list")
        price = (
            to_decimal(unit_price)
            if unit_price is not None
            else (part.unit_price if part else None)
        )
        if price is None:
            raise InvalidValue("Enter a unit price")
        rate = to_decimal(tax_rate) if tax_rate is not None else (part.tax_rate if part else None)
        if rate is None:
            raise InvalidValue("Enter a tax rate")
        desc = description.strip() or (part.name if part else "")
        if not desc:
            raise InvalidValue("Describe the line")
        line = QuoteLine(
            kind,
            desc,
            to_decimal(quantity),
            Money.of(price, row.currency),
            rate,
            part_no if part else None,
        )
        to_domain_quote(tx.session, row).with_line(line)  # raises if the quote is decided
        # After the last line, also when an earlier one was removed (the center does the same).
        position = (
            tx.session.scalar(
                select(func.max(m.QuoteLine.position)).where(m.QuoteLine.quote_id == quote_id)
            )
            or 0
        ) + 1
        db_line = m.QuoteLine(
            **record_rows.quote_line_row(
                m.new_id(), quote_id, position, line, part.id if part else None
            )
        )
        tx.session.add(db_line)
        base = row.version
        row.version += 1
        tx.session.flush()
        args = QuoteAddLineV1.checked(
            line_id=db_line.id,
            kind=kind,
            part_no=line.part_no,
            description=desc,
            quantity=line.quantity,
            unit_price=line.unit_price.amount,
            tax_rate=rate,
        )
        mid = tx.emit(args, quote_id, base)
        tx.audit("quote.add_line", "quote", quote_id, args.wire(), mid)
        return _changed(tx, row.job_id, db_line.id)


def record_customer_approval(
    ctx: ServiceContext, quote_id: str, signature: SignatureCapture
) -> Changed:
    """The customer approves the price by signing; only then may paid parts be replaced."""
    if signature.role is not SignerRole.CUSTOMER:
        raise InvalidValue("Only the customer can approve a quote")
    now = ctx.clock.now()
    with transaction(ctx) as tx:
        row = _quote(tx, quote_id)
        _step_allowed(tx, "approve", row.job_id)
        decided = to_domain_quote(tx.session, row).approved(now, now.date())
        sig_id = store_signature(tx, signature, now)
        base = row.version
        set_columns(row, record_rows.approval_fields(decided, signature.signer_name, sig_id, base))
        totals = decided.totals()
        args = QuoteApproveV1.checked(
            signature=signature_payload(tx, sig_id),
            signature_id=sig_id,
            signer_name=row.decided_by_name,
            at=now,
            total=str(totals.total.amount),
        )
        mid = tx.emit(args, quote_id, base)
        tx.audit("quote.approve", "quote", quote_id, args.wire(), mid)
        return _changed(tx, row.job_id)


def decline_quote(ctx: ServiceContext, quote_id: str, customer_name: str, reason: str) -> Changed:
    """A declined quote is kept on record with the customer's reason."""
    rules.ensure_decliner_named(customer_name)
    now = ctx.clock.now()
    with transaction(ctx) as tx:
        row = _quote(tx, quote_id)
        _step_allowed(tx, "decline", row.job_id)
        to_domain_quote(tx.session, row).declined(now)
        base = row.version
        row.status, row.decided_at = QuoteStatus.DECLINED.value, now
        row.decided_by_name, row.decline_reason = customer_name.strip(), reason.strip()
        row.version += 1
        args = QuoteDeclineV1.checked(by=row.decided_by_name, reason=row.decline_reason, at=now)
        mid = tx.emit(args, quote_id, base)
        tx.audit("quote.decline", "quote", quote_id, args.wire(), mid)
        return _changed(tx, row.job_id)


def check_part_replacement(
    ctx: ServiceContext, job_id: str, part_no: str, quantity: Decimal | int | str = 1
) -> None:
    """Raise what recording this replacement would raise, before the engineer is asked for
    serial numbers: the same rule :func:`record_part_replacement` applies."""
    with ctx.db.read() as session:
        _ensure_replacement(session, job_row(session, job_id), part_no, to_decimal(quantity))


def _ensure_replacement(session: Session, job: m.Job, part_no: str, qty: Decimal) -> None:
    rules.ensure_replacement_step(JobStatus(job.status))
    part = session.scalars(select(m.Part).where(m.Part.part_no == part_no)).first()
    rules.ensure_listed_part(part_no, part is not None and part.active)
    done = session.scalars(select(m.PartReplacement).where(m.PartReplacement.job_id == job.id))
    ensure_part_replacement_allowed(
        Billing(job.billing),
        part_no,
        qty,
        job_quotes(session, job.id),
        [Replacement(r.part_no, r.quantity) for r in done],
    )


def update_quote_line(
    ctx: ServiceContext,
    quote_id: str,
    line_id: str,
    *,
    description: str | None = None,
    quantity: Decimal | int | str | None = None,
    unit_price: Decimal | str | None = None,
    expected_version: int | None = None,
) -> Changed:
    """Change a draft's line: its description, quantity or unit price."""
    with transaction(ctx) as tx:
        row = _quote(tx, quote_id)
        _same_version(row, expected_version, "update_quote_line")
        _step_allowed(tx, "update_line", row.job_id)
        changed = to_domain_quote(tx.session, row).with_line_changed(
            line_id,
            description=description,
            quantity=None if quantity is None else to_decimal(quantity),
            unit_price=None if unit_price is None else to_decimal(unit_price),
        )
        line = next(li for li in changed.lines if li.line_id == line_id)
        db_line = tx.session.get(m.QuoteLine, line_id)
        assert db_line is not None  # the domain found it on this quote
        db_line.description = line.description
        db_line.quantity = line.quantity
        db_line.unit_price = line.unit_price.amount
        base = row.version
        row.version += 1
        args = QuoteUpdateLineV1.checked(
            line_id=line_id,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price.amount,
        )
        mid = tx.emit(args, quote_id, base)
        tx.audit("quote.update_line", "quote", quote_id, args.wire(), mid)
        return _changed(tx, row.job_id, line_id)


def remove_quote_line(
    ctx: ServiceContext, quote_id: str, line_id: str, expected_version: int | None = None
) -> Changed:
    """Take a line off a draft (the audit log keeps what it was)."""
    with transaction(ctx) as tx:
        row = _quote(tx, quote_id)
        _same_version(row, expected_version, "remove_quote_line")
        _step_allowed(tx, "remove_line", row.job_id)
        quote = to_domain_quote(tx.session, row)
        quote.without_line(line_id)
        old = next(li for li in quote.lines if li.line_id == line_id)
        db_line = tx.session.get(m.QuoteLine, line_id)
        assert db_line is not None
        tx.session.delete(db_line)
        base = row.version
        row.version += 1
        args = QuoteRemoveLineV1.checked(line_id=line_id)
        mid = tx.emit(args, quote_id, base)
        removed = {
            **args.wire(),
            "description": old.description,
            "quantity": str(old.quantity),
            "unit_price": str(old.unit_price.amount),
        }
        tx.audit("quote.remove_line", "quote", quote_id, removed, mid)
        return _changed(tx, row.job_id, line_id)


def withdraw_quote(
    ctx: ServiceContext, quote_id: str, reason: str, expected_version: int | None = None
) -> Changed:
    """The engineer takes a draft back; it stays on record as withdrawn, with the reason."""
    now = ctx.clock.now()
    with transaction(ctx) as tx:
        row = _quote(tx, quote_id)
        _same_version(row, expected_version, "withdraw_quote")
        _step_allowed(tx, "withdraw", row.job_id)
        withdrawn = to_domain_quote(tx.session, row).withdrawn(now, reason)
        base = row.version
        row.status, row.decided_at = withdrawn.status.value, now
        # decided_by_name / decline_reason hold who closed a quote without approval, and why.
        row.decided_by_name, row.decline_reason = ctx.actor, reason.strip()
        row.version += 1
        args = QuoteWithdrawV1.checked(reason=row.decline_reason, at=now)
        mid = tx.emit(args, quote_id, base)
        tx.audit("quote.withdraw", "quote", quote_id, args.wire(), mid)
        return _changed(tx, row.job_id)


def record_part_replacement(
    ctx: ServiceContext,
    job_id: str,
    part_no: str,
    quantity: Decimal | int | str = 1,
    serial_removed: str = "",
    serial_installed: str = "",
) -> Changed:
    """Record a replaced part; a paid part must be covered by an approved quote."""
    now = ctx.clock.now()
    qty = to_decimal(quantity)
    with transaction(ctx) as tx:
        job = job_row(tx.session, job_id)
        _ensure_replacement(tx.session, job, part_no, qty)
        billing = Billing(job.billing)
        rep = m.PartReplacement(
            **record_rows.part_replacement_row(
                m.new_id(),
                job_id,
                part_no,
                qty,
                serial_removed,
                serial_installed,
                rules.replacement_is_paid(billing),
                now,
                ctx.actor,
            )
        )
        tx.session.add(rep)
        tx.session.flush()
        args = PartReplaceV1.checked(
            id=rep.id,
            part_no=part_no,
            quantity=qty,
            paid=rep.paid,
            serial_removed=rep.serial_removed,
            serial_installed=rep.serial_installed,
            at=now,
        )
        mid = tx.emit(args, job_id)
        tx.audit("part.replace", "job", job_id, args.wire(), mid)
        return Changed(
            frozenset({job_id}), frozenset({"job", "outbox"}), tuple(tx.mutation_ids), rep.id
        )
