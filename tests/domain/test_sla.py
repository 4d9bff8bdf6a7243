from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fieldkit.domain.clock import FixedClock
from fieldkit.domain.enums import Severity
from fieldkit.domain.errors import InvalidValue
from fieldkit.domain.sla import SlaState, SlaTerms, job_sla

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CONTRACT = {
    Severity.CRITICAL: SlaTerms(timedelta(minutes=30), timedelta(hours=4)),
    Severity.MAJOR: SlaTerms(timedelta(hours=2), timedelta(hours=8)),
    Severity.MINOR: SlaTerms(timedelta(hours=24), None),
}


def test_deadlines_count_from_report() -> None:
    sla = job_sla(CONTRACT, Severity.CRITICAL, T0)
    assert sla.respond.deadline == T0 + timedelta(minutes=30)
    assert sla.arrive.deadline == T0 + timedelta(hours=4)


def test_exactly_at_deadline_is_met_and_one_microsecond_later_is_breached() -> None:
    deadline = T0 + timedelta(minutes=30)
    assert (
        job_sla(CONTRACT, Severity.CRITICAL, T0, responded_at=deadline).respond.state(deadline)
        is SlaState.MET
    )
    late = deadline + timedelta(microseconds=1)
    assert (
        job_sla(CONTRACT, Severity.CRITICAL, T0, responded_at=late).respond.state(late)
        is SlaState.BREACHED
    )


def test_running_then_breached_with_injected_clock() -> None:
    clock = FixedClock(T0)
    sla = job_sla(CONTRACT, Severity.MAJOR, T0)
    clock.advance(timedelta(hours=2))
    assert sla.respond.state(clock.now()) is SlaState.RUNNING  # exactly at the deadline
    assert sla.respond.time_left(clock.now()) == timedelta(0)
    clock.advance(timedelta(seconds=1))
    assert sla.respond.state(clock.now()) is SlaState.BREACHED
    assert sla.respond.time_left(clock.now()) == timedelta(seconds=-1)


def test_contract_without_level_or_without_contract_is_not_covered() -> None:
    for sla in (job_sla(CONTRACT, Severity.GENERAL, T0), job_sla(None, Severity.CRITICAL, T0)):
        assert sla.respond.state(T0) is SlaState.NOT_COVERED
        assert sla.respond.time_left(T0) is None
    minor = job_sla(CONTRACT, Severity.MINOR, T0)
    assert minor.respond.state(T0) is SlaState.RUNNING
    assert minor.arrive.state(T0) is SlaState.NOT_COVERED


def test_dst_change_does_not_move_deadline() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # 2026-03-29 02:00 local the clocks jump to 03:00.
    reported = datetime(2026, 3, 29, 1, 30, tzinfo=berlin)
    sla = job_sla(CONTRACT, Severity.MAJOR, reported)
    assert sla.respond.deadline is not None
    elapsed = sla.respond.deadline.astimezone(UTC) - reported.astimezone(UTC)
    assert elapsed == timedelta(hours=2)
    assert sla.respond.deadline.astimezone(berlin).hour == 4  # wall clock shows 3 h later


def test_clock_corrected_backwards_keeps_recorded_verdict() -> None:
    clock = FixedClock(T0 + timedelta(hours=3))
    sla = job_sla(CONTRACT, Severity.MAJOR, T0, responded_at=T0 + timedelta(hours=3))
    assert sla.respond.state(clock.now()) is SlaState.BREACHED
    clock.set(T0)  # device clock corrected backwards
    assert sla.respond.state(clock.now()) is SlaState.BREACHED
    running = job_sla(CONTRACT, Severity.MAJOR, T0)
    assert running.respond.time_left(clock.now()) == timedelta(hours=2)


def test_naive_and_inconsistent_terms_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        job_sla(CONTRACT, Severity.MAJOR, T0.replace(tzinfo=None))
    with pytest.raises(InvalidValue):
        SlaTerms(timedelta(0), None)
    with pytest.raises(InvalidValue):
        SlaTerms(timedelta(hours=2), timedelta(hours=1))
