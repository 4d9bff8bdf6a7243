"""The rules for sending a slip by e-mail and for escalating, shared by the app and center."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fieldkit.domain.enums import EscalationCategory
from fieldkit.domain.enums import JobStatus as S
from fieldkit.domain.errors import GuardFailed, InvalidValue
from fieldkit.domain.mail import ensure_sendable, validate_address, validate_language
from fieldkit.domain.workflow import ActionArgs, apply
from tests.domain.test_workflow import CAUSE, ctx, make_job

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  li.wei@Example.COM ", "li.wei@example.com"),
        ("ops+slips@mail.shanghai-metro.cn", "ops+slips@mail.shanghai-metro.cn"),
        ("service@例子.中国", "service@xn--fsqu00a.xn--fiqs8s"),
    ],
)
def test_addresses_customers_can_receive_are_accepted(text: str, expected: str) -> None:
    assert validate_address(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "li.wei",
        "li.wei@",
        "@example.com",
        "li wei@example.com",
        "li..wei@example.com",
        "li@wei@example.com",
        "li.wei@localhost",
        "li.wei@example",
        "li.wei@example.c",
        "li.wei@-example.com",
        "li.wei@exa_mple.com",
        "li.wei@example..com",
        "li.wei@192.168.1.10",
        "li.wei@[192.168.1.10]",
        "x" * 65 + "@example.com",
        "li.wei@" + "a" * 64 + ".com",
    ],
)
def test_addresses_without_a_real_domain_are_refused_in_plain_words(text: str) -> None:
    with pytest.raises(InvalidValue, match="is not an e-mail address: check it"):
        validate_address(text)


def test_language_and_superseded_slip() -> None:
    assert validate_language("zh_CN") == "zh_CN"
    with pytest.raises(InvalidValue, match="English or Chinese"):
        validate_language("fr")
    ensure_sendable(superseded=False)
    with pytest.raises(GuardFailed, match="send the corrected slip"):
        ensure_sendable(superseded=True)


def test_escalation_records_its_category_and_refuses_an_unknown_one() -> None:
    args = ActionArgs(reason="PSU dead", findings="Needs PSU-24V", category="needs_part")
    job = apply(make_job(S.REPAIRING, cause=CAUSE), "escalate", ctx(), T0, args)
    assert job.escalations[-1].category is EscalationCategory.NEEDS_PART
    for bad in ("", "urgent"):
        with pytest.raises(GuardFailed, match="Choose what the center needs"):
            apply(
                make_job(S.REPAIRING, cause=CAUSE),
                "escalate",
                ctx(),
                T0,
                ActionArgs(reason="x", findings="y", category=bad),
            )
    # A change queued by an older app carries no category: recorded as "other".
    legacy = apply(
        make_job(S.DIAGNOSING), "escalate", ctx(), T0, ActionArgs(reason="x", findings="y")
    )
    assert legacy.escalations[-1].category is EscalationCategory.OTHER
