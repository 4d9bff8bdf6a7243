"""Sites carry their IANA time zone (documents print the site's local time); existing sites
take their contract's zone.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "sites",
        sa.Column("timezone", sa.String(length=64), nullable=False, server_default="Asia/Shanghai"),
    )
    op.execute(
        "UPDATE sites SET timezone = (SELECT c.timezone FROM contracts c "
        "WHERE c.id = sites.contract_id) WHERE contract_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("timezone")
