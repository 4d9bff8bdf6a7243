"""The synced entity schema's migration steps, written once and called by both the app's
(``store/migrations``) and the center's (``server/migrations``) Alembic revisions. Only
SQLAlchemy and Alembic here: the step functions run inside either side's migration context.
The tables themselves are declared by the models in ``store/models`` (``server/tables.py``
copies them); each side's drift test compares its migrations with its tables."""
