"""Processed mutations are keyed by (device, mutation id): a device cannot mark another
device's change as a duplicate by reusing its id.

Revision ID: s0007
Revises: s0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "s0007"
down_revision: str | None = "s0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("processed_mutations") as batch:
        batch.drop_constraint("pk_processed_mutations", type_="primary")
        batch.create_primary_key("pk_processed_mutations", ["device_id", "mutation_id"])


def downgrade() -> None:
    with op.batch_alter_table("processed_mutations") as batch:
        batch.drop_constraint("pk_processed_mutations", type_="primary")
        batch.create_primary_key("pk_processed_mutations", ["mutation_id"])
