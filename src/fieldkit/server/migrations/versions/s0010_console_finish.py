"""One "last seen" per device, with what the device says it still holds: the number of
changes waiting in its outbox at its last contact (display only), and the last contact of
devices that reached the center before ``last_seen_at`` existed, from their newest push or
login (the people page used to work these out on every view).

Revision ID: s0010_console_finish
Revises: s0009_center_load
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0010_console_finish"
down_revision: str | None = "s0009_center_load"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("client_devices") as batch:
        batch.add_column(sa.Column("pending_changes", sa.Integer(), nullable=True))
    # UTC ISO text of one fixed width (UtcDateTime): the newest is the greatest string.
    op.execute(
        """
        UPDATE client_devices SET last_seen_at = (
            SELECT max(at) FROM (
                SELECT received_at AS at FROM processed_mutations
                WHERE processed_mutations.device_id = client_devices.device_id
                UNION ALL
                SELECT created_at AS at FROM tokens
                WHERE tokens.device_id = client_devices.device_id
            ) AS contacts
        )
        WHERE last_seen_at IS NULL
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("client_devices") as batch:
        batch.drop_column("pending_changes")
