"""Slips carry the issuing device's Ed25519 signature of their content hash.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): the immutability triggers on slips stay in place, and
    # a new nullable column changes no signed row.
    op.add_column("slips", sa.Column("device_signature", sa.String(length=100), nullable=True))
    op.add_column("slips", sa.Column("device_public_key", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("slips") as batch:
        batch.drop_column("device_public_key")
        batch.drop_column("device_signature")
