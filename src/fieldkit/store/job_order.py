"""The job list's urgency order as SQL the jobs index is built on (migration 0005).

SQLite uses an expression index for ORDER BY only when the ORDER BY expressions are the
indexed ones, literally (bound parameters never match), so both are written here as plain
SQL. tests/store/test_job_order.py checks with EXPLAIN QUERY PLAN that the index is used.
"""

from __future__ import annotations

# Open work before finished work.
FINISHED_LAST = (
    "CASE WHEN status IN ('resolved', 'resolved_remotely', 'signed', 'closed') THEN 1 ELSE 0 END"
)
# The deadline still ahead of the engineer: respond-by until responded, then arrive-by.
NEXT_DEADLINE = (
    "CASE WHEN responded_at IS NULL THEN respond_by WHEN arrived_at IS NULL THEN arrive_by END"
)
NO_PENDING_DEADLINE = f"CASE WHEN ({NEXT_DEADLINE}) IS NULL THEN 1 ELSE 0 END"
URGENCY = (FINISHED_LAST, NO_PENDING_DEADLINE, NEXT_DEADLINE, "severity", "number")
INDEX_NAME = "ix_jobs_urgency"
