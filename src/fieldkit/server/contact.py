"""When a device last reached the center (a login, a push or a pull) and how many changes it
said were still waiting in its outbox then: the board's "last sync" of each engineer, the job
record's "last seen 3 h ago; 2 changes pending on the device" and the people page's devices,
all from :func:`device_contacts`.

A pull is a read and must take no write lock (a pull never waits for a writer on SQLite), so
a pull's contact is only noted in memory and written by a background flush every
``FLUSH_SECONDS`` (or by the next push, which writes anyway). Each device's time is written
at most every ``EVERY``, and whenever its pending count changes.

The pending count comes from the device (``X-FieldKit-Pending``): a number it reports about
itself, checked to be a bounded non-negative integer and used for display only."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, or_, select, update
from sqlalchemy.exc import OperationalError

from fieldkit.server import tables as t

EVERY = timedelta(seconds=15)
FLUSH_SECONDS = 2.0
MAX_PENDING = 1_000_000  # more than any outbox holds; anything else is not a count
log = logging.getLogger("fieldkit.server.contact")


def pending_from(header: str | None) -> int | None:
    """The device's outbox length from its header, or None (absent or not a plain count)."""
    if header is None:
        return None
    value = header.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 7:
        return None
    count = int(value)
    return count if count <= MAX_PENDING else None


@dataclass(frozen=True)
class DeviceContact:
    """One device of an account, as the console shows it."""

    device_id: str
    user_id: int
    username: str
    name: str
    registered_at: datetime
    last_seen_at: datetime | None  # its newest login, push or pull the center noted
    pending_changes: int | None  # what it said it still held then; None if it never said
    revoked: bool
    wipe_requested_at: datetime | None
    # The wipe order first went to a request that showed the center's key (it can be checked).
    wipe_delivered_at: datetime | None = None
    # It went to a request that showed no key of this center (the device may not obey).
    wipe_sent_at: datetime | None = None


def device_contacts(conn: Connection, username: str | None = None) -> list[DeviceContact]:
    """Every device (of ``username``, if given), oldest registration first."""
    devices, users = t.client_devices, t.users
    stmt = (
        select(
            devices.c.device_id,
            devices.c.user_id,
            users.c.username,
            devices.c.name,
            devices.c.registered_at,
            devices.c.last_seen_at,
            devices.c.pending_changes,
            devices.c.revoked,
            devices.c.wipe_requested_at,
            devices.c.wipe_delivered_at,
            devices.c.wipe_sent_at,
        )
        .join(users, users.c.id == devices.c.user_id)
        .order_by(devices.c.registered_at, devices.c.device_id)
    )
    if username is not None:
        stmt = stmt.where(users.c.username == username)
    return [
        DeviceContact(
            r.device_id,
            r.user_id,
            r.username,
            r.name or "",
            r.registered_at,
            r.last_seen_at,
            r.pending_changes,
            bool(r.revoked),
            r.wipe_requested_at,
            r.wipe_delivered_at,
            r.wipe_sent_at,
        )
        for r in conn.execute(stmt)
    ]


@dataclass(frozen=True)
class Seen:
    """An account's devices taken together (the board's engineer load)."""

    last_seen_at: datetime | None
    pending_changes: int | None  # on the devices that said; None if none did
    devices: int


def latest(contacts: list[DeviceContact]) -> Seen:
    """The newest contact and the pending changes of the devices not revoked."""
    live = [c for c in contacts if not c.revoked]
    seen = [c.last_seen_at for c in live if c.last_seen_at is not None]
    said = [c.pending_changes for c in live if c.pending_changes is not None]
    return Seen(max(seen) if seen else None, sum(said) if said else None, len(live))


class Contacts:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pending: dict[str, tuple[datetime, int | None]] = {}
        self._written: dict[str, tuple[datetime, int | None]] = {}
        self._lock = threading.Lock()

    def note(self, device_id: str, now: datetime, outbox: int | None = None) -> None:
        """A read's contact (and the device's outbox length, if it said): remembered,
        written by the next flush."""
        with self._lock:
            last = self._written.get(device_id)
            if last is None or now - last[0] >= EVERY or (outbox is not None and outbox != last[1]):
                earlier = self._pending.get(device_id)
                if outbox is None and earlier is not None:
                    outbox = earlier[1]  # a login after a pull: the pull's count stands
                self._pending[device_id] = (now, outbox)

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return
        devices = t.client_devices
        try:
            with self.engine.begin() as conn:
                for device_id, (now, outbox) in pending.items():
                    stale = or_(
                        devices.c.last_seen_at.is_(None), devices.c.last_seen_at < now - EVERY
                    )
                    values: dict[str, object] = {"last_seen_at": now}
                    if outbox is not None:  # not said (a login, an older app): kept as it was
                        stale = or_(stale, devices.c.pending_changes.is_distinct_from(outbox))
                        values["pending_changes"] = outbox
                    conn.execute(
                        update(devices)
                        .where(devices.c.device_id == device_id, stale)
                        .values(**values)
                    )
        except OperationalError:  # busy: the times are kept for the next flush
            log.warning("contact times not written (database busy); retrying")
            with self._lock:
                for device_id, noted in pending.items():
                    self._pending.setdefault(device_id, noted)
            return
        with self._lock:
            self._written.update(pending)

    def touch(self, device_id: str, now: datetime, outbox: int | None = None) -> None:
        """A write's contact (a push): written at once with whatever else is pending."""
        self.note(device_id, now, outbox)
        self.flush()

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(FLUSH_SECONDS):
            try:
                self.flush()
            except Exception:  # a bug here must not end the thread silently
                log.exception("contact flush failed")
        self.flush()
