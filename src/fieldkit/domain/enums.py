"""The vocabulary of a service order, shared by every layer under the same names."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Severity(IntEnum):
    """Fault level from the service contract; 1 is the most urgent."""

    CRITICAL = 1  # system down, business stopped: work continuously until restored
    MAJOR = 2  # performance badly degraded: resolve within working hours
    GENERAL = 3  # functions impaired, most business runs
    MINOR = 4  # information or configuration help


class Channel(StrEnum):
    HOTLINE = "hotline"
    PHONE = "phone"
    EMAIL = "email"
    ON_SITE = "on_site"


class JobType(StrEnum):
    CORRECTIVE_REPAIR = "corrective_repair"
    PERIODIC_INSPECTION = "periodic_inspection"
    SOFTWARE_UPGRADE = "software_upgrade"
    REMOTE_RESOLUTION = "remote_resolution"


class Billing(StrEnum):
    IN_WARRANTY = "in_warranty"  # free of charge to the customer
    PAID = "paid"  # post-warranty: parts need a quote the customer approved


class CauseArea(StrEnum):
    HARDWARE = "hardware"
    SOFTWARE = "software"


class CauseOrigin(StrEnum):
    HUMAN_ERROR = "human_error"
    SYSTEM_FAULT = "system_fault"


class JobStatus(StrEnum):
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    TRAVELLING = "travelling"
    ON_SITE = "on_site"
    DIAGNOSING = "diagnosing"
    BACKED_UP = "backed_up"
    REPAIRING = "repairing"
    RESOLVED = "resolved"
    RESOLVED_REMOTELY = "resolved_remotely"
    SIGNED = "signed"
    ESCALATED = "escalated"
    CLOSED = "closed"


class EvidenceKind(StrEnum):
    """What a checklist item needs before it counts as done."""

    TICK = "tick"
    TEXT = "text"
    PHOTO = "photo"
    FILE = "file"


class ChecklistPurpose(StrEnum):
    BACKUP = "backup"
    INSPECTION = "inspection"


class QuoteStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    DECLINED = "declined"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"  # a draft the engineer took back (kept on record, with the reason)


class QuoteLineKind(StrEnum):
    PART = "part"
    LABOUR = "labour"
    TRAVEL = "travel"


class SignerRole(StrEnum):
    CUSTOMER = "customer"
    CUSTOMER_WITNESS = "customer_witness"
    ENGINEER = "engineer"


class EscalationCategory(StrEnum):
    """What the center needs to continue a fault that could not be fixed on site."""

    NEEDS_PART = "needs_part"
    VENDOR = "vendor"
    SPECIALIST = "specialist"
    OTHER = "other"


class DeliveryStatus(StrEnum):
    """A signed slip sent to the customer by e-mail: queued until the center has sent it."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
