"""When a device last reached the center (a push or a pull): the board's "last sync" of each
engineer and the job record's "last seen".

A pull is a read and must take no write lock (a pull never waits for a writer on SQLite), so
a pull's contact is only noted in memory and written by a background flush every
``FLUSH_SECONDS`` (or by the next push, which writes anyway). Each device's time is written
at most every ``EVERY``."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, update
from sqlalchemy.exc import OperationalError

from fieldkit.server import tables as t

EVERY = timedelta(seconds=15)
FLUSH_SECONDS = 2.0
log = logging.getLogger("fieldkit.server.contact")


class Contacts:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pending: dict[str, datetime] = {}
        self._written: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def note(self, device_id: str, now: datetime) -> None:
        """A read's contact: remembered, written by the next flush."""
        with self._lock:
            last = self._written.get(device_id)
            if last is None or now - last >= EVERY:
                self._pending[device_id] = now

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return
        devices = t.client_devices
        try:
            with self.engine.begin() as conn:
                for device_id, now in pending.items():
                    conn.execute(
                        update(devices)
                        .where(
                            devices.c.device_id == device_id,
                            or_(
                                devices.c.last_seen_at.is_(None),
                                devices.c.last_seen_at < now - EVERY,
                            ),
                        )
                        .values(last_seen_at=now)
                    )
        except OperationalError:  # busy: the times are kept for the next flush
            log.warning("contact times not written (database busy); retrying")
            with self._lock:
                for device_id, now in pending.items():
                    self._pending.setdefault(device_id, now)
            return
        with self._lock:
            self._written.update(pending)

    def touch(self, device_id: str, now: datetime) -> None:
        """A write's contact (a push): written at once with whatever else is pending."""
        self.note(device_id, now)
        self.flush()

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(FLUSH_SECONDS):
            try:
                self.flush()
            except Exception:  # a bug here must not end the thread silently
                log.exception("contact flush failed")
        self.flush()
