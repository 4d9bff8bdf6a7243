"""Every gate gives the same verdict in the app's service and in the center's handler.

One state (the services' seeded job, copied to the center), one change: the app either
refuses it or queues it; the center receives the app's own mutation when the app queued it,
or the same change built as the app would have sent it when the app refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
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
    JobEscalateV1,
    JobTransitionV1,
    PartReplaceV1,
    QuoteAddLineV1,
    QuoteApproveV1,
    QuoteCreateV1,
    QuoteDeclineV1,
    SignatureV1,
    SlipSendEmailV1,
    WorklogAddV1,
)
from fieldkit.services import checklists, escalations, jobs, quotes, slip_delivery, slips
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

ARRIVE_UNCONFIRMED = Gate(
    "arrive unconfirmed",
    lambda ctx: jobs.record_arrival(ctx, "j1", " "),
    lambda ctx: (JobTransitionV1(action="arrive", at=ctx.clock.now(), confirmed_with=" "), "j1"),
)
ARRIVE = Gate(
    "arrive",
    lambda ctx: jobs.record_arrival(ctx, "j1", "张经理"),
    lambda ctx: (
        JobTransitionV1(action="arrive", at=ctx.clock.now(), confirmed_with="张经理"),
        "j1",
    ),
)


def _all_backup_evidence(ctx: ServiceContext) -> None:
    """Classify the cause and answer every backup item: the backup may be confirmed."""
    jobs.classify_cause(ctx, "j1", CauseArea.HARDWARE, CauseOrigin.SYSTEM_FAULT)
    with ctx.db.read() as s:
        items = [(i.id, i.evidence_kind) for i in s.scalars(select(m.ChecklistRunItem))]
    for item_id, kind in items:
        path = ctx.db.path.parent / f"evidence-{item_id}.bin"
        path.write_bytes(b"backup " + item_id.encode())
        checklists.record_evidence(
            ctx,
            item_id,
            ticked=kind == "tick",
            text="V5.2" if kind == "text" else "",
            file=path if kind in ("file", "photo") else None,
        )


def _transition(action: str) -> Callable[[ServiceContext], tuple[object, str]]:
    return lambda ctx: (JobTransitionV1(action=action, at=ctx.clock.now()), "j1")


CONFIRM_BACKUP_MISSING = Gate(
    "confirm backup, items missing",
    lambda ctx: jobs.confirm_backup(ctx, "j1"),
    _transition("confirm_backup"),
    setup=lambda ctx: jobs.classify_cause(ctx, "j1", CauseArea.HARDWARE, CauseOrigin.SYSTEM_FAULT),
)
CONFIRM_BACKUP = Gate(
    "confirm backup", lambda ctx: jobs.confirm_backup(ctx, "j1"), setup=_all_backup_evidence
)
START_REPAIR_UNBACKED = Gate(
    "repair before the backup",
    lambda ctx: jobs.start_repair(ctx, "j1"),
    _transition("start_repair"),
)
RESOLVE_UNSAID = Gate(
    "resolve unsaid",
    lambda ctx: jobs.resolve(ctx, "j1", "  "),
    lambda ctx: (JobTransitionV1(action="resolve", at=ctx.clock.now(), resolution="  "), "j1"),
)
RESOLVE = Gate(
    "resolve",
    lambda ctx: jobs.resolve(ctx, "j1", "更换电源"),
    lambda ctx: (
        JobTransitionV1(action="resolve", at=ctx.clock.now(), resolution="更换电源"),
        "j1",
    ),
)


def _escalate(reason: str, category: str = "other") -> Gate:
    return Gate(
        f"escalate {reason!r} {category}",
        lambda ctx: escalations.escalate(ctx, "j1", reason, "电源模块损坏", category),
        lambda ctx: (
            JobEscalateV1(
                escalation_id="e-new",
                at=ctx.clock.now(),
                reason=reason,
                findings="电源模块损坏",
                category=category,
            ),
            "j1",
        ),
    )


ESCALATE_UNSAID = _escalate(" ")
ESCALATE_UNKNOWN_NEED = _escalate("需要厂家支持", "magic")
ESCALATE = _escalate("需要厂家支持")


def _sign(ctx: ServiceContext) -> object:
    return slips.sign_slip(ctx, "j1", signature(), signature(SignerRole.ENGINEER, "王工"), 5)


def _create_quote(after_signing: bool) -> Gate:
    return Gate(
        "create quote" + (" after signing" if after_signing else ""),
        lambda ctx: quotes.create_quote(ctx, "j1"),
        lambda ctx: (
            QuoteCreateV1(
                id="q-new",
                job_id="j1",
                number="SO-j1-Q1",
                valid_until=ctx.clock.now().date(),
                created_at=ctx.clock.now(),
            ),
            "q-new",
        ),
        setup=_sign if after_signing else None,
    )


QUOTE_CREATE = _create_quote(False)
QUOTE_CREATE_SIGNED = _create_quote(True)


def _approve(lines: bool) -> Gate:
    def setup(ctx: ServiceContext) -> None:
        quote = quotes.create_quote(ctx, "j1").entity_id
        assert quote is not None
        if lines:
            quotes.add_quote_line(ctx, quote, QuoteLineKind.PART, 1, part_no="PSU-24V")

    def craft(ctx: ServiceContext) -> tuple[object, str]:
        captured = signature()
        sig = SignatureV1(
            id="sig-new",
            role="customer",
            signer_name=captured.signer_name,
            signed_at=ctx.clock.now(),
            canvas_width=captured.canvas_width,
            canvas_height=captured.canvas_height,
            strokes=[list(map(list, st)) for st in captured.strokes],
        )
        approve = QuoteApproveV1(signature=sig, signature_id="sig-new", at=ctx.clock.now())
        return approve, _draft_quote(ctx)

    return Gate(
        "approve quote" + ("" if lines else " without lines"),
        lambda ctx: quotes.record_customer_approval(ctx, _draft_quote(ctx), signature()),
        craft,
        setup=setup,
    )


def _add_line(part_no: str, after_signing: bool = False) -> Gate:
    def setup(ctx: ServiceContext) -> None:
        quotes.create_quote(ctx, "j1")
        if after_signing:  # the draft is left on the job when the customer signs
            _sign(ctx)

    return Gate(
        f"add {part_no} to the quote" + (" after signing" if after_signing else ""),
        lambda ctx: quotes.add_quote_line(
            ctx, _draft_quote(ctx), QuoteLineKind.PART, 1, part_no=part_no
        ),
        lambda ctx: (
            QuoteAddLineV1(
                line_id="l-new",
                kind=QuoteLineKind.PART,
                part_no=part_no,
                description=part_no,
                quantity=Decimal(1),
                unit_price=Decimal("286.00"),
                tax_rate=Decimal("0.13"),
            ),
            _draft_quote(ctx),
        ),
        setup=setup,
    )


ADD_LINE = _add_line("PSU-24V")
ADD_LINE_UNLISTED = _add_line("NOT-IN-LIST")
ADD_LINE_SIGNED = _add_line("PSU-24V", after_signing=True)
APPROVE_EMPTY = _approve(False)
APPROVE = _approve(True)


def _signed_slip(ctx: ServiceContext) -> str:
    with ctx.db.read() as s:
        return str(s.scalars(select(m.Slip.id)).one())


def _mail(to: str, language: str = "zh_CN") -> Gate:
    return Gate(
        f"mail the slip to {to!r} in {language}",
        lambda ctx: slip_delivery.send_slip(ctx, _signed_slip(ctx), to, language),
        lambda ctx: (
            SlipSendEmailV1(
                id="mail-new",
                slip_id=_signed_slip(ctx),
                to=to,
                language=language,
                at=ctx.clock.now(),
            ),
            "mail-new",
        ),
        setup=_sign,
    )


MAIL_NOWHERE = _mail("not an address")
MAIL_UNKNOWN_LANGUAGE = _mail("kehu@example.com", "tlh")
MAIL = _mail("kehu@example.com")

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
    (ARRIVE_UNCONFIRMED, "travelling", False, False, "refused"),
    (ARRIVE, "travelling", False, False, "accepted"),
    (ARRIVE, "assigned", False, False, "refused"),
    (CONFIRM_BACKUP_MISSING, "diagnosing", False, False, "refused"),
    (CONFIRM_BACKUP, "diagnosing", False, False, "accepted"),
    (START_REPAIR_UNBACKED, "backed_up", False, False, "refused"),
    (RESOLVE_UNSAID, "repairing", False, False, "refused"),
    (RESOLVE, "repairing", False, False, "accepted"),
    (RESOLVE, "diagnosing", False, False, "refused"),
    (ESCALATE_UNSAID, "diagnosing", False, False, "refused"),
    (ESCALATE_UNKNOWN_NEED, "diagnosing", False, False, "refused"),
    (ESCALATE, "diagnosing", False, False, "accepted"),
    (QUOTE_CREATE, "repairing", True, False, "accepted"),
    (QUOTE_CREATE_SIGNED, "resolved", True, False, "refused"),
    (ADD_LINE, "repairing", True, False, "accepted"),
    (ADD_LINE_UNLISTED, "repairing", True, False, "refused"),
    (ADD_LINE_SIGNED, "resolved", True, False, "refused"),
    (APPROVE_EMPTY, "repairing", True, False, "refused"),
    (APPROVE, "repairing", True, False, "accepted"),
    (MAIL_NOWHERE, "resolved", False, False, "refused"),
    (MAIL_UNKNOWN_LANGUAGE, "resolved", False, False, "refused"),
    (MAIL, "resolved", False, False, "accepted"),
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
        for sha in ctx.blobs:  # the evidence files, uploaded by this engineer
            center.blob(sha, device.username)
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
        quote = center.rows("quotes", id=entity_id) if gate.setup else []
        version = quote[0]["version"] if quote else None
        results = [center.send(device, args, entity_id, version)]
    else:
        other = clone(ctx, tmp_path / "second-device", clock, gate.open_status)
        gate.app(other)
        results = center.push_outbox(center.app_device(other), other)[:1]
    assert results
    center_verdict = "accepted" if all(r.status == "applied" for r in results) else "refused"
    assert (app, center_verdict) == (expected, expected), [r.reason for r in results]
