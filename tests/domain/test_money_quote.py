from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldkit.domain.enums import Billing, QuoteLineKind, QuoteStatus
from fieldkit.domain.errors import CurrencyMismatch, GuardFailed, InvalidValue, QuoteLocked
from fieldkit.domain.money import Money
from fieldkit.domain.quote import (
    Quote,
    QuoteLine,
    Replacement,
    ensure_part_replacement_allowed,
    quote_totals,
)

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def part(no: str, qty: str, price: str, rate: str = "0.13") -> QuoteLine:
    return QuoteLine(
        QuoteLineKind.PART,
        f"Part {no}",
        Decimal(qty),
        Money.of(price, "CNY"),
        Decimal(rate),
        part_no=no,
    )


def test_half_up_rounding_and_currency_rules() -> None:
    assert Money.of("0.005", "CNY").amount == Decimal("0.01")
    assert Money.of("2.675", "CNY").amount == Decimal("2.68")  # float would give 2.67
    assert Money.of("-0.005", "CNY").amount == Decimal("-0.01")
    assert Money.of("12.5", "JPY").amount == Decimal("13")
    with pytest.raises(CurrencyMismatch):
        Money.of("1", "CNY") + Money.of("1", "USD")
    with pytest.raises(InvalidValue):
        Money.of(0.1, "CNY")  # type: ignore[arg-type]
    with pytest.raises(InvalidValue):
        Money.of("NaN", "CNY")
    with pytest.raises(InvalidValue):
        Money.of("1", "XYZ")


def test_line_rounding_per_line_tax_per_rate() -> None:
    lines = [
        part("P1", "3", "0.335"),  # 1.005 -> 1.01 (price rounds to 0.34 first: 1.02)
        part("P2", "1", "10.00"),
        QuoteLine(
            QuoteLineKind.LABOUR,
            "Labour 1.5 h",
            Decimal("1.5"),
            Money.of("180", "CNY"),
            Decimal("0.06"),
        ),
    ]
    totals = quote_totals(lines, "CNY")
    assert lines[0].unit_price.amount == Decimal("0.34")
    assert lines[0].net.amount == Decimal("1.02")
    assert totals.subtotal.amount == Decimal("281.02")
    assert dict(totals.tax_by_rate) == {
        Decimal("0.06"): Money.of("16.20", "CNY"),
        Decimal("0.13"): Money.of("1.43", "CNY"),
    }
    assert totals.tax.amount == Decimal("17.63")
    assert totals.total.amount == Decimal("298.65")


@given(
    st.lists(
        st.tuples(st.integers(1, 50), st.decimals("0", "9999.99", places=2)),
        min_size=1,
        max_size=20,
    )
)
def test_total_is_exact_sum_of_rounded_parts(raw: list[tuple[int, Decimal]]) -> None:
    lines = [part(f"P{i}", str(q), str(p)) for i, (q, p) in enumerate(raw)]
    totals = quote_totals(lines, "CNY")
    assert totals.total.amount == totals.subtotal.amount + totals.tax.amount
    assert totals.total.amount.as_tuple().exponent == -2


def test_line_validation() -> None:
    with pytest.raises(InvalidValue, match="positive"):
        part("P1", "0", "1")
    with pytest.raises(InvalidValue, match="part number"):
        QuoteLine(QuoteLineKind.PART, "x", Decimal(1), Money.of("1", "CNY"), Decimal(0))
    with pytest.raises(InvalidValue, match="Tax rate"):
        part("P1", "1", "1", rate="1.13")


def quote(*lines: QuoteLine) -> Quote:
    return Quote(
        id="q1", job_id="j1", currency="CNY", valid_until=date(2026, 3, 31), lines=tuple(lines)
    )


def test_decided_quotes_are_locked_and_expired_quotes_cannot_be_approved() -> None:
    approved = quote(part("P1", "1", "5")).approved(NOW, date(2026, 3, 1))
    assert approved.status is QuoteStatus.APPROVED
    with pytest.raises(QuoteLocked):
        approved.with_line(part("P2", "1", "5"))
    with pytest.raises(QuoteLocked):
        approved.declined(NOW)
    with pytest.raises(GuardFailed, match="expired"):
        quote(part("P1", "1", "5")).approved(NOW, date(2026, 4, 1))
    with pytest.raises(GuardFailed, match="empty"):
        quote().approved(NOW, date(2026, 3, 1))


def test_paid_part_needs_approved_quote_up_to_quantity() -> None:
    draft = quote(part("P1", "2", "5"))
    with pytest.raises(GuardFailed, match="must approve"):
        ensure_part_replacement_allowed(Billing.PAID, "P1", 1, [draft])
    declined = draft.declined(NOW)
    with pytest.raises(GuardFailed, match="must approve"):
        ensure_part_replacement_allowed(Billing.PAID, "P1", 1, [declined])
    approved = draft.approved(NOW, date(2026, 3, 1))
    ensure_part_replacement_allowed(Billing.PAID, "P1", 2, [approved])
    with pytest.raises(GuardFailed, match="exceed"):
        ensure_part_replacement_allowed(
            Billing.PAID, "P1", 1, [approved], [Replacement("P1", Decimal(2))]
        )
    with pytest.raises(GuardFailed, match="P9"):
        ensure_part_replacement_allowed(Billing.PAID, "P9", 1, [approved])
    ensure_part_replacement_allowed(Billing.IN_WARRANTY, "P9", 1, [])
    with pytest.raises(InvalidValue):
        ensure_part_replacement_allowed(Billing.IN_WARRANTY, "P9", 0, [])
