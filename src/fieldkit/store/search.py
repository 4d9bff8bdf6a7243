"""Full-text search over the local store, safe for any text a user types.

Plain SQL with bound parameters (no SQLAlchemy): the job list runs these on the standard
library's driver, one statement per keystroke.
"""

from __future__ import annotations

from fieldkit.store.text_segment import has_cjk, segment

ENTITY_TYPES = ("job", "customer", "site", "device")
_MATCH = "SELECT rowid FROM search_fts WHERE search_fts MATCH ?"


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


def _check(entity_type: str) -> None:
    if entity_type not in ENTITY_TYPES:
        raise ValueError(f"unknown entity type {entity_type!r}")


def matching_ids(query: str, entity_type: str) -> tuple[str, list[str]]:
    """A subquery of every matching entity id, for ``id IN (...)``, with its parameters: no
    cap and no ranking, so the caller's own order (urgency) and LIMIT decide what is fetched.
    ``query`` is an :func:`fts_query` result."""
    _check(entity_type)
    # Driven by the FTS match (a set of rowids looked up by primary key); the unary + keeps
    # SQLite from scanning every document of the type and probing the set for each.
    return (
        f"SELECT entity_id FROM search_docs WHERE +entity_type = ? AND id IN ({_MATCH})",
        [entity_type, query],
    )


def match_exists(query: str, entity_type: str, id_column: str) -> tuple[str, list[str]]:
    """``EXISTS`` test of one row against the match, for reading a table in its own index
    order and stopping at the first page: right when most rows match (a job number prefix
    such as "SO-2026"), where building the id list and sorting it is the slow part."""
    _check(entity_type)
    return (
        "EXISTS (SELECT 1 FROM search_docs AS d WHERE d.entity_type = ? "
        f"AND d.entity_id = {id_column} AND d.id IN ({_MATCH}))",
        [entity_type, query],
    )


def match_count_sql(query: str) -> tuple[str, list[str]]:
    """Documents of any type matching: a cheap upper bound to choose a query plan with."""
    return "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", [query]
