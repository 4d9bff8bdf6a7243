"""Full-text search over the local store, safe for any text a user types."""

from __future__ import annotations

from sqlalchemy import String, TextClause, column, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TextualSelect

from fieldkit.store.text_segment import has_cjk, segment

ENTITY_TYPES = ("job", "customer", "site", "device")


def fts_query(user_text: str, prefix_last: bool = True) -> str | None:
    """Turn free text into an FTS5 query: every word must match (AND), in any field.

    Each word becomes a quoted phrase, so FTS syntax (AND, NEAR, *, quotes, parentheses)
    and SQL metacharacters typed by a user are searched for as text, never interpreted.
    Returns None when nothing searchable remains.
    """
    words = [w for w in user_text.split() if any(ch.isalnum() for ch in w)]
    if not words:
        return None
    parts = []
    for i, word in enumerate(words):
        phrase = " ".join(segment(word).split()).replace('"', '""')
        last = i == len(words) - 1
        # Prefix match the word being typed; CJK is already matched per character.
        star = "*" if prefix_last and last and not has_cjk(word[-1]) else ""
        parts.append(f'"{phrase}"{star}')
    return " ".join(parts)


def matching_ids(user_text: str, entity_type: str) -> TextualSelect | None:
    """A subquery of every matching entity id, for ``id IN (...)``: no cap and no ranking,
    so the caller's own order (urgency) and LIMIT decide what is fetched."""
    if entity_type not in ENTITY_TYPES:
        raise ValueError(f"unknown entity type {entity_type!r}")
    query = fts_query(user_text)
    if query is None:
        return None
    # Driven by the FTS match (a set of rowids looked up by primary key); the unary + keeps
    # SQLite from scanning every document of the type and probing the set for each.
    clause: TextClause = text(
        "SELECT entity_id FROM search_docs WHERE +entity_type = :t "
        "AND id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH :q)"
    ).bindparams(q=query, t=entity_type)
    return clause.columns(column("entity_id", String))


def match_exists(user_text: str, entity_type: str, id_column: str) -> TextClause | None:
    """``EXISTS`` test of one row against the match, for reading a table in its own index
    order and stopping at the first page: right when most rows match (a job number prefix
    such as "SO-2026"), where building the id list and sorting it is the slow part."""
    if entity_type not in ENTITY_TYPES:
        raise ValueError(f"unknown entity type {entity_type!r}")
    query = fts_query(user_text)
    if query is None:
        return None
    return text(
        "EXISTS (SELECT 1 FROM search_docs AS d WHERE d.entity_type = :t "
        f"AND d.entity_id = {id_column} "
        "AND d.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH :q))"
    ).bindparams(q=query, t=entity_type)


def match_count_estimate(session: Session, user_text: str) -> int:
    """Documents of any type matching: a cheap upper bound to choose a query plan with."""
    query = fts_query(user_text)
    if query is None:
        return 0
    return int(
        session.execute(
            text("SELECT count(*) FROM search_fts WHERE search_fts MATCH :q"), {"q": query}
        ).scalar()
        or 0
    )
