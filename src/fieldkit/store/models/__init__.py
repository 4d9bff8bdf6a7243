"""All tables; importing this package registers them on ``Base.metadata``."""

from fieldkit.store.models.base import Base, new_id
from fieldkit.store.models.checklists import (
    ChecklistAnswer,
    ChecklistRun,
    ChecklistRunItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
)
from fieldkit.store.models.commerce import PartReplacement, Quote, QuoteLine
from fieldkit.store.models.delivery import SlipEmail
from fieldkit.store.models.jobs import Attachment, Escalation, Job, WorkLogEntry
from fieldkit.store.models.reference import (
    Contract,
    ContractSla,
    Customer,
    Device,
    DeviceParameter,
    Document,
    Part,
    Site,
    SiteContact,
    Subsystem,
)
from fieldkit.store.models.slips import Signature, Slip
from fieldkit.store.models.sync import (
    AuditEntry,
    LocalDevice,
    OutboxMutation,
    Setting,
    SnapshotSeen,
    SyncCursor,
)

__all__ = [
    "Attachment",
    "AuditEntry",
    "Base",
    "ChecklistAnswer",
    "ChecklistRun",
    "ChecklistRunItem",
    "ChecklistTemplate",
    "ChecklistTemplateItem",
    "Contract",
    "ContractSla",
    "Customer",
    "Device",
    "DeviceParameter",
    "Document",
    "Escalation",
    "Job",
    "LocalDevice",
    "OutboxMutation",
    "Part",
    "PartReplacement",
    "Quote",
    "QuoteLine",
    "Setting",
    "Signature",
    "Site",
    "SiteContact",
    "Slip",
    "SlipEmail",
    "SnapshotSeen",
    "Subsystem",
    "SyncCursor",
    "WorkLogEntry",
    "new_id",
]
