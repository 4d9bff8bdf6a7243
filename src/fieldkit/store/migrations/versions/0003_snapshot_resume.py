"""Resumable full snapshots: the snapshot token in the cursor, and the keys seen during a reset.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sync_cursor") as batch:
        batch.add_column(sa.Column("snapshot", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("tracking", sa.Boolean(), nullable=False, server_default="0"))
    op.create_table(
        "sync_snapshot_seen",
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("entity_type", "entity_id", name=op.f("pk_sync_snapshot_seen")),
    )


def downgrade() -> None:
    op.drop_table("sync_snapshot_seen")
    with op.batch_alter_table("sync_cursor") as batch:
        batch.drop_column("tracking")
        batch.drop_column("snapshot")
