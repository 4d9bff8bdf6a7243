"""A device reported lost or stolen is told to erase its synced data at its next request.

Revision ID: s0003
Revises: s0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0003"
down_revision: str | None = "s0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # UTC ISO text, like every server timestamp (UtcDateTime).
    op.add_column(
        "client_devices", sa.Column("wipe_requested_at", sa.String(length=32), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("client_devices") as batch:
        batch.drop_column("wipe_requested_at")
