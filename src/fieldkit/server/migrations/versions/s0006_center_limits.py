"""Declared blob uploads: bytes are accepted only for a hash its uploader declared first,
within per-user caps on open uploads and their sizes.

Revision ID: s0006
Revises: s0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0006"
down_revision: str | None = "s0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blob_uploads",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        # UTC ISO text, like every server timestamp (UtcDateTime).
        sa.Column("declared_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "username", name=op.f("pk_blob_uploads")),
    )
    op.create_index("ix_blob_uploads_username", "blob_uploads", ["username"])


def downgrade() -> None:
    op.drop_index("ix_blob_uploads_username", table_name="blob_uploads")
    op.drop_table("blob_uploads")
