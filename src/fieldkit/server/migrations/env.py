"""Alembic environment for the server schema (run from fieldkit.server.database.migrate)."""

from __future__ import annotations

from alembic import context

from fieldkit.server.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    version_table="alembic_version_server",
)
with context.begin_transaction():
    context.run_migrations()
