"""When a device last reached the center (a push or a pull): the board's "last sync" of each
engineer and the job record's "last seen". Written at most every ``EVERY`` so a pulling
tablet does not turn every read into a write."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, select, update

from fieldkit.server import tables as t

EVERY = timedelta(seconds=15)


def touch(engine: Engine, device_id: str, now: datetime) -> None:
    devices = t.client_devices
    with engine.connect() as conn:
        seen = conn.scalar(select(devices.c.last_seen_at).where(devices.c.device_id == device_id))
    if seen is not None and now - seen < EVERY:
        return
    with engine.begin() as conn:
        conn.execute(
            update(devices)
            .where(
                devices.c.device_id == device_id,
                or_(devices.c.last_seen_at.is_(None), devices.c.last_seen_at < now - EVERY),
            )
            .values(last_seen_at=now)
        )
