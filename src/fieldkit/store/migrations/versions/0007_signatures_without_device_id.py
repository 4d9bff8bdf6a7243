"""Signatures no longer carry the capturing device's id on the tablet.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

Device ids arrived with other engineers' signatures and let one engineer name another's
device (in a rescue bundle, for one). The center keeps the id on its own side. A plain
DROP COLUMN (SQLite 3.35+): the table is not copied, so the slips and quotes that refer to
signatures are not touched.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE signatures DROP COLUMN device_id")


def downgrade() -> None:
    op.add_column(
        "signatures",
        sa.Column("device_id", sa.String(length=36), nullable=False, server_default=""),
    )
