"""The rule for a checklist answer, shared by the app and the center."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fieldkit.domain.checklist import (
    ChecklistItem,
    Evidence,
    done_items,
    ensure_answer_allowed,
    progress,
)
from fieldkit.domain.enums import EvidenceKind as K
from fieldkit.domain.enums import JobStatus as S
from fieldkit.domain.errors import GuardFailed, InvalidValue

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TICK = ChecklistItem("i1", "Owner agreed", K.TICK)
OPTIONAL = ChecklistItem("i2", "Rack label", K.TICK, required=False)


def tick(on: bool, minutes: int = 0, item: str = "i1") -> Evidence:
    return Evidence(item, K.TICK, T0 + timedelta(minutes=minutes), ticked=on)


def test_a_tick_is_corrected_by_a_new_answer_until_the_backup_is_confirmed() -> None:
    ensure_answer_allowed(TICK, tick(True), [], S.DIAGNOSING)
    ensure_answer_allowed(TICK, tick(False, 1), [tick(True)], S.DIAGNOSING)
    ensure_answer_allowed(TICK, tick(False, 1), [tick(True)], S.ON_SITE)
    for status in (S.BACKED_UP, S.REPAIRING):
        with pytest.raises(GuardFailed, match="can no longer be corrected"):
            ensure_answer_allowed(TICK, tick(False, 1), [tick(True)], status)
        ensure_answer_allowed(OPTIONAL, tick(True, 1, "i2"), [], status)  # a first answer
    with pytest.raises(GuardFailed, match="recorded on site"):
        ensure_answer_allowed(TICK, tick(True), [], S.RESOLVED)
    # Nothing ticked: nothing to untick.
    with pytest.raises(InvalidValue, match="nothing to correct"):
        ensure_answer_allowed(TICK, tick(False), [], S.DIAGNOSING)
    with pytest.raises(InvalidValue, match="nothing to correct"):
        ensure_answer_allowed(TICK, tick(False, 2), [tick(True), tick(False, 1)], S.DIAGNOSING)
    # A job gone to another engineer: the record is kept, its content still checked.
    ensure_answer_allowed(TICK, tick(False, 1), [tick(True)], None)
    with pytest.raises(InvalidValue):
        ensure_answer_allowed(TICK, Evidence("i1", K.TEXT, T0, text="x"), [], None)


def test_the_latest_answer_counts_for_required_and_optional_items() -> None:
    items = [TICK, OPTIONAL]
    answers = [tick(True), tick(False, 1), tick(True, 0, "i2")]
    assert done_items(items, answers) == frozenset({"i2"})
    assert progress(items, answers).missing == ("Owner agreed",)
    assert progress(items, [*answers, tick(True, 2)]).complete


def test_each_correctable_set_names_what_it_holds() -> None:
    """Two sets once shared the name CORRECTABLE: the statuses in which a checklist answer may
    be corrected, and those in which a slip may be corrected. Each name now says which, and
    each set is exactly where its rule lets a correction through."""
    from fieldkit.domain import checklist, rules

    assert not hasattr(checklist, "CORRECTABLE") and not hasattr(rules, "CORRECTABLE")
    answers_ok = set()
    slips_ok = set()
    for status in S:
        try:
            ensure_answer_allowed(TICK, tick(False, 1), [tick(True)], status)
            answers_ok.add(status)
        except GuardFailed:
            pass
        try:
            rules.ensure_slip_signable(status, correcting=True)
            slips_ok.add(status)
        except GuardFailed:
            pass
    assert answers_ok == set(checklist.ANSWERS_CORRECTABLE) == {S.ON_SITE, S.DIAGNOSING}
    assert slips_ok == set(rules.SLIP_CORRECTABLE) == {S.SIGNED, S.CLOSED}
