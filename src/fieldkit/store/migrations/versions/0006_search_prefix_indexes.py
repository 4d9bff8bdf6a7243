"""Prefix indexes for search-as-you-type: a query for "S" or "SO-202611-0" reads one prefix
doclist instead of merging the doclists of every indexed word that starts with it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

FTS5 takes the prefix option only when the table is created, so the index is rebuilt from
its own rows (rowids kept: search_docs and the triggers refer to them by rowid and by name,
and neither changes). One transaction: an interrupted upgrade leaves the old index.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKENIZER = "tokenize='unicode61 remove_diacritics 2'"


def _rebuild(options: str) -> None:
    op.execute("CREATE TEMP TABLE search_fts_copy AS SELECT rowid AS id, body FROM search_fts")
    op.execute("DROP TABLE search_fts")
    op.execute(f"CREATE VIRTUAL TABLE search_fts USING fts5(body, {options})")
    op.execute("INSERT INTO search_fts (rowid, body) SELECT id, body FROM search_fts_copy")
    op.execute("DROP TABLE search_fts_copy")


def upgrade() -> None:
    _rebuild(f"{TOKENIZER}, prefix='1 2 3'")


def downgrade() -> None:
    _rebuild(TOKENIZER)
