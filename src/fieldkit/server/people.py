"""Who works at and for the center, as the people page shows them: every account with its
role and state, and each device that signed in with it (registered, last seen, revoked or
told to erase itself). Read only; the changes are in :mod:`fieldkit.server.office_people`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, func, select

from fieldkit.server import tables as t
from fieldkit.server.contact import DeviceContact, device_contacts


@dataclass(frozen=True)
class DeviceRow:
    contact: DeviceContact  # registered, last seen (login, push or pull), pending, revoked
    open_logins: int

    @property
    def device_id(self) -> str:
        return self.contact.device_id

    @property
    def name(self) -> str:
        return self.contact.name


@dataclass(frozen=True)
class Person:
    username: str
    display_name: str
    role: str
    active: bool
    failed_logins: int  # in the throttle window, since the last success or unlock
    devices: list[DeviceRow] = field(default_factory=list)


def people(engine: Engine, now: datetime, window_start: datetime) -> list[Person]:
    users, tokens, la = t.users, t.tokens, t.login_attempts
    with engine.connect() as conn:
        open_logins: dict[str, int] = dict(
            conn.execute(
                select(tokens.c.device_id, func.count())
                .where(tokens.c.revoked_at.is_(None), tokens.c.expires_at > now)
                .group_by(tokens.c.device_id)
            ).all()
        )
        by_user: dict[int, list[DeviceRow]] = {}
        for c in device_contacts(conn):
            by_user.setdefault(c.user_id, []).append(
                DeviceRow(c, int(open_logins.get(c.device_id, 0)))
            )
        result = []
        for u in conn.execute(select(users).order_by(users.c.role, users.c.username)).mappings():
            reset = conn.scalar(
                select(func.max(la.c.at)).where(
                    la.c.username == u["username"], la.c.ok.is_(True), la.c.at >= window_start
                )
            )
            since = max(window_start, reset) if reset else window_start
            failed = conn.scalar(
                select(func.count()).where(
                    la.c.username == u["username"], la.c.ok.is_(False), la.c.at >= since
                )
            )
            result.append(
                Person(
                    u["username"],
                    u["display_name"],
                    u["role"],
                    bool(u["active"]),
                    int(failed or 0),
                    by_user.get(u["id"], []),
                )
            )
    return result
