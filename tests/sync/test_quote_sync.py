"""Draft quotes corrected and withdrawn on the tablet reach the center as they are; the
center refuses the quote steps the app refuses (a signed job's quotes are closed), from the
same domain rule, when a device sends them anyway."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from fieldkit.domain.enums import QuoteLineKind, QuoteStatus, SignerRole
from fieldkit.domain.errors import GuardFailed
from fieldkit.services import quote_views, quotes, slips
from fieldkit.services.transaction import transaction
from fieldkit.store import models as m
from tests.services.fixtures import signature
from tests.support.flow import resolve_on_site
from tests.support.server import Client, Office, Server, make_client


def center_quotes(server: Server, job: str, where: Path) -> dict[str, Any]:
    """What a brand-new device of the same engineer receives: the center's own record."""
    probe = make_client(server.url, "wang", where)
    probe.sync()
    views = {q.number: q for q in quote_views.quotes_for_job(probe.ctx, job)}
    probe.close()
    return views


def draft(client: Client, job: str) -> tuple[str, list[str]]:
    qid = quotes.create_quote(client.ctx, job).entity_id
    assert qid is not None
    for amount in ("150", "150"):  # travel twice: the mistake from the field
        quotes.add_quote_line(
            client.ctx,
            qid,
            QuoteLineKind.TRAVEL,
            1,
            description="Travel",
            unit_price=amount,
            tax_rate="0.06",
        )
    view = next(q for q in quote_views.quotes_for_job(client.ctx, job) if q.id == qid)
    return qid, [line.line_id for line in view.lines]


def version(client: Client, qid: str) -> int:
    with client.ctx.db.read() as s:
        row = s.get(m.Quote, qid)
        assert row is not None
        return row.version


def test_corrected_and_withdrawn_drafts_reach_the_center(
    server: Server, office: Office, wang: Client, tmp_path: Path
) -> None:
    job = office.new_job("wang")
    wang.sync()
    q1, (first, second) = draft(wang, job)
    quotes.remove_quote_line(wang.ctx, q1, second, expected_version=version(wang, q1))
    quotes.update_quote_line(
        wang.ctx, q1, first, quantity=2, unit_price="120", description="Travel 2 trips"
    )
    q2, _lines = draft(wang, job)
    quotes.withdraw_quote(wang.ctx, q2, "duplicate of Q1")
    report = wang.sync()
    assert report.rejected == 0, report.rejections
    mine = {q.number: q for q in quote_views.quotes_for_job(wang.ctx, job)}
    theirs = center_quotes(server, job, tmp_path / "probe")
    assert theirs == mine
    one, two = sorted(theirs.values(), key=lambda q: q.number)
    assert [(li.description, li.quantity, li.unit_price.amount) for li in one.lines] == [
        ("Travel 2 trips", 2, 120)
    ]
    assert two.status is QuoteStatus.WITHDRAWN and len(two.lines) == 2  # kept, not deleted
    assert (two.decided_by, two.decline_reason) == ("wang", "duplicate of Q1")


def test_the_center_refuses_quote_steps_on_a_signed_job(
    server: Server, office: Office, wang: Client, tmp_path: Path
) -> None:
    job = office.new_job("wang")
    wang.sync()
    stale, (line, _other) = draft(wang, job)
    resolve_on_site(wang.ctx, job, tmp_path)
    slips.sign_slip(
        wang.ctx, job, signature(), signature(SignerRole.ENGINEER, "王工"), satisfaction=5
    )
    assert wang.sync().rejected == 0

    # The app refuses: no new quote, the stale draft cannot be approved or changed.
    refusals = []
    for step in (
        lambda: quotes.create_quote(wang.ctx, job),
        lambda: quotes.record_customer_approval(wang.ctx, stale, signature()),
        lambda: quotes.update_quote_line(wang.ctx, stale, line, quantity=3),
    ):
        try:
            step()
        except GuardFailed as exc:
            refusals.append(str(exc))
    assert len(refusals) == 3

    # A device that sends them anyway (an old release, a tampered tablet) is refused too.
    base = version(wang, stale)
    now = wang.ctx.clock.now()
    with transaction(wang.ctx) as tx:
        with tx.session.no_autoflush:
            number = tx.session.scalar(select(m.Job.number).where(m.Job.id == job))
        new_id = m.new_id()
        tx.emit_stored(
            "quote.create.v1",
            new_id,
            None,
            {
                "id": new_id,
                "number": f"{number}-Q9",
                "currency": "CNY",
                "valid_until": (now + timedelta(days=14)).date().isoformat(),
                "job_id": job,
                "created_at": now.isoformat(),
            },
        )
        customer = {
            "id": m.new_id(),
            "role": SignerRole.CUSTOMER.value,
            "signer_name": "李经理",
            "signed_at": now.isoformat(),
            "canvas_width": 600,
            "canvas_height": 200,
            "strokes": [[[1, 2, 0.5, 0], [40, 30, 0.5, 10]]],
        }
        tx.emit_stored(
            "quote.approve.v1", stale, base, {"at": now.isoformat(), "signature": customer}
        )
        tx.emit_stored(
            "quote.update_line.v1",
            stale,
            base,
            {"line_id": line, "description": "Travel", "quantity": "3", "unit_price": "150"},
        )
    report = wang.sync()
    assert report.rejected == 3 and report.pushed == 0
    said = sorted(r.removesuffix(" [quote.rule]") for r in report.rejections)
    assert said == sorted(refusals)  # the same rule, the same sentence, on both sides

    # What stays allowed: the engineer withdraws the stale draft; the center takes it.
    quotes.withdraw_quote(wang.ctx, stale, "left over after signing")
    report = wang.sync()
    assert report.rejected == 0, report.rejections
    [left] = center_quotes(server, job, tmp_path / "probe").values()
    assert left.status is QuoteStatus.WITHDRAWN and left.id == stale


def test_the_center_checks_the_line_and_the_reason_it_is_sent(
    server: Server, office: Office, wang: Client, tmp_path: Path
) -> None:
    job = office.new_job("wang")
    wang.sync()
    mine, (line, _other) = draft(wang, job)
    theirs, (foreign, _x) = draft(wang, job)
    quotes.record_customer_approval(wang.ctx, theirs, signature())
    assert wang.sync().rejected == 0
    now = wang.ctx.clock.now().isoformat()
    with transaction(wang.ctx) as tx:
        base = version(wang, mine)
        # A line of another quote, a quantity the domain refuses, a withdrawal with no reason,
        # and the withdrawal of a quote the customer already approved.
        tx.emit_stored("quote.remove_line.v1", mine, base, {"line_id": foreign})
        tx.emit_stored(
            "quote.update_line.v1",
            mine,
            base,
            {"line_id": line, "description": "Travel", "quantity": "0", "unit_price": "150"},
        )
        tx.emit_stored("quote.withdraw.v1", mine, base, {"reason": " ", "at": now})
        tx.emit_stored(
            "quote.withdraw.v1",
            theirs,
            version(wang, theirs),
            {"reason": "oops", "at": now},
        )
    report = wang.sync()
    assert report.rejected == 4, report.rejections
    said = " | ".join(report.rejections)
    for reason in ("no longer on the quote", "must be positive", "why the draft", "approved"):
        assert reason in said
    views = {q.id: q for q in center_quotes(server, job, tmp_path / "probe").values()}
    assert len(views[mine].lines) == 2 and views[theirs].status is QuoteStatus.APPROVED
