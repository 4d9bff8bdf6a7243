"""Draft quotes are corrected line by line and withdrawn with a reason; a signed job's
quotes are closed. Every step is one outbox mutation and one audit entry."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from fieldkit.domain.enums import QuoteLineKind, QuoteStatus, SignerRole
from fieldkit.domain.errors import GuardFailed, InvalidValue, QuoteLocked
from fieldkit.services import quote_views, quotes, slips
from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m

from .fixtures import seed_job, signature


def draft_with_two_lines(ctx: ServiceContext) -> tuple[str, list[str]]:
    qid = quotes.create_quote(ctx, "j1").entity_id
    assert qid is not None
    quotes.add_quote_line(ctx, qid, QuoteLineKind.PART, 1, part_no="PSU-24V")
    quotes.add_quote_line(
        ctx, qid, QuoteLineKind.TRAVEL, 1, description="Travel", unit_price="150", tax_rate="0.06"
    )
    [view] = quote_views.quotes_for_job(ctx, "j1")
    return qid, [line.line_id for line in view.lines]


def test_a_drafts_lines_change_and_go_with_versions(ctx: ServiceContext) -> None:
    seed_job(ctx, paid=True, status="repairing")
    qid, (psu, travel) = draft_with_two_lines(ctx)
    [view] = quote_views.quotes_for_job(ctx, "j1")
    quotes.update_quote_line(
        ctx, qid, travel, quantity=2, unit_price="120", expected_version=view.version
    )
    with pytest.raises(GuardFailed, match="changed since you opened it"):
        quotes.remove_quote_line(ctx, qid, psu, expected_version=view.version)
    quotes.remove_quote_line(ctx, qid, psu, expected_version=view.version + 1)
    quotes.add_quote_line(
        ctx,
        qid,
        QuoteLineKind.LABOUR,
        "1.5",
        description="Labour",
        unit_price="280",
        tax_rate="0.06",
    )
    [view] = quote_views.quotes_for_job(ctx, "j1")
    assert [(li.description, li.quantity) for li in view.lines] == [
        ("Travel", Decimal(2)),
        ("Labour", Decimal("1.5")),
    ]
    assert view.totals.subtotal.amount == Decimal("660.00")  # 2 x 120 + 1.5 x 280
    with ctx.db.read() as s:
        positions = s.scalars(select(m.QuoteLine.position).where(m.QuoteLine.quote_id == qid)).all()
        assert sorted(positions) == [2, 3]  # after the last line, not onto a kept one
        out = s.scalars(select(m.OutboxMutation).order_by(m.OutboxMutation.seq)).all()
        names = [(o.name, o.base_version) for o in out][-3:]
        assert names == [
            ("quote.update_line.v1", 3),
            ("quote.remove_line.v1", 4),
            ("quote.add_line.v1", 5),
        ]
        assert out[-3].args == {
            "line_id": travel,
            "description": "Travel",
            "quantity": "2",
            "unit_price": "120.00",
        }
        removed = s.scalars(
            select(m.AuditEntry).where(m.AuditEntry.action == "quote.remove_line")
        ).one()
        assert removed.details["description"] == "24V 电源"  # the audit keeps what it was


def test_a_decided_quote_keeps_its_lines(ctx: ServiceContext) -> None:
    seed_job(ctx, paid=True, status="repairing")
    qid, (psu, _travel) = draft_with_two_lines(ctx)
    quotes.record_customer_approval(ctx, qid, signature())
    with pytest.raises(QuoteLocked):
        quotes.update_quote_line(ctx, qid, psu, quantity=5)
    with pytest.raises(QuoteLocked):
        quotes.remove_quote_line(ctx, qid, psu)
    with pytest.raises(QuoteLocked):
        quotes.withdraw_quote(ctx, qid, "changed my mind")


def test_a_mistaken_draft_is_withdrawn_and_kept(ctx: ServiceContext) -> None:
    seed_job(ctx, paid=True, status="repairing")
    qid, _lines = draft_with_two_lines(ctx)
    with pytest.raises(InvalidValue, match="why"):
        quotes.withdraw_quote(ctx, qid, "  ")
    quotes.withdraw_quote(ctx, qid, "两次添加了路费 travel added twice")
    [view] = quote_views.quotes_for_job(ctx, "j1")
    assert view.status is QuoteStatus.WITHDRAWN and len(view.lines) == 2  # never deleted
    assert (view.decided_by, view.decline_reason) == (
        "eng-wang",
        "两次添加了路费 travel added twice",
    )
    with pytest.raises(QuoteLocked):
        quotes.record_customer_approval(ctx, qid, signature())


def test_a_signed_job_takes_no_new_quote_and_its_drafts_cannot_be_approved(
    ctx: ServiceContext,
) -> None:
    seed_job(ctx, paid=True, status="resolved")
    qid, (psu, _travel) = draft_with_two_lines(ctx)
    slips.sign_slip(ctx, "j1", signature(), signature(SignerRole.ENGINEER, "王工"), satisfaction=4)
    assert quote_views.job_is_signed(ctx, "j1")
    with pytest.raises(GuardFailed, match="takes no new quote"):
        quotes.create_quote(ctx, "j1")
    for step in (
        lambda: quotes.record_customer_approval(ctx, qid, signature()),
        lambda: quotes.decline_quote(ctx, qid, "李经理", "too late"),
        lambda: quotes.update_quote_line(ctx, qid, psu, quantity=3),
        lambda: quotes.add_quote_line(ctx, qid, QuoteLineKind.PART, 1, part_no="PSU-24V"),
    ):
        with pytest.raises(GuardFailed, match="can no longer be changed or approved"):
            step()
    quotes.withdraw_quote(ctx, qid, "left over after signing")
    assert quote_views.quotes_for_job(ctx, "j1")[0].status is QuoteStatus.WITHDRAWN
