"""Every gate gives the same verdict in the app's service and in the center's handler.

One state (the services' seeded job, copied to the center), one change: the app either
refuses it or queues it; the center receives the app's own mutation when the app queued it,
or the same change built as the app would have sent it when the app refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from fieldkit.domain.clock import FixedClock
from fieldkit.domain.enums import CauseArea, CauseOrigin, QuoteLineKind, SignerRole
from fieldkit.domain.errors import DomainError
from fieldkit.protocol.entities import SYNCED_MODELS, table_of
from fieldkit.protocol.mutations import (
    ChecklistAnswerV1,
    JobClassifyV1,
    PartReplaceV1,
    QuoteDeclineV1,
    WorklogAddV1,
)
from fieldkit.services import checklists, jobs, quotes, slips
from fieldkit.services.context import ServiceContext, open_context
from fieldkit.store import models as m
from tests.server.center import Center
from tests.services.fixtures import seed_job, signature


def tick_item(ctx: ServiceContext) -> str:
    with ctx.db.read() as s:
        return str(
            s.scalars(
                select(m.ChecklistRunItem.id).where(m.ChecklistRunItem.evidence_kind == "tick")
            ).one()
        )


def clone(ctx: ServiceContext, folder: Path, clock: FixedClock, status: str) -> ServiceContext:
    """A second device of the same engineer holding the same rows, with the job in ``status``."""
    other = open_context(folder, ctx.actor, clock)
    with ctx.db.read() as src, other.db.write() as dst:
        for model in SYNCED_MODELS:
            rows = [dict(r) for r in src.execute(select(table_of(model))).mappings()]
            if rows:
                dst.execute(insert(table_of(model)), rows)
        dst.execute(update(m.Job).values(status=status))
    return other


@dataclass(frozen=True)
class Gate:
    name: str
    app: Callable[[ServiceContext], object]
    # The same change as the app would send it; None: a second device with the job in
    # ``open_status`` makes it (for signed slips, which only a device can produce).
    craft: Callable[[ServiceContext], tuple[object, str]] | None = None
    open_status: str = ""
    setup: Callable[[ServiceContext], object] | None = None  # run in the app, then synced


EVIDENCE = Gate(
    "evidence",
    lambda ctx: checklists.record_evidence(ctx, tick_item(ctx), ticked=True),
    lambda ctx: (
        ChecklistAnswerV1(
            answer_id="a-new",
            run_item_id=tick_item(ctx),
            kind="tick",
            ticked=True,
            at=ctx.clock.now(),
        ),
        tick_item(ctx),
    ),
)
CLASSIFY = Gate(
    "classify",
    lambda ctx: jobs.classify_cause(ctx, "j1", CauseArea.HARDWARE, CauseOrigin.SYSTEM_FAULT),
    lambda ctx: (
        JobClassifyV1(cause_area=CauseArea.HARDWARE, cause_origin=CauseOrigin.SYSTEM_FAULT),
        "j1",
    ),
)


def _replace(part_no: str, quantity: int = 1) -> Gate:
    return Gate(
        f"replace {quantity} x {part_no}",
        lambda ctx: quotes.record_part_replacement(ctx, "j1", part_no, quantity),
        lambda ctx: (
            PartReplaceV1(id="r-new", part_no=part_no, quantity=quantity, at=ctx.clock.now()),
            "j1",
        ),
    )


REPLACE = _replace("PSU-24V")
REPLACE_UNLISTED = _replace("NOT-IN-LIST")
REPLACE_TWO = _replace("PSU-24V", 2)
NOTE_EMPTY = Gate(
    "empty note",
    lambda ctx: jobs.add_note(ctx, "j1", "   "),
    lambda ctx: (WorklogAddV1(id="n-new", at=ctx.clock.now(), note="   "), "j1"),
)
NOTE = Gate("note", lambda ctx: jobs.add_note(ctx, "j1", "门禁已恢复"))


def _decline(name: str) -> Gate:
    def app(ctx: ServiceContext) -> object:
        return quotes.decline_quote(ctx, _draft_quote(ctx), name, "too expensive")

    return Gate(
        f"decline by {name!r}",
        app,
        lambda ctx: (
            QuoteDeclineV1(by=name, reason="too expensive", at=ctx.clock.now()),
            _draft_quote(ctx),
        ),
        setup=_new_draft_quote,
    )


def _new_draft_quote(ctx: ServiceContext) -> None:
    quote = quotes.create_quote(ctx, "j1").entity_id
    assert quote is not None
    quotes.add_quote_line(ctx, quote, QuoteLineKind.PART, 1, part_no="PSU-24V")


def _draft_quote(ctx: ServiceContext) -> str:
    with ctx.db.read() as s:
        return str(s.scalars(select(m.Quote.id).where(m.Quote.status == "draft")).one())


DECLINE_UNNAMED = _decline(" ")
DECLINE = _decline("李经理")
SIGN = Gate(
    "sign slip",
    lambda ctx: slips.sign_slip(ctx, "j1", signature(), signature(SignerRole.ENGINEER, "王工"), 5),
    None,
    "resolved",
)

CASES = [
    # gate, job status, paid job, approved quote for 1 x PSU-24V, expected verdict
    (EVIDENCE, "assigned", False, False, "refused"),
    (EVIDENCE, "on_site", False, False, "accepted"),
    (EVIDENCE, "repairing", False, False, "accepted"),
    (EVIDENCE, "resolved", False, False, "refused"),
    (EVIDENCE, "signed", False, False, "refused"),
    (CLASSIFY, "on_site", False, False, "refused"),
    (CLASSIFY, "diagnosing", False, False, "accepted"),
    (CLASSIFY, "resolved", False, False, "refused"),
    (REPLACE, "diagnosing", False, False, "refused"),
    (REPLACE, "repairing", False, False, "accepted"),
    (REPLACE, "resolved", False, False, "refused"),
    (REPLACE_UNLISTED, "repairing", False, False, "refused"),
    (REPLACE, "repairing", True, False, "refused"),
    (REPLACE, "repairing", True, True, "accepted"),
    (REPLACE_TWO, "repairing", True, True, "refused"),
    (NOTE_EMPTY, "on_site", False, False, "refused"),
    (NOTE, "on_site", False, False, "accepted"),
    (DECLINE_UNNAMED, "repairing", True, False, "refused"),
    (DECLINE, "repairing", True, False, "accepted"),
    (SIGN, "repairing", False, False, "refused"),
    (SIGN, "resolved", False, False, "accepted"),
]


@pytest.mark.parametrize(
    ("gate", "status", "paid", "quoted", "expected"),
    CASES,
    ids=[f"{g.name}-{s}{'-paid' if p else ''}{'-quoted' if q else ''}" for g, s, p, q, _ in CASES],
)
def test_app_and_center_give_the_same_verdict(
    ctx: ServiceContext,
    clock: FixedClock,
    center: Center,
    tmp_path: Path,
    gate: Gate,
    status: str,
    paid: bool,
    quoted: bool,
    expected: str,
) -> None:
    seed_job(ctx, paid=paid, status=status)
    center.copy_from(ctx)
    device = center.app_device(ctx)
    if quoted:  # the customer approved 1 x PSU-24V, through the app and the center alike
        quote = quotes.create_quote(ctx, "j1").entity_id
        assert quote is not None
        quotes.add_quote_line(ctx, quote, QuoteLineKind.PART, 1, part_no="PSU-24V")
        quotes.record_customer_approval(ctx, quote, signature())
        assert {r.status for r in center.push_outbox(device, ctx)} == {"applied"}
    if gate.setup is not None:
        gate.setup(ctx)
        assert {r.status for r in center.push_outbox(device, ctx)} == {"applied"}

    try:
        gate.app(ctx)
        app = "accepted"
    except DomainError:
        app = "refused"

    if app == "accepted":
        results = center.push_outbox(device, ctx)
    elif gate.craft is not None:
        args, entity_id = gate.craft(ctx)
        version = center.rows("quotes", id=entity_id)[0]["version"] if gate.setup else None
        results = [center.send(device, args, entity_id, version)]
    else:
        other = clone(ctx, tmp_path / "second-device", clock, gate.open_status)
        gate.app(other)
        results = center.push_outbox(center.app_device(other), other)[:1]
    assert results
    center_verdict = "accepted" if all(r.status == "applied" for r in results) else "refused"
    assert (app, center_verdict) == (expected, expected), [r.reason for r in results]
