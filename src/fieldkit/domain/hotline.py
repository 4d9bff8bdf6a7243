"""What a hotline call can be, which calls are followed to closure, and the fault levels as
the service contract defines them (the console shows them to the operator grading a fault)."""

from __future__ import annotations

from fieldkit.domain.enums import Severity
from fieldkit.domain.errors import InvalidValue
from fieldkit.domain.messages import N_, Message

REPORT_KINDS: tuple[str, ...] = (
    "fault_report",
    "complaint",
    "praise",
    "suggestion",
    "consultation",
    "project_info",
    "customer_need",
)
# Complaints and suggestions have an owner and a response, and stay open until closed;
# the other non-fault kinds are recorded (and listed) only.
FOLLOWED_UP = frozenset({"complaint", "suggestion"})

LEVEL_DEFINITIONS: dict[Severity, str] = {
    Severity.CRITICAL: N_("System down, business stopped: work continuously until restored"),
    Severity.MAJOR: N_("Performance badly degraded: resolve within working hours"),
    Severity.GENERAL: N_("Functions impaired, most business runs: respond within contract hours"),
    Severity.MINOR: N_("Information or configuration help: little or no business impact"),
}


def is_followed_up(kind: str) -> bool:
    return kind in FOLLOWED_UP


def ensure_kind(kind: str) -> str:
    if kind not in REPORT_KINDS:
        raise InvalidValue(Message(N_("Choose what the call is about")))
    return kind


def ensure_closable(kind: str, closed: bool, owner: str, response: str) -> None:
    """A complaint or suggestion closes once, with the person who owns it and the response
    the customer was given."""
    if not is_followed_up(kind):
        raise InvalidValue(Message(N_("Only complaints and suggestions are followed up")))
    if closed:
        raise InvalidValue(Message(N_("This follow-up is already closed")))
    if not owner.strip():
        raise InvalidValue(Message(N_("Assign an owner before closing")))
    if not response.strip():
        raise InvalidValue(Message(N_("Write the response given to the customer before closing")))
