"""Quotes for post-warranty work and the rule that a paid part needs an approved quote."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from fieldkit.domain.enums import Billing, QuoteLineKind, QuoteStatus
from fieldkit.domain.errors import GuardFailed, InvalidValue, QuoteLocked
from fieldkit.domain.messages import N_, Message
from fieldkit.domain.money import Money, minor_unit_exponent, to_decimal

# What may still happen to a job's quotes once its service slip is signed: the slip froze the
# job's record, so only a draft left behind can be taken back (withdrawn, kept on record).
AFTER_SIGNING = frozenset({"withdraw"})
QUOTE_STEPS = frozenset(
    {"create", "add_line", "update_line", "remove_line", "approve", "decline", "withdraw"}
)


@dataclass(frozen=True, slots=True)
class QuoteLine:
    kind: QuoteLineKind
    description: str
    quantity: Decimal
    unit_price: Money
    tax_rate: Decimal  # e.g. Decimal("0.13") for 13 % VAT on goods
    part_no: str | None = None
    line_id: str = ""  # the stored line's id, so a draft's line can be changed or removed

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise InvalidValue(f"Quantity must be positive for '{self.description}'")
        if self.unit_price.amount < 0:
            raise InvalidValue(f"Unit price cannot be negative for '{self.description}'")
        if not Decimal(0) <= self.tax_rate < Decimal(1):
            raise InvalidValue(f"Tax rate must be between 0 and 1, got {self.tax_rate}")
        if self.kind is QuoteLineKind.PART and not self.part_no:
            raise InvalidValue("A part line needs a part number")

    @property
    def net(self) -> Money:
        """Line total before tax, rounded per line."""
        return self.unit_price.times(self.quantity).rounded()


@dataclass(frozen=True, slots=True)
class QuoteTotals:
    subtotal: Money
    tax_by_rate: tuple[tuple[Decimal, Money], ...]
    tax: Money
    total: Money


def quote_totals(lines: Iterable[QuoteLine], currency: str) -> QuoteTotals:
    """Totals per the rounding rules in :mod:`fieldkit.domain.money`."""
    exp = minor_unit_exponent(currency)
    subtotal = Money.zero(currency)
    by_rate: dict[Decimal, Money] = {}
    for line in lines:
        if line.unit_price.currency != currency:
            raise InvalidValue(f"Line '{line.description}' is not in {currency}")
        subtotal += line.net
        by_rate[line.tax_rate] = by_rate.get(line.tax_rate, Money.zero(currency)) + line.net
    taxes = tuple(
        (rate, Money((base.amount * rate).quantize(exp, rounding=ROUND_HALF_UP), currency))
        for rate, base in sorted(by_rate.items())
    )
    tax = Money.zero(currency)
    for _, amount in taxes:
        tax += amount
    return QuoteTotals(subtotal=subtotal, tax_by_rate=taxes, tax=tax, total=subtotal + tax)


@dataclass(frozen=True, slots=True)
class Quote:
    id: str
    job_id: str
    currency: str
    valid_until: date
    status: QuoteStatus = QuoteStatus.DRAFT
    lines: tuple[QuoteLine, ...] = field(default_factory=tuple)
    decided_at: datetime | None = None

    def _require_draft(self) -> None:
        if self.status is not QuoteStatus.DRAFT:
            raise QuoteLocked(
                f"This quote is {self.status.value}: it records what the customer saw. "
                "Create a new quote instead."
            )

    def with_line(self, line: QuoteLine) -> Quote:
        self._require_draft()
        if line.unit_price.currency != self.currency:
            raise InvalidValue(
                f"Quote is in {self.currency}, line is in {line.unit_price.currency}"
            )
        return replace(self, lines=(*self.lines, line))

    def _line(self, line_id: str) -> QuoteLine:
        line = next((li for li in self.lines if li.line_id == line_id), None)
        if line is None or not line_id:
            raise InvalidValue(Message(N_("This line is no longer on the quote; reload it")))
        return line

    def with_line_changed(
        self,
        line_id: str,
        *,
        description: str | None = None,
        quantity: Decimal | None = None,
        unit_price: Decimal | None = None,
    ) -> Quote:
        """A draft's line with a new description, quantity or unit price (validated anew)."""
        self._require_draft()
        old = self._line(line_id)
        desc = old.description if description is None else description.strip()
        if not desc:
            raise InvalidValue(Message(N_("Describe the line")))
        new = replace(
            old,
            description=desc,
            quantity=old.quantity if quantity is None else to_decimal(quantity),
            unit_price=(
                old.unit_price if unit_price is None else Money.of(unit_price, self.currency)
            ),
        )
        return replace(self, lines=tuple(new if li is old else li for li in self.lines))

    def without_line(self, line_id: str) -> Quote:
        self._require_draft()
        old = self._line(line_id)
        return replace(self, lines=tuple(li for li in self.lines if li is not old))

    def withdrawn(self, at: datetime, reason: str) -> Quote:
        """The engineer takes a draft back (a mistake, a stale offer): kept, never deleted."""
        self._require_draft()
        if not reason.strip():
            raise InvalidValue(Message(N_("Say why the draft is withdrawn")))
        return replace(self, status=QuoteStatus.WITHDRAWN, decided_at=at)

    def approved(self, at: datetime, today: date) -> Quote:
        self._require_draft()
        if not self.lines:
            raise GuardFailed("approve_quote", "An empty quote cannot be approved")
        if today > self.valid_until:
            raise GuardFailed(
                "approve_quote",
                f"The quote expired on {self.valid_until.isoformat()}; issue a new one",
            )
        return replace(self, status=QuoteStatus.APPROVED, decided_at=at)

    def declined(self, at: datetime) -> Quote:
        self._require_draft()
        return replace(self, status=QuoteStatus.DECLINED, decided_at=at)

    def totals(self) -> QuoteTotals:
        return quote_totals(self.lines, self.currency)


def ensure_quote_step_allowed(step: str, job_signed: bool) -> None:
    """A job whose service slip is signed takes no new quote, and a draft left on it can no
    longer be changed or approved, only withdrawn. The app and the center both ask this."""
    if step not in QUOTE_STEPS:
        raise InvalidValue(f"Unknown quote step {step!r}")
    if not job_signed or step in AFTER_SIGNING:
        return
    if step == "create":
        raise GuardFailed(
            "quote.create",
            Message(N_("The service slip is signed: this job takes no new quote.")),
        )
    raise GuardFailed(
        f"quote.{step}",
        Message(
            N_(
                "The service slip is signed: this quote can no longer be changed or "
                "approved. Withdraw it if it was a mistake."
            )
        ),
    )


@dataclass(frozen=True, slots=True)
class Replacement:
    part_no: str
    quantity: Decimal


def ensure_part_replacement_allowed(
    billing: Billing,
    part_no: str,
    quantity: Decimal | int | str,
    quotes: Iterable[Quote],
    already_replaced: Iterable[Replacement] = (),
) -> None:
    """A paid part may be replaced only up to the quantity the customer approved."""
    qty = to_decimal(quantity)
    if qty <= 0:
        raise InvalidValue("Quantity replaced must be positive")
    if billing is Billing.IN_WARRANTY:
        return
    approved = sum(
        (
            line.quantity
            for q in quotes
            if q.status is QuoteStatus.APPROVED
            for line in q.lines
            if line.kind is QuoteLineKind.PART and line.part_no == part_no
        ),
        Decimal(0),
    )
    used = sum((r.quantity for r in already_replaced if r.part_no == part_no), Decimal(0))
    if approved == 0:
        raise GuardFailed(
            "replace_part",
            f"Part {part_no} is paid work: the customer must approve a quote containing it "
            "before it is replaced",
            (part_no,),
        )
    if used + qty > approved:
        raise GuardFailed(
            "replace_part",
            f"Customer approved {approved} x {part_no}; {used} already replaced, "
            f"{qty} more would exceed the approval",
            (part_no,),
        )
