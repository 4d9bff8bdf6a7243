"""Small persisted settings (server URL, user name, language): JSON values, no secrets."""

from __future__ import annotations

from typing import Any

from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m


def get_setting(ctx: ServiceContext, key: str, default: Any = None) -> Any:
    with ctx.db.read() as session:
        row = session.get(m.Setting, key)
        return default if row is None else row.value


def set_setting(ctx: ServiceContext, key: str, value: Any) -> None:
    """Store a value; None removes the setting (its default applies again)."""
    with ctx.db.write() as session:
        row = session.get(m.Setting, key)
        if value is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(m.Setting(key=key, value=value, note=""))
        else:
            row.value = value
