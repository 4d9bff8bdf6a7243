"""The center's Alembic migrations build exactly the tables `server/tables.py` declares, on
SQLite and on PostgreSQL: a column added to a synced model (or to a server table) without a
server migration fails here, as the client's `test_migrations_match_models` does for the app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from fieldkit.server.database import create_server_engine, migrate
from fieldkit.server.tables import metadata
from tests.support.postgres import Postgres, start_postgres

VERSION_TABLE = "alembic_version_server"  # Alembic's own, not part of the schema


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    pg = start_postgres()
    yield pg
    pg.stop()


def drift(engine: Engine) -> list[Any]:
    """What the migrated database and the table metadata disagree on (empty: nothing)."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "version_table": VERSION_TABLE}
        )
        return list(compare_metadata(ctx, metadata))


# The urgency index is on expressions, which SQLAlchemy cannot reflect (it says so).
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_server_migrations_match_tables_on_sqlite(tmp_path: Path) -> None:
    engine = create_server_engine(f"sqlite:///{tmp_path / 'center.db'}")
    try:
        migrate(engine)
        assert drift(engine) == []
        _drop_a_column(engine)
        assert _added_columns(drift(engine)) == [("jobs", "fault_description")]
    finally:
        engine.dispose()


def test_server_migrations_match_tables_on_postgres(postgres: Postgres) -> None:
    engine = create_server_engine(postgres.url(postgres.create_database()))
    try:
        migrate(engine)
        assert drift(engine) == []
        _drop_a_column(engine)
        assert _added_columns(drift(engine)) == [("jobs", "fault_description")]
    finally:
        engine.dispose()


def _drop_a_column(engine: Engine) -> None:
    """A migration that forgot a column: the check must see it."""
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE jobs DROP COLUMN fault_description")


def _added_columns(diffs: list[Any]) -> list[tuple[str, str]]:
    return [(d[2], d[3].name) for d in diffs if isinstance(d, tuple) and d[0] == "add_column"]
