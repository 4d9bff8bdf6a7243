"""The dispatch board's job part (counts, the listed page, the unassigned lane, the open jobs
of each engineer), kept per center and filter for as long as nothing it shows can have
changed: its key is the change log's newest seq and the newest job row, so a sync or an
office change makes the next view read afresh, and an entry ends at the next unanswered
deadline (the breach count moves then without any write). The rows are kept raw; their
clocks are computed at each view, at that view's "now"."""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from fieldkit.domain.enums import JobStatus
from fieldkit.server import tables as t
from fieldkit.server.changes import pruned_through

ENTRIES = 64  # filters x pages a few dispatchers have open at once
E = t.ENTITY
OPEN_STATUSES: tuple[str, ...] = tuple(s.value for s in JobStatus if s is not JobStatus.CLOSED)


@dataclass(frozen=True)
class JobsPart:
    listed: list[Any]  # raw rows of the page, most urgent first
    unassigned: list[Any]  # raw rows of the unassigned lane
    total: int
    unassigned_total: int
    breached_total: int
    open_jobs: dict[str, int]  # each engineer's open jobs
    customers: list[tuple[str, str]]
    page: int
    pages: int
    as_of: datetime  # the "now" it was counted at
    valid_until: datetime | None  # the next deadline still open; None: no deadline ahead


class BoardCache:
    def __init__(self, size: int = ENTRIES) -> None:
        self.size = size
        self._entries: OrderedDict[Any, JobsPart] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any, now: datetime) -> JobsPart | None:
        with self._lock:
            part = self._entries.get(key)
            if part is None:
                return None
            if now < part.as_of or (part.valid_until is not None and now >= part.valid_until):
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return part

    def put(self, key: Any, part: JobsPart) -> None:
        with self._lock:
            self._entries[key] = part
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def stamp_of(conn: Connection) -> tuple[int, Any, Any]:
    """(newest change-log seq, newest job row, newest device contact) in one round trip."""
    newest_job, newest_contact, newest_seq = conn.execute(
        select(
            select(func.max(E["jobs"].c.updated_at)).scalar_subquery(),
            select(func.max(t.client_devices.c.last_seen_at)).scalar_subquery(),
            select(func.max(t.change_log.c.seq)).scalar_subquery(),
        )
    ).one()
    # Pruning may empty the log but never moves the counter back (changes.max_seq).
    return (
        (newest_seq if newest_seq is not None else pruned_through(conn)),
        newest_job,
        newest_contact,
    )


def version_of(stamp: tuple[int, Any, Any]) -> str:
    return hashlib.sha256("|".join(map(str, stamp)).encode()).hexdigest()[:16]


_caches: weakref.WeakKeyDictionary[Engine, BoardCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def cache_for(engine: Engine) -> BoardCache:
    """One cache per center database (per engine, so two centers in one process never share)."""
    with _caches_lock:
        cache = _caches.get(engine)
        if cache is None:
            cache = _caches[engine] = BoardCache()
        return cache
