"""Alembic, driven from code: the app upgrades its own data file at startup."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # SQLAlchemy loads with the store, not with a look at HEAD
    from alembic.config import Config
    from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest revision. Checked against the scripts by tests/store/test_database.py; a data
# file already at it opens without loading Alembic (a fifth of the app's start-up time).
HEAD = "0010_center_leftovers"
# Alembic keeps its running environment in module globals (``alembic.context``, the loaded
# env.py): two stores migrating at once in one process trample each other ("KeyError:
# 'script'", "table already exists", even a crash). One migration at a time per process.
_ALEMBIC = threading.RLock()


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    with _ALEMBIC:
        cfg = alembic_config()
        with engine.connect() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            conn.commit()


def upgrade_to_head(engine: Engine) -> None:
    if _stamped(engine) == HEAD:
        return
    with _ALEMBIC:
        if current_revision(engine) != head_revision():
            upgrade(engine, "head")


def _stamped(engine: Engine) -> str | None:
    from sqlalchemy import text

    with engine.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
        ).first()
        if exists is None:
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return str(row[0]) if row else None


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with _ALEMBIC, engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    with _ALEMBIC:
        return ScriptDirectory.from_config(alembic_config()).get_current_head()
