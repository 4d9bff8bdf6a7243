"""The supervisor's review of an escalation: what the center made of the engineer's findings,
the plan, and what came of it (re-assigned to whom, or closed).

Revision ID: s0008_console_desk
Revises: s0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0008_console_desk"
down_revision: str | None = "s0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "escalation_reviews",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("escalation_id", sa.String(length=36), nullable=False),
        sa.Column("analysis", sa.Text(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("engineer", sa.String(length=80), nullable=False),
        sa.Column("by", sa.String(length=80), nullable=False),
        # UTC ISO text, like every server timestamp (UtcDateTime).
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_escalation_reviews_job_id_jobs")
        ),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
            name=op.f("fk_escalation_reviews_escalation_id_escalations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_reviews")),
    )
    op.create_index(
        op.f("ix_escalation_reviews_job_id"), "escalation_reviews", ["job_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_escalation_reviews_job_id"), table_name="escalation_reviews")
    op.drop_table("escalation_reviews")
