"""Hotline reports from the console: the site and device of a fault, the phone support record
(symptoms, cause, result, guidance), and the follow-up of complaints and suggestions (owner,
response, closed at/by). Reports recorded before have empty texts and are open.

Revision ID: s0008_console_hotline
Revises: s0008_console_board
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0008_console_hotline"
down_revision: str | None = "s0008_center_gaps"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXTS = ("symptoms", "cause", "result", "guidance", "response")


def upgrade() -> None:
    with op.batch_alter_table("hotline_reports") as batch:
        batch.add_column(sa.Column("site_id", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("device_id", sa.String(length=36), nullable=True))
        for name in TEXTS[:4]:
            batch.add_column(sa.Column(name, sa.Text(), server_default="", nullable=False))
        batch.add_column(
            sa.Column("owner", sa.String(length=80), server_default="", nullable=False)
        )
        batch.add_column(sa.Column("response", sa.Text(), server_default="", nullable=False))
        # UTC ISO text, like every server timestamp (UtcDateTime).
        batch.add_column(sa.Column("closed_at", sa.String(length=32), nullable=True))
        batch.add_column(
            sa.Column("closed_by", sa.String(length=80), server_default="", nullable=False)
        )
        batch.create_foreign_key(
            op.f("fk_hotline_reports_site_id_sites"), "sites", ["site_id"], ["id"]
        )
        batch.create_foreign_key(
            op.f("fk_hotline_reports_device_id_devices"), "devices", ["device_id"], ["id"]
        )
        batch.create_index("ix_hotline_reports_kind_closed", ["kind", "closed_at"])


def downgrade() -> None:
    with op.batch_alter_table("hotline_reports") as batch:
        batch.drop_index("ix_hotline_reports_kind_closed")
        batch.drop_constraint(op.f("fk_hotline_reports_device_id_devices"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_hotline_reports_site_id_sites"), type_="foreignkey")
        for name in ("closed_by", "closed_at", "response", "owner", *TEXTS[:4][::-1]):
            batch.drop_column(name)
        batch.drop_column("device_id")
        batch.drop_column("site_id")
