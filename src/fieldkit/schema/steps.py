"""Entity-schema steps after the first release, one function per change, each called by the
app's and the center's revision for it (named in its docstring). A released step is frozen:
a later change is a new function. What differs per side (the app's slip triggers, the
center's own tables) stays in that side's revision."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


# -- 0004 / s0002 ------------------------------------------------------------------------
def add_slip_device_signature() -> None:
    """Slips carry the issuing device's Ed25519 signature of their content hash."""
    # Plain ADD COLUMN (no batch copy): the immutability triggers on the app's slips stay in
    # place, and a new nullable column changes no signed row.
    op.add_column("slips", sa.Column("device_signature", sa.String(length=100), nullable=True))
    op.add_column("slips", sa.Column("device_public_key", sa.String(length=60), nullable=True))


def drop_slip_device_signature() -> None:
    with op.batch_alter_table("slips") as batch:
        batch.drop_column("device_public_key")
        batch.drop_column("device_signature")


# -- 0008 / s0004 ------------------------------------------------------------------------
def add_site_timezone() -> None:
    """Sites carry their IANA time zone; existing sites take their contract's zone. (The
    slip's customer signature becoming optional is per side: the app's slips have
    triggers to keep.)"""
    op.add_column(
        "sites",
        sa.Column("timezone", sa.String(length=64), nullable=False, server_default="Asia/Shanghai"),
    )
    op.execute(
        "UPDATE sites SET timezone = (SELECT c.timezone FROM contracts c "
        "WHERE c.id = sites.contract_id) WHERE contract_id IS NOT NULL"
    )


def drop_site_timezone() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("timezone")


# -- 0009 / s0005 ------------------------------------------------------------------------
def add_slip_mail() -> None:
    """Escalation categories and attachments; e-mails of signed slips to the customer."""
    op.add_column(
        "escalations",
        sa.Column("category", sa.String(length=20), server_default="other", nullable=False),
    )
    op.add_column("attachments", sa.Column("escalation_id", sa.String(length=36), nullable=True))
    op.create_table(
        "slip_emails",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("slip_id", sa.String(length=36), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("requested_at", sa.String(length=32), nullable=False),
        sa.Column("requested_by", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("status_at", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_slip_emails_job_id_jobs")),
        sa.ForeignKeyConstraint(
            ["slip_id"], ["slips.id"], name=op.f("fk_slip_emails_slip_id_slips")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slip_emails")),
    )
    with op.batch_alter_table("slip_emails", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slip_emails_job_id"), ["job_id"], unique=False)


def drop_slip_mail() -> None:
    op.drop_table("slip_emails")
    with op.batch_alter_table("attachments") as batch:
        batch.drop_column("escalation_id")
    with op.batch_alter_table("escalations") as batch:
        batch.drop_column("category")
