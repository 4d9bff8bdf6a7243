"""When a remote wipe order was delivered: first served to a request of the device that
showed the center's key pinned, so the device can check the order's signature; and when it
first went to a request that showed no key of the center (the device may not obey).

Revision ID: s0011_wipe_first
Revises: s0010_console_finish
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0011_wipe_first"
down_revision: str | None = "s0010_console_finish"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # UTC ISO text, like every server timestamp (UtcDateTime).
    op.add_column(
        "client_devices", sa.Column("wipe_delivered_at", sa.String(length=32), nullable=True)
    )
    op.add_column("client_devices", sa.Column("wipe_sent_at", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("client_devices") as batch:
        batch.drop_column("wipe_delivered_at")
        batch.drop_column("wipe_sent_at")
