"""Blob holders (every engineer who may read a blob, so a byte-identical file of a second
engineer is theirs too) and blob wants (the hashes a stopped push waits for).

Revision ID: s0008_center_gaps
Revises: s0007
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0008_center_gaps"
down_revision: str | None = "s0008_console_board"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blob_holders",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("how", sa.String(length=20), nullable=False),
        # UTC ISO text, like every server timestamp (UtcDateTime).
        sa.Column("since", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "username", name=op.f("pk_blob_holders")),
    )
    op.create_index("ix_blob_holders_username", "blob_holders", ["username"])
    op.create_table(
        "blob_wants",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "username", name=op.f("pk_blob_wants")),
    )
    # The one uploader on record so far is the first holder of each complete blob.
    op.execute(
        "INSERT INTO blob_holders (sha256, username, how, since) "
        "SELECT sha256, uploaded_by, 'upload', created_at FROM blobs "
        "WHERE complete AND uploaded_by <> ''"
    )


def downgrade() -> None:
    op.drop_table("blob_wants")
    op.drop_index("ix_blob_holders_username", table_name="blob_holders")
    op.drop_table("blob_holders")
