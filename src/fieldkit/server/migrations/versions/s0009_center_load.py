"""Snapshot pages in index order: an index on (parent column, id) for every table the
snapshot walks parent by parent, so a continuation page reads what it returns and sorts
nothing (server/snapshot.py).

Revision ID: s0009_center_load
Revises: s0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "s0009_center_load"
down_revision: str | None = "s0008_console_hotline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WALK = {
    "site_contacts": "site_id",
    "subsystems": "site_id",
    "devices": "site_id",
    "device_parameters": "device_id",
    "documents": "site_id",
    "jobs": "assigned_engineer",
    "escalations": "job_id",
    "work_log": "job_id",
    "attachments": "job_id",
    "checklist_runs": "job_id",
    "checklist_run_items": "run_id",
    "checklist_answers": "run_item_id",
    "quotes": "job_id",
    "quote_lines": "quote_id",
    "part_replacements": "job_id",
    "slips": "job_id",
    "slip_emails": "job_id",
}


def upgrade() -> None:
    for table, parent in WALK.items():
        op.create_index(f"ix_{table}_walk", table, [parent, "id"])


def downgrade() -> None:
    for table in WALK:
        op.drop_index(f"ix_{table}_walk", table_name=table)
