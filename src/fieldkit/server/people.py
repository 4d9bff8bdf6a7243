"""Who works at and for the center, as the people page shows them: every account with its
role and state, and each device that signed in with it (registered, last seen, revoked or
told to erase itself). Read only; the changes are in :mod:`fieldkit.server.office_people`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, func, select

from fieldkit.server import tables as t


@dataclass(frozen=True)
class DeviceRow:
    device_id: str
    name: str
    registered_at: datetime
    last_seen: datetime | None  # the newest contact (sync, push or login) the center noted
    revoked: bool
    wipe_requested_at: datetime | None
    open_logins: int


@dataclass(frozen=True)
class Person:
    username: str
    display_name: str
    role: str
    active: bool
    failed_logins: int  # in the throttle window, since the last success or unlock
    devices: list[DeviceRow] = field(default_factory=list)


def people(engine: Engine, now: datetime, window_start: datetime) -> list[Person]:
    users, devices, tokens, pm, la = (
        t.users,
        t.client_devices,
        t.tokens,
        t.processed_mutations,
        t.login_attempts,
    )
    with engine.connect() as conn:
        pushes = dict(
            conn.execute(
                select(pm.c.device_id, func.max(pm.c.received_at)).group_by(pm.c.device_id)
            ).all()
        )
        logins = {
            r.device_id: (r.last, r.open)
            for r in conn.execute(
                select(
                    tokens.c.device_id,
                    func.max(tokens.c.created_at).label("last"),
                    func.count()
                    .filter(tokens.c.revoked_at.is_(None), tokens.c.expires_at > now)
                    .label("open"),
                ).group_by(tokens.c.device_id)
            )
        }
        by_user: dict[int, list[DeviceRow]] = {}
        for d in conn.execute(select(devices).order_by(devices.c.registered_at)).mappings():
            last_login, open_logins = logins.get(d["device_id"], (None, 0))
            contacts = (d["last_seen_at"], pushes.get(d["device_id"]), last_login)
            seen = [x for x in contacts if x is not None]
            by_user.setdefault(d["user_id"], []).append(
                DeviceRow(
                    d["device_id"],
                    d["name"],
                    d["registered_at"],
                    max(seen) if seen else None,
                    bool(d["revoked"]),
                    d["wipe_requested_at"],
                    int(open_logins or 0),
                )
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
