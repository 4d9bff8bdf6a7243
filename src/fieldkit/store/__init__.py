"""Local offline store: SQLite (WAL, foreign keys), Alembic migrations, blobs, search."""

DATA_FILE = "fieldkit.db"  # the local data file, in the data folder
