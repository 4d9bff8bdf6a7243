"""Escalation categories and attachments; e-mails of signed slips to the customer, and the
center's mail outbox that sends them after the push committed (retried with backoff).

Revision ID: s0005
Revises: s0004
Create Date: 2026-12-01

Escalations recorded before there were categories are "other".
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0005"
down_revision: str | None = "s0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
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
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.String(length=32), nullable=False),
        sa.Column("claimed_at", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"], ["slip_emails.id"], name=op.f("fk_mail_outbox_id_slip_emails")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
    )
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mail_outbox_state_next", ["state", "next_attempt_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("mail_outbox")
    op.drop_table("slip_emails")
    with op.batch_alter_table("attachments") as batch:
        batch.drop_column("escalation_id")
    with op.batch_alter_table("escalations") as batch:
        batch.drop_column("category")
