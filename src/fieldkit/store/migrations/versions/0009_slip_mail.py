"""Escalation categories and attachments; e-mails of signed slips to the customer.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

Escalations recorded before there were categories are "other".
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
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


def downgrade() -> None:
    op.drop_table("slip_emails")
    with op.batch_alter_table("attachments") as batch:
        batch.drop_column("escalation_id")
    with op.batch_alter_table("escalations") as batch:
        batch.drop_column("category")
