"""Slips carry the issuing device's Ed25519 signature of their content hash.

Revision ID: s0002
Revises: s0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0002"
down_revision: str | None = "s0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("slips", sa.Column("device_signature", sa.String(length=100), nullable=True))
    op.add_column("slips", sa.Column("device_public_key", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("slips") as batch:
        batch.drop_column("device_public_key")
        batch.drop_column("device_signature")
