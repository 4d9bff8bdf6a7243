"""Alembic environment: always run on a connection handed in by fieldkit.store.migrate."""

from __future__ import annotations

from alembic import context

from fieldkit.store.models import Base

# FTS tables and the search doc map are managed by raw SQL in migrations, not by models.
_UNMODELLED = {"search_fts", "search_docs"}


def _include(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (
        type_ == "table"
        and name is not None
        and (name in _UNMODELLED or name.startswith("search_fts_"))
    )


connection = context.config.attributes.get("connection")
if connection is None:
    from fieldkit.store.database import create_sqlite_engine

    url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///fieldkit-dev.db"
    from pathlib import Path

    engine = create_sqlite_engine(Path(url.removeprefix("sqlite:///")))
    connection = engine.connect()

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    include_object=_include,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
