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

from fieldkit.schema import steps

revision: str = "s0005"
down_revision: str | None = "s0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    steps.add_slip_mail()
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
    steps.drop_slip_mail()
