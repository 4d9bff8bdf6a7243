"""Local offline store: SQLite (WAL, foreign keys), Alembic migrations, blobs, search."""
