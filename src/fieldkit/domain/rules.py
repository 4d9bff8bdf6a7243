"""The rule book both sides run: the app's services before they write, the center's mutation
handlers before they apply. A gate raises a :class:`DomainError` whose message says what to
do; a derivation returns the value the record must hold whatever a device claims."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from fieldkit.domain.checklist import OPEN_FOR_EVIDENCE
from fieldkit.domain.enums import Billing, EvidenceKind, JobStatus
from fieldkit.domain.errors import GuardFailed, InvalidValue
from fieldkit.domain.messages import N_, Message

CLASSIFIABLE = frozenset({JobStatus.DIAGNOSING, JobStatus.BACKED_UP, JobStatus.REPAIRING})
# The job statuses in which a correction slip may supersede the job's signed slip.
SLIP_CORRECTABLE = frozenset({JobStatus.SIGNED, JobStatus.CLOSED})

# The work-log entry each action writes (accepted/departed/arrived/started/finished).
WORK_LOG = {
    "accept": "accepted",
    "depart": "departed",
    "arrive": "arrived",
    "start_repair": "started",
    "resolve": "finished",
    "resolve_remotely": "finished",
}

# A former assignee's device may still hold work done before the office re-assigned the
# job; it is kept if it reaches the center within this long after the re-assignment.
REASSIGNMENT_GRACE = timedelta(days=3)


def ensure_open_for_evidence(status: JobStatus) -> None:
    if status not in OPEN_FOR_EVIDENCE:
        raise GuardFailed(
            "record_evidence",
            Message(N_("Evidence is recorded on site; this job is {status}"), status=status.value),
        )


def ensure_classifiable(status: JobStatus) -> None:
    if status not in CLASSIFIABLE:
        raise GuardFailed(
            "classify", Message(N_("The cause is classified while diagnosing or repairing"))
        )


def ensure_replacement_step(status: JobStatus) -> None:
    if status is not JobStatus.REPAIRING:
        raise GuardFailed("replace_part", Message(N_("Parts are replaced during the repair step")))


def ensure_listed_part(part_no: str, listed: bool) -> None:
    """A replaced or quoted part must be in the price list (and still sold)."""
    if not listed:
        raise InvalidValue(Message(N_("Part {part_no} is not in the price list"), part_no=part_no))


def replacement_is_paid(billing: Billing) -> bool:
    """Whether a replaced part is charged: the job's billing decides, never the device."""
    return billing is Billing.PAID


def attachment_kind(kind: EvidenceKind) -> str:
    """The attachment a file answer creates on the job."""
    return "photo" if kind is EvidenceKind.PHOTO else "backup_file"


def work_log_kind(action: str) -> str | None:
    return WORK_LOG.get(action)


def ensure_note(note: str) -> None:
    if not note.strip():
        raise GuardFailed("note", Message(N_("The note is empty")))


def ensure_decliner_named(name: str) -> None:
    if not name.strip():
        raise InvalidValue(Message(N_("Enter the name of the customer who declined")))


def ensure_slip_signable(status: JobStatus, correcting: bool) -> None:
    """A first slip is signed once the job is resolved; a correction once it is signed."""
    if correcting:
        if status not in SLIP_CORRECTABLE:
            raise GuardFailed(
                "correct_slip", Message(N_("Only a signed job's slip can be corrected"))
            )
    elif status is not JobStatus.RESOLVED:
        raise GuardFailed(
            "sign",
            Message(
                N_("The slip is signed once the job is resolved; this job is {status}"),
                status=status.value,
            ),
        )


def ensure_slip_binds(
    content: Mapping[str, Any], slip_id: str, job_id: str, supersedes: str | None
) -> None:
    """The signed content names the very slip row, job and superseded slip it is stored as."""
    if (
        content.get("slip_id") != slip_id
        or content.get("job_id") != job_id
        or content.get("supersedes") != supersedes
    ):
        raise InvalidValue(
            Message(N_("The signed slip names another slip or job than the one it is filed under"))
        )


def slip_number(job_number: str, n: int) -> str:
    return f"{job_number}-S{n}"


def quote_number(job_number: str, n: int) -> str:
    return f"{job_number}-Q{n}"


def number_fits_job(number: str, job_number: str, kind: str) -> bool:
    """A slip ("S") or quote ("Q") number is its job's number plus a sequence: no device can
    file one under another job's numbers."""
    prefix = f"{job_number}-{kind}"
    return number.startswith(prefix) and number[len(prefix) :].isdigit()


def former_assignee_may_append(
    done_at: datetime, reassigned_at: datetime | None, received_at: datetime
) -> bool:
    """Append-only work of an engineer who no longer holds the job is kept only if it was done
    while they held it and reaches the center within the grace period after the
    re-assignment."""
    if reassigned_at is None:
        return False
    return done_at <= reassigned_at and received_at <= reassigned_at + REASSIGNMENT_GRACE
