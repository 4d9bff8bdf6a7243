"""The service order (job) as the engineer's device sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from fieldkit.domain.clock import require_aware
from fieldkit.domain.enums import (
    Billing,
    CauseArea,
    CauseOrigin,
    Channel,
    EscalationCategory,
    JobStatus,
    JobType,
    Severity,
)
from fieldkit.domain.errors import InvalidValue


@dataclass(frozen=True, slots=True)
class Escalation:
    """A fault not fixed on site goes back to the center with what the engineer found."""

    at: datetime
    by: str
    reason: str
    findings: str  # what the engineer found and what the center needs to know to continue
    category: EscalationCategory = EscalationCategory.OTHER


@dataclass(frozen=True, slots=True)
class Cause:
    area: CauseArea
    origin: CauseOrigin


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    number: str
    customer_id: str
    site_id: str
    reported_at: datetime
    channel: Channel
    fault_description: str
    severity: Severity
    job_type: JobType
    billing: Billing
    billing_basis: str = ""
    status: JobStatus = JobStatus.ASSIGNED
    assigned_engineer: str = ""
    device_id: str | None = None
    contract_id: str | None = None
    cause: Cause | None = None
    fault_found: str = ""
    resolution: str = ""
    confirmed_with: str = ""
    responded_at: datetime | None = None
    arrived_at: datetime | None = None
    escalations: tuple[Escalation, ...] = field(default_factory=tuple)
    version: int = 1

    def __post_init__(self) -> None:
        require_aware(self.reported_at)
        if not isinstance(self.severity, Severity):
            raise InvalidValue(f"Severity must be 1-4, got {self.severity!r}")
        if not self.number.strip():
            raise InvalidValue("A job needs a number")

    @property
    def is_remote(self) -> bool:
        return self.job_type is JobType.REMOTE_RESOLUTION

    @property
    def is_paid(self) -> bool:
        return self.billing is Billing.PAID


def parse_severity(value: int | str) -> Severity:
    try:
        return Severity(int(value))
    except (ValueError, TypeError):
        raise InvalidValue(f"Severity must be 1, 2, 3 or 4, got {value!r}") from None
