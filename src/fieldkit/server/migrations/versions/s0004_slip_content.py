"""Sites carry their IANA time zone; existing sites take their contract's zone. A slip may be
locked without a customer signature (the reason is in its signed content).

Revision ID: s0004
Revises: s0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fieldkit.schema import steps

revision: str = "s0004"
down_revision: str | None = "s0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    steps.add_site_timezone()
    with op.batch_alter_table("slips") as batch:
        batch.alter_column("customer_signature_id", existing_type=sa.String(36), nullable=True)


def downgrade() -> None:
    steps.drop_site_timezone()
