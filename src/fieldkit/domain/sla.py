"""Response and arrival deadlines per contract and severity, and whether they were met.

All instants are timezone-aware and compared as absolute time, so a DST change or a
device in another zone never moves a deadline. A recorded event keeps its verdict even if
the device clock is later corrected backwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from fieldkit.domain.clock import require_aware
from fieldkit.domain.enums import Severity
from fieldkit.domain.errors import InvalidValue


@dataclass(frozen=True, slots=True)
class SlaTerms:
    """What the contract promises for one severity level."""

    respond_within: timedelta
    arrive_within: timedelta | None  # None: no on-site promise (e.g. minor, phone help)

    def __post_init__(self) -> None:
        if self.respond_within <= timedelta(0):
            raise InvalidValue("Response time must be positive")
        if self.arrive_within is not None and self.arrive_within < self.respond_within:
            raise InvalidValue("Arrival time cannot be shorter than response time")


ContractSla = Mapping[Severity, SlaTerms]


class SlaState(StrEnum):
    NOT_COVERED = "not_covered"  # the contract sets no time for this level
    RUNNING = "running"
    MET = "met"
    BREACHED = "breached"  # deadline passed with no event, or the event came late


@dataclass(frozen=True, slots=True)
class SlaClock:
    """One deadline (respond-by or arrive-by) and the event that answers it."""

    deadline: datetime | None
    event_at: datetime | None = None

    def state(self, now: datetime) -> SlaState:
        require_aware(now)
        if self.deadline is None:
            return SlaState.NOT_COVERED
        if self.event_at is not None:
            # Exactly at the deadline is on time.
            return SlaState.MET if self.event_at <= self.deadline else SlaState.BREACHED
        return SlaState.RUNNING if now <= self.deadline else SlaState.BREACHED

    def time_left(self, now: datetime) -> timedelta | None:
        """Positive while running, negative once overdue, None when settled or not covered."""
        require_aware(now)
        if self.deadline is None or self.event_at is not None:
            return None
        return self.deadline - now


@dataclass(frozen=True, slots=True)
class JobSla:
    respond: SlaClock
    arrive: SlaClock


def job_sla(
    contract: ContractSla | None,
    severity: Severity,
    reported_at: datetime,
    responded_at: datetime | None = None,
    arrived_at: datetime | None = None,
) -> JobSla:
    """Deadlines count from the moment the fault was reported to the service center."""
    require_aware(reported_at)
    for event in (responded_at, arrived_at):
        if event is not None:
            require_aware(event)
    terms = contract.get(severity) if contract is not None else None
    # Python adds timedeltas to aware datetimes in wall-clock time, which would shorten a
    # deadline by an hour across a DST jump: count elapsed time in UTC.
    reported_at = reported_at.astimezone(UTC)
    if terms is None:
        return JobSla(SlaClock(None, responded_at), SlaClock(None, arrived_at))
    arrive_deadline = reported_at + terms.arrive_within if terms.arrive_within else None
    return JobSla(
        respond=SlaClock(reported_at + terms.respond_within, responded_at),
        arrive=SlaClock(arrive_deadline, arrived_at),
    )
