"""Server schema: the synced entity tables (same definitions as the client) plus accounts,
tokens, the per-engineer change log, processed mutations, conflicts and blobs."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from fieldkit.protocol.entities import SYNCED_MODELS, table_of
from fieldkit.store.models.base import NAMING
from fieldkit.store.types import JsonText, UtcDateTime

metadata = MetaData(naming_convention=NAMING)
ENTITY: dict[str, Table] = {
    model.__tablename__: table_of(model).to_metadata(metadata) for model in SYNCED_MODELS
}
# Which device captured a signature: the center's own record, never sent (SERVER_ONLY).
ENTITY["signatures"].append_column(Column("device_id", String(36), nullable=False, default=""))
# BIGINT on PostgreSQL, INTEGER (rowid alias, autoincrement) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("display_name", String(120), nullable=False, default=""),
    Column("role", String(20), nullable=False),  # engineer | dispatcher
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)

client_devices = Table(
    "client_devices",
    metadata,
    Column("device_id", String(36), primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("name", String(120), nullable=False, default=""),
    Column("registered_at", UtcDateTime, nullable=False),
    Column("last_seq", Integer, nullable=False, default=0),  # exactly-once push cursor
    Column("last_skew_seconds", Integer),  # device clock minus server clock at last push
    Column("public_key", Text),  # Ed25519, for slip signatures
    Column("revoked", Boolean, nullable=False, default=False),
    # Set by `revoke --wipe` (a stolen tablet): the device's next request tells it to erase.
    Column("wipe_requested_at", UtcDateTime),
    # When the signed wipe order first went to a request that showed the center's key pinned
    # (the device can check it): the console's "delivered".
    Column("wipe_delivered_at", UtcDateTime),
    # When the order first went to a request that showed no key of this center (an older app,
    # or one that trusts another key): the device connected but may not obey.
    Column("wipe_sent_at", UtcDateTime),
    # The last push or pull it made (kept to ~15 s): the board's "last sync" of an engineer.
    Column("last_seen_at", UtcDateTime),
    # How many changes the device said were still in its outbox then (display only).
    Column("pending_changes", Integer),
)

tokens = Table(
    "tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_sha256", String(64), nullable=False, unique=True),  # never the token itself
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("device_id", ForeignKey("client_devices.device_id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(80), nullable=False),
    Column("remote", String(64), nullable=False, default=""),
    Column("at", UtcDateTime, nullable=False),
    Column("ok", Boolean, nullable=False),
    Index("ix_login_attempts_username_at", "username", "at"),
)

# The web console's sign-ins: the cookie carries a random token, the table only its hash;
# each session has its own CSRF token, checked on every form post.
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("language", String(10), nullable=False, default="en"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    Index("ix_console_sessions_user", "user_id"),
)

change_log = Table(
    "change_log",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("batch", BigInteger, nullable=False),  # rows written by one transaction
    Column("engineer", String(80), nullable=False),
    Column("entity_type", String(40), nullable=False),
    Column("entity_id", String(80), nullable=False),
    Column("op", String(10), nullable=False),  # upsert | delete
    Column("data", JsonText),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_change_log_engineer_seq", "engineer", "seq"),
)

processed_mutations = Table(
    "processed_mutations",
    metadata,
    # Keyed per device: one device cannot make another's change look like a duplicate.
    Column("device_id", String(36), primary_key=True),
    Column("mutation_id", String(36), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("name", String(80), nullable=False),
    Column("status", String(20), nullable=False),  # applied | rejected
    Column("reason", Text, nullable=False, default=""),
    Column("code", String(40), nullable=False, default=""),
    Column("device_created_at", String(40), nullable=False),  # device clock, kept as sent
    Column("received_at", UtcDateTime, nullable=False),  # server clock
    Column("skew_seconds", Integer),
    Column("source", String(20), nullable=False, default="push"),  # push | rescue
    # What the mutation named (its envelope): a job record's audit trail finds it by these.
    Column("entity_type", String(40), nullable=False, default=""),
    Column("entity_id", String(80), nullable=False, default="", index=True),
    UniqueConstraint("device_id", "seq"),
)

conflicts = Table(
    "conflicts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("engineer", String(80), nullable=False),
    Column("job_id", String(36)),
    Column("entity_type", String(40), nullable=False),
    Column("entity_id", String(80), nullable=False),
    Column("mutation_id", String(36), nullable=False),
    Column("kind", String(40), nullable=False),  # rejected | reassigned_kept | version
    Column("reason", Text, nullable=False),
    Column("client_value", JsonText),  # the losing or kept-aside version, never dropped
    Column("server_value", JsonText),
)

blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger),
    Column("complete", Boolean, nullable=False, default=False),
    Column("uploaded_by", String(80), nullable=False, default=""),
    Column("created_at", UtcDateTime, nullable=False),
)

# Slip e-mails the center still has to send (state pending -> sending -> sent | failed), with
# their retry schedule; the synced slip_emails row carries the status the engineer sees.
mail_outbox = Table(
    "mail_outbox",
    metadata,
    Column("id", ForeignKey("slip_emails.id"), primary_key=True),
    Column("state", String(10), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("claimed_at", UtcDateTime),  # a sender working on it (stale after a crash)
    Column("last_error", Text, nullable=False, default=""),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_mail_outbox_state_next", "state", "next_attempt_at"),
)

# An upload its user announced (hash and size) before sending bytes: the quota is charged here.
blob_uploads = Table(
    "blob_uploads",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("username", String(80), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("declared_at", UtcDateTime, nullable=False),
    Index("ix_blob_uploads_username", "username"),
)

# Who may read a blob: every engineer who uploaded its bytes, proved they hold them, or had a
# change accepted that references it (a byte-identical file of two engineers has two holders).
blob_holders = Table(
    "blob_holders",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("username", String(80), primary_key=True),
    Column("how", String(20), nullable=False),  # upload | proof | reference | seed
    Column("since", UtcDateTime, nullable=False),
    Index("ix_blob_holders_username", "username"),
)

# Blobs a pushed change of this user waits for (the push stopped at "blob_missing"): their
# bytes are accepted from this user without a separate declaration, within the same caps.
blob_wants = Table(
    "blob_wants",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("username", String(80), primary_key=True),
    Column("device_id", String(36), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("at", UtcDateTime, nullable=False),
)

hotline_reports = Table(
    "hotline_reports",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(30), nullable=False),
    Column("customer_id", ForeignKey("customers.id")),
    Column("caller", String(120), nullable=False, default=""),
    Column("text", Text, nullable=False),
    Column("severity", Integer),
    Column("job_id", ForeignKey("jobs.id")),
    Column("recorded_by", String(80), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    # Where the fault is (console intake), and a fault handled on the phone: what the caller
    # described, the cause found, the result and the guidance given.
    Column("site_id", ForeignKey("sites.id")),
    Column("device_id", ForeignKey("devices.id")),
    Column("symptoms", Text, nullable=False, default=""),
    Column("cause", Text, nullable=False, default=""),
    Column("result", Text, nullable=False, default=""),
    Column("guidance", Text, nullable=False, default=""),
    # Complaints and suggestions are followed to closure: owner, response, when closed.
    Column("owner", String(80), nullable=False, default=""),
    Column("response", Text, nullable=False, default=""),
    Column("closed_at", UtcDateTime),
    Column("closed_by", String(80), nullable=False, default=""),
    Index("ix_hotline_reports_kind_closed", "kind", "closed_at"),
)

job_assignments = Table(
    "job_assignments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", ForeignKey("jobs.id"), nullable=False, index=True),
    Column("engineer", String(80), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("by", String(80), nullable=False, default=""),  # the office user who assigned
    Column("reason", Text, nullable=False, default=""),
)

# The supervisor's analysis and plan for an escalation, and its outcome: noted | reassigned
# (to ``engineer``) | closed. Center only: the next engineer gets the plan as a work-log note.
escalation_reviews = Table(
    "escalation_reviews",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("job_id", ForeignKey("jobs.id"), nullable=False, index=True),
    Column("escalation_id", ForeignKey("escalations.id"), nullable=False),
    Column("analysis", Text, nullable=False),
    Column("plan", Text, nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("engineer", String(80), nullable=False, default=""),
    Column("by", String(80), nullable=False),
    Column("at", UtcDateTime, nullable=False),
)

# The office's actions on a job (assign, re-assign, severity, close), for its audit trail.
job_events = Table(
    "job_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", ForeignKey("jobs.id"), nullable=False, index=True),
    Column("at", UtcDateTime, nullable=False),
    Column("by", String(80), nullable=False),
    Column("action", String(20), nullable=False),  # assign | reassign | severity | close
    Column("detail", JsonText, nullable=False, default=dict),
)

# Server-side indexes on the synced jobs table: the archive pages closed jobs by date, the
# board's change counter reads the newest update, the archive finds a device's jobs, the
# engineers' load counts open jobs per engineer from the index alone.
_jobs = ENTITY["jobs"]
Index("ix_jobs_status_updated_at", _jobs.c.status, _jobs.c.updated_at)
Index("ix_jobs_updated_at", _jobs.c.updated_at)
Index("ix_jobs_device_id", _jobs.c.device_id)
Index("ix_jobs_engineer_status", _jobs.c.assigned_engineer, _jobs.c.status)

server_state = Table(
    "server_state",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

REPORT_KINDS = (
    "fault_report",
    "complaint",
    "praise",
    "suggestion",
    "consultation",
    "project_info",
    "customer_need",
)

# The snapshot walks these tables parent by parent (server/snapshot.py, migration
# s0009_center_load): (parent column, id), so a page is an index range read.
SNAPSHOT_WALK = {
    "site_contacts": "site_id",
    "subsystems": "site_id",
    "devices": "site_id",
    "device_parameters": "device_id",
    "documents": "site_id",
    "jobs": "assigned_engineer",
    "escalations": "job_id",
    "work_log": "job_id",
    "attachments": "job_id",
    "checklist_runs": "job_id",
    "checklist_run_items": "run_id",
    "checklist_answers": "run_item_id",
    "quotes": "job_id",
    "quote_lines": "quote_id",
    "part_replacements": "job_id",
    "slips": "job_id",
    "slip_emails": "job_id",
}
for _table, _parent in SNAPSHOT_WALK.items():
    Index(f"ix_{_table}_walk", ENTITY[_table].c[_parent], ENTITY[_table].c.id)
