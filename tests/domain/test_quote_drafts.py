"""Drafts can be corrected and withdrawn; decided quotes and a signed job's quotes cannot."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from fieldkit.domain.enums import QuoteLineKind, QuoteStatus
from fieldkit.domain.errors import GuardFailed, InvalidValue, QuoteLocked
from fieldkit.domain.money import Money
from fieldkit.domain.quote import QUOTE_STEPS, Quote, QuoteLine, ensure_quote_step_allowed

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def draft() -> Quote:
    lines = (
        QuoteLine(
            QuoteLineKind.PART,
            "HDD",
            Decimal(1),
            Money.of("1580", "CNY"),
            Decimal("0.13"),
            "H1",
            "l1",
        ),
        QuoteLine(
            QuoteLineKind.TRAVEL,
            "Travel",
            Decimal(1),
            Money.of("150", "CNY"),
            Decimal("0.06"),
            None,
            "l2",
        ),
    )
    return Quote("q1", "j1", "CNY", date(2026, 3, 15), lines=lines)


def test_a_drafts_line_changes_and_is_validated_again() -> None:
    changed = draft().with_line_changed(
        "l1", quantity=Decimal(2), unit_price=Decimal("1500"), description=" HDD 8TB "
    )
    line = changed.lines[0]
    assert (line.description, line.quantity, line.unit_price.amount) == (
        "HDD 8TB",
        Decimal(2),
        Decimal("1500.00"),
    )
    assert changed.totals().subtotal.amount == Decimal("3150.00")
    with pytest.raises(InvalidValue, match="positive"):
        draft().with_line_changed("l1", quantity=Decimal(0))
    with pytest.raises(InvalidValue, match="Describe"):
        draft().with_line_changed("l1", description="  ")
    with pytest.raises(InvalidValue, match="no longer on the quote"):
        draft().with_line_changed("nope", quantity=Decimal(1))


def test_a_line_is_removed_only_from_a_draft() -> None:
    assert [li.line_id for li in draft().without_line("l2").lines] == ["l1"]
    approved = draft().approved(NOW, NOW.date())
    with pytest.raises(QuoteLocked):
        approved.without_line("l2")
    with pytest.raises(QuoteLocked):
        approved.with_line_changed("l1", quantity=Decimal(3))


def test_withdrawing_needs_a_reason_and_a_draft() -> None:
    with pytest.raises(InvalidValue, match="why"):
        draft().withdrawn(NOW, " ")
    gone = draft().withdrawn(NOW, "duplicate travel line")
    assert gone.status is QuoteStatus.WITHDRAWN and gone.lines == draft().lines
    with pytest.raises(QuoteLocked):
        gone.approved(NOW, NOW.date())
    with pytest.raises(QuoteLocked):
        gone.withdrawn(NOW, "again")


def test_a_signed_job_takes_no_new_quote_and_its_drafts_only_withdraw() -> None:
    for step in QUOTE_STEPS:
        ensure_quote_step_allowed(step, job_signed=False)
    ensure_quote_step_allowed("withdraw", job_signed=True)
    with pytest.raises(GuardFailed, match="takes no new quote"):
        ensure_quote_step_allowed("create", job_signed=True)
    for step in QUOTE_STEPS - {"create", "withdraw"}:
        with pytest.raises(GuardFailed, match="can no longer be changed or approved"):
            ensure_quote_step_allowed(step, job_signed=True)
    with pytest.raises(InvalidValue):
        ensure_quote_step_allowed("teleport", job_signed=False)
