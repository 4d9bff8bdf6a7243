"""The devices of `bench center`: processes, each holding some simulated tablets (a thread
each), every tablet its own SQLite store running the app's own services and sync engine.

The parent sends commands down a pipe and reads one answer per command. Nothing here
judges: it reports what happened, and the parent checks it against the center.
"""

from __future__ import annotations

import random
import threading
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from fieldkit.domain.clock import SystemClock
from fieldkit.protocol.entities import SYNCED_MODELS, TABLES, encode_row, key_of
from fieldkit.server import tables as t
from fieldkit.server.database import create_server_engine
from fieldkit.server.scope import scope_clause
from fieldkit.services import jobs
from fieldkit.services.context import ServiceContext, open_context
from fieldkit.store import models as m
from fieldkit.sync import session
from fieldkit.sync.engine import SyncEngine

PASSWORD = "fieldkit-demo"
OPEN_STATUSES = ("assigned", "accepted", "travelling", "on_site", "diagnosing", "repairing")


@dataclass
class Device:
    engineer: str
    folder: Path
    ctx: ServiceContext | None = None
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def replica(ctx: ServiceContext) -> dict[tuple[str, str], dict[str, Any]]:
    """Every synced row on the device, as it travels on the wire."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    with ctx.db.read() as s:
        for model in SYNCED_MODELS:
            table = TABLES[model.__tablename__]
            for row in s.execute(select(table)).mappings():
                out[(table.name, key_of(table, dict(row)))] = encode_row(table, dict(row))
    return out


def sync_once(device: Device) -> tuple[float, int, int]:
    """One sync: (seconds, rows pulled, bytes on the wire)."""
    assert device.ctx is not None
    started = time.perf_counter()
    with session.connect(device.ctx) as transport:
        report = SyncEngine(device.ctx, transport).run()
    if report is None:
        raise RuntimeError("another sync of this store was running")
    return time.perf_counter() - started, report.pulled, report.bytes_sent + report.bytes_received


def _in_threads(devices: list[Device], work: Any) -> list[Any]:
    out: list[Any] = [None] * len(devices)

    def one(i: int) -> None:
        try:
            out[i] = work(devices[i])
        except Exception:  # reported to the parent, which counts it as an error
            devices[i].errors.append(traceback.format_exc(limit=3))
            out[i] = None

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(len(devices))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def _first(device: Device, start_at: float) -> tuple[float, float, int, int]:
    """The first sync of the day, at ``start_at``: (seconds, ended at, rows, wire bytes)."""
    time.sleep(max(0.0, start_at - time.time()))
    took, rows, wire = sync_once(device)
    return took, time.time(), rows, wire


def _steady(device: Device, until: float, rng: random.Random) -> dict[str, Any]:
    """A closed loop until ``until``: 1-4 notes on the engineer's open jobs, then a sync."""
    assert device.ctx is not None
    with device.ctx.db.read() as s:
        mine = list(
            s.scalars(
                select(m.Job.id).where(
                    m.Job.assigned_engineer == device.engineer, m.Job.status.in_(OPEN_STATUSES)
                )
            )
        )
    times: list[float] = []
    pulled: list[int] = []
    n = 0
    while time.time() < until and mine:
        for _ in range(rng.randint(1, 4)):
            n += 1
            text = f"bench {device.folder.name} #{n}"
            jobs.add_note(device.ctx, rng.choice(mine), text)
            device.notes.append(text)
        try:
            took, rows, _ = sync_once(device)
        except Exception:
            device.errors.append(traceback.format_exc(limit=3))
            continue
        times.append(took)
        pulled.append(rows)
    return {"times": times, "pulled": pulled}


def _outbox(ctx: ServiceContext) -> list[tuple[str, str, str]]:
    with ctx.db.read() as s:
        return [
            (row.mutation_id, row.name, row.state)
            for row in s.scalars(select(m.OutboxMutation).order_by(m.OutboxMutation.seq))
        ]


def serve(pipe: Connection, url: str, devices: list[tuple[str, str]], seed: int) -> None:
    """The device process: answers the parent's commands until it says "quit"."""
    import keyring
    from tests.support.keyrings import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    fleet = [Device(engineer, Path(folder)) for engineer, folder in devices]
    rng = random.Random(seed)
    while True:
        command, arg = pipe.recv()
        if command == "quit":
            for device in fleet:
                if device.ctx is not None:
                    device.ctx.db.close()
            pipe.send(None)
            return
        if command == "setup":  # yesterday: each tablet logged in once, its token kept
            for device in fleet:
                device.ctx = open_context(device.folder, device.engineer, SystemClock())
                session.login(device.ctx, url, device.engineer, PASSWORD)
            pipe.send(len(fleet))
        elif command == "herd":  # 8:00: every first sync at once
            pipe.send(_in_threads(fleet, lambda d, at=float(arg): _first(d, at)))
        elif command == "steady":
            seeds = {id(d): random.Random(rng.randrange(1 << 30)) for d in fleet}
            pipe.send(_in_threads(fleet, lambda d, u=float(arg), s=seeds: _steady(d, u, s[id(d)])))
        elif command == "settle":  # after the office stopped: everything up, everything down
            pipe.send(_in_threads(fleet, lambda d: [sync_once(d)[1] for _ in range(2)]))
        elif command == "report":
            pipe.send(
                [
                    {
                        "engineer": d.engineer,
                        "device_id": d.ctx.device_id if d.ctx else "",
                        "notes": d.notes,
                        "outbox": _outbox(d.ctx) if d.ctx else [],
                        "errors": d.errors,
                    }
                    for d in fleet
                ]
            )
        elif command == "replicas":  # each replica against the center's scoped view
            engine = create_server_engine(str(arg))
            out = []
            try:
                for d in fleet:
                    assert d.ctx is not None
                    mine, want = replica(d.ctx), server_view(engine, d.engineer)
                    diff = sorted(k for k in set(mine) | set(want) if mine.get(k) != want.get(k))
                    out.append({"engineer": d.engineer, "rows": len(mine), "diff": diff[:5]})
            finally:
                engine.dispose()
            pipe.send(out)


def server_view(engine: Engine, engineer: str) -> dict[tuple[str, str], dict[str, Any]]:
    """What the center holds for ``engineer``, by the center's own scope rules."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    with engine.connect() as conn:
        for model in SYNCED_MODELS:
            table = t.ENTITY[model.__tablename__]
            for row in conn.execute(
                select(table).where(scope_clause(table.name, engineer))
            ).mappings():
                out[(table.name, key_of(table, dict(row)))] = encode_row(table, dict(row))
    return out
