"""An index in the job list's urgency order: the first page of 100k jobs, and a search that
matches most of them, read in index order instead of sorting every row.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out (not imported) so this migration stays what it was when released.
URGENCY = (
    "CASE WHEN status IN ('resolved', 'resolved_remotely', 'signed', 'closed') THEN 1 ELSE 0 END",
    "CASE WHEN (CASE WHEN responded_at IS NULL THEN respond_by WHEN arrived_at IS NULL "
    "THEN arrive_by END) IS NULL THEN 1 ELSE 0 END",
    "CASE WHEN responded_at IS NULL THEN respond_by WHEN arrived_at IS NULL THEN arrive_by END",
    "severity",
    "number",
)


def upgrade() -> None:
    op.execute(f"CREATE INDEX ix_jobs_urgency ON jobs ({', '.join(URGENCY)})")


def downgrade() -> None:
    op.execute("DROP INDEX ix_jobs_urgency")
