"""The console's dispatch board and job record: when each device last reached the center,
who re-assigned a job and why, the office's actions on a job (severity, close), which entity
each processed mutation touched (a job's audit trail), and indexes for the archive search.

Revision ID: s0008_console_board
Revises: s0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0008_console_board"
down_revision: str | None = "s0008_console_desk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("client_devices") as batch:
        # UTC ISO text, like every server timestamp (UtcDateTime).
        batch.add_column(sa.Column("last_seen_at", sa.String(length=32), nullable=True))
    with op.batch_alter_table("job_assignments") as batch:
        batch.add_column(sa.Column("by", sa.String(length=80), nullable=False, server_default=""))
        batch.add_column(sa.Column("reason", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("processed_mutations") as batch:
        batch.add_column(
            sa.Column("entity_type", sa.String(length=40), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("entity_id", sa.String(length=80), nullable=False, server_default="")
        )
    op.create_index(
        "ix_processed_mutations_entity_id", "processed_mutations", ["entity_id"], unique=False
    )
    op.create_table(
        "job_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("by", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_job_events_job_id_jobs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_events")),
    )
    op.create_index("ix_job_events_job_id", "job_events", ["job_id"], unique=False)
    op.create_index("ix_jobs_status_updated_at", "jobs", ["status", "updated_at"], unique=False)
    op.create_index("ix_jobs_updated_at", "jobs", ["updated_at"], unique=False)
    op.create_index("ix_jobs_device_id", "jobs", ["device_id"], unique=False)
    op.create_index(
        "ix_jobs_engineer_status", "jobs", ["assigned_engineer", "status"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_jobs_engineer_status", table_name="jobs")
    op.drop_index("ix_jobs_device_id", table_name="jobs")
    op.drop_index("ix_jobs_updated_at", table_name="jobs")
    op.drop_index("ix_jobs_status_updated_at", table_name="jobs")
    op.drop_index("ix_job_events_job_id", table_name="job_events")
    op.drop_table("job_events")
    op.drop_index("ix_processed_mutations_entity_id", table_name="processed_mutations")
    with op.batch_alter_table("processed_mutations") as batch:
        batch.drop_column("entity_id")
        batch.drop_column("entity_type")
    with op.batch_alter_table("job_assignments") as batch:
        batch.drop_column("reason")
        batch.drop_column("by")
    with op.batch_alter_table("client_devices") as batch:
        batch.drop_column("last_seen_at")
