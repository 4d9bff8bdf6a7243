"""The center's Alembic migrations build exactly the tables `server/tables.py` declares, on
SQLite and on PostgreSQL: a column added to a synced model (or to a server table) without a
server migration fails here, as the client's `test_migrations_match_models` does for the app.
And the two sides' migrations build the same synced tables."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from fieldkit.server.database import create_server_engine, migrate
from fieldkit.server.tables import ENTITY, metadata
from fieldkit.store.database import open_database
from fieldkit.store.models import Base
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


def _entity_schema(engine: Engine) -> dict[str, Any]:
    """Each synced table as the database reports it: columns, keys, indexes."""
    found: dict[str, Any] = {}
    with engine.connect() as conn:
        db = inspect(conn)
        for name in ENTITY:
            found[name] = {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"]) for c in db.get_columns(name)
                ],
                "pk": db.get_pk_constraint(name)["constrained_columns"],
                "fks": sorted(
                    (fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"])
                    for fk in db.get_foreign_keys(name)
                ),
                "indexes": sorted(
                    (ix["name"], tuple(map(str, ix["column_names"])), bool(ix["unique"]))
                    for ix in db.get_indexes(name)
                    if not str(ix["name"]).startswith("ix_jobs_urgency")
                ),
                "unique": sorted(tuple(u["column_names"]) for u in db.get_unique_constraints(name)),
            }
    return found


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_app_and_center_migrations_build_the_same_entity_tables(tmp_path: Path) -> None:
    """Both sides run the same steps (fieldkit.schema), so each synced table comes out the
    same, apart from the columns and indexes `server/tables.py` adds for the center's own use
    (signatures.device_id, the archive's indexes on jobs)."""
    client = open_database(tmp_path / "app.db").engine
    center = create_server_engine(f"sqlite:///{tmp_path / 'center.db'}")
    try:
        migrate(center)
        app_side, center_side = _entity_schema(client), _entity_schema(center)
    finally:
        center.dispose()
        client.dispose()
    for name, table in ENTITY.items():  # what server/tables.py adds to the shared models
        model = Base.metadata.tables[name]
        own_columns = set(table.c.keys()) - set(model.c.keys())
        own_indexes = {ix.name for ix in table.indexes} - {ix.name for ix in model.indexes}
        side = center_side[name]
        side["columns"] = [c for c in side["columns"] if c[0] not in own_columns]
        side["indexes"] = [ix for ix in side["indexes"] if ix[0] not in own_indexes]
    assert app_side == center_side
