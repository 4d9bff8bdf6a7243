"""A center under load: the morning herd, a minute of steady syncs with the office at work,
then the invariants (issue 16).

A center of N engineers is built through the project's own code (the demo generator, ten
sites per engineer across their jobs, the center's migrations, auth and blob store), and a
real `fieldkit-server` serves it on loopback, on SQLite and on PostgreSQL (2 workers). N
simulated tablets - each its own SQLite store running the app's services and sync engine,
spread over a few device processes - logged in once beforehand (their tokens kept, as a
tablet keeps its own); then:

1. the morning herd: every tablet's first sync at the same instant;
2. a closed loop of steady syncs (1-4 notes pushed, the log pulled) while an office thread
   lists jobs, re-grades one and reads the escalations;
3. the invariants: after a final sync each replica equals the center's scoped view, and
   every note written on a tablet was applied exactly once (one processed mutation, one row).

Baselines in the same run, on the same center: one tablet's first sync alone, one tablet's
steady syncs alone (the server's CPU per sync), the office's requests with nobody syncing.
Server CPU is read from /proc for the server's processes (and PostgreSQL's, separately).

`python -m bench center [--db sqlite|postgresql|both] [--engineers N] [--full]`: the default is
a modest center (20 engineers, 2,000 jobs, 20 tablets, a 60 s loop); --full is the issue's
20,000 jobs and 200 engineers with 200 tablets. Goals are judged at --full size for the herd;
the per-sync, office and invariant goals at any size.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import keyring
import requests
from sqlalchemy import func, insert, select
from tests.support.keyrings import MemoryKeyring
from tests.support.postgres import start_postgres
from tests.support.server import Office, Server, start_server

from bench import center_devices
from fieldkit.demo.generator import DemoSize, build_demo, write_rows
from fieldkit.server import auth
from fieldkit.server import tables as t
from fieldkit.server.blobstore import ServerBlobs
from fieldkit.server.database import create_server_engine, migrate
from fieldkit.server.settings import load_server_settings

PASSWORD = center_devices.PASSWORD
HERD_GOAL = {"postgresql": 60.0, "sqlite": 90.0}
MS_PER_SYNC_GOAL = 10.0
OFFICE_P95_GOAL_MS = 300.0
TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Size:
    engineers: int = 20
    jobs_per_engineer: int = 100
    sites_per_engineer: int = 10
    devices_per_site: int = 10
    steady_s: float = 60.0
    device_procs: int = 4
    full: bool = False


QUICK = Size(engineers=4, jobs_per_engineer=20, devices_per_site=3, steady_s=8.0, device_procs=2)
FULL = Size(engineers=200, devices_per_site=40, full=True)


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}x" if baseline > 0 else "n/a"


def cpu_seconds(root_pid: int) -> float:
    """utime + stime of ``root_pid`` and every live descendant, from /proc."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICK
    total, todo = 0.0, [root_pid]
    while todo:
        pid = todo.pop()
        total += cpu.get(pid, 0.0)
        todo += [child for child, parent in parents.items() if parent == pid]
    return total


def build_center(folder: Path, db_url: str | None, size: Size) -> list[str]:
    """Users, the demo data set (jobs round-robin over the engineers, ten sites each) and
    the blobs, written with the center's own code. Returns the engineers' names."""
    settings = load_server_settings(folder, db_url)
    engine = create_server_engine(settings.database_url)
    migrate(engine)
    names = [f"eng{i:03d}" for i in range(size.engineers)]
    blobs = ServerBlobs(settings.blob_dir, engine, settings.max_blob_bytes)
    rows, _ = build_demo(
        blobs.store,
        DemoSize(
            jobs=size.engineers * size.jobs_per_engineer,
            sites=size.engineers * size.sites_per_engineer,
            devices_per_site=size.devices_per_site,
        ),
        engineers=tuple(names),
    )
    hashed = auth.hash_password(PASSWORD)  # one argon2 hash for all: same password
    with engine.begin() as conn:
        auth.create_user(conn, "office", PASSWORD, "dispatcher", "调度员 Dispatcher")
        conn.execute(
            insert(t.users),
            [
                {
                    "username": n,
                    "display_name": n,
                    "role": "engineer",
                    "password_hash": hashed,
                    "active": True,
                }
                for n in names
            ],
        )
        write_rows(conn, rows, lambda model: t.ENTITY[model.__tablename__])
    for sha in blobs.store:
        blobs.register_local(sha, blobs.store.size(sha), "seed")
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    engine.dispose()
    return names


class Fleet:
    """The device processes; each command goes to all of them and waits for every answer."""

    def __init__(self, url: str, devices: list[tuple[str, str]], procs: int) -> None:
        spawn = multiprocessing.get_context("spawn")
        self.pipes: list[Any] = []
        self.procs: list[Any] = []
        for i in range(procs):
            share = devices[i::procs]
            if not share:
                continue
            mine, theirs = spawn.Pipe()
            proc = spawn.Process(target=center_devices.serve, args=(theirs, url, share, i))
            proc.start()
            self.pipes.append(mine)
            self.procs.append(proc)

    def all(self, command: str, arg: Any = None) -> list[Any]:
        for pipe in self.pipes:
            pipe.send((command, arg))
        out: list[Any] = []
        for pipe in self.pipes:
            answer = pipe.recv()
            out += answer if isinstance(answer, list) else [answer]
        return out

    def close(self) -> None:
        for pipe in self.pipes:
            pipe.send(("quit", None))
        for proc in self.procs:
            proc.join(30)
            if proc.is_alive():
                proc.kill()


OfficeTimes = list[tuple[str, float]]  # (request kind, seconds)


def office_loop(office: Office, names: list[str], stop: threading.Event) -> tuple[OfficeTimes, int]:
    """The dispatcher's requests, timed: one engineer's jobs, a re-grade, the escalations."""
    times: OfficeTimes = []
    failures = 0
    n = 0

    def timed(kind: str, call: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        value = call()
        times.append((kind, time.perf_counter() - started))
        return value

    while not stop.is_set():
        n += 1
        engineer = names[n % len(names)]
        try:
            listed = [
                j
                for j in timed("jobs", partial(office.jobs, engineer))
                if j["status"] in center_devices.OPEN_STATUSES
            ]
            if listed:
                job = listed[n % len(listed)]
                path, body = f"/dispatch/jobs/{job['id']}", {"severity": 1 + n % 4}
                timed("regrade", partial(office.call, "PATCH", path, json=body))
            timed("escalations", lambda: office.call("GET", "/dispatch/escalations"))
        except (AssertionError, requests.RequestException):
            failures += 1
        stop.wait(0.2)
    return times, failures


def timed_office(
    office: Office, names: list[str], during: Callable[[], Any]
) -> tuple[OfficeTimes, int, Any]:
    """The office at work while ``during`` runs: (request times, failures, its result)."""
    stop = threading.Event()
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(office_loop(office, names, stop)))
    thread.start()
    try:
        value = during()
    finally:
        stop.set()
        thread.join()
    times, failures = result[0]
    return times, failures, value


def kinds_p95_ms(times: OfficeTimes) -> dict[str, int]:
    kinds = sorted({kind for kind, _ in times})
    return {k: round(1000 * p95([s for kind, s in times if kind == k])) for k in kinds}


def tokens_issued(server: Server) -> int:
    engine = server.engine()
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(t.tokens)) or 0)
    finally:
        engine.dispose()


def exactly_once(server: Server, reports: list[dict[str, Any]]) -> tuple[bool, int, str]:
    """Every mutation a tablet wrote was acknowledged and processed once, and each note is
    on the center exactly once. Returns (held, mutations, first problem)."""
    engine = server.engine()
    pm, wl = t.processed_mutations.c, t.ENTITY["work_log"].c
    total = 0
    try:
        with engine.connect() as conn:
            for rep in reports:
                processed = {
                    r.mutation_id: r.status
                    for r in conn.execute(
                        select(pm.mutation_id, pm.status).where(pm.device_id == rep["device_id"])
                    )
                }
                for mutation_id, name, state in rep["outbox"]:
                    total += 1
                    if state != "acked" or processed.get(mutation_id) != "applied":
                        return (
                            False,
                            total,
                            f"{name} {mutation_id}: {state}, center {processed.get(mutation_id)}",
                        )
                notes = rep["notes"]
                counts: dict[str, int] = {}
                for i in range(0, len(notes), 500):
                    for (text,) in conn.execute(
                        select(wl.note).where(wl.note.in_(notes[i : i + 500]))
                    ):
                        counts[text] = counts.get(text, 0) + 1
                wrong = [n for n in notes if counts.get(n) != 1]
                if wrong:
                    return (
                        False,
                        total,
                        f"note {wrong[0]!r} is on the center {counts.get(wrong[0], 0)} times",
                    )
    finally:
        engine.dispose()
    return True, total, ""


def measure(kind: str, size: Size, folder: Path) -> dict[str, Any]:
    pg = start_postgres() if kind == "postgresql" else None
    try:
        db = pg.url(pg.create_database()) if pg else None
        started = time.perf_counter()
        names = build_center(folder / "center", db, size)
        print(f"  built the center in {time.perf_counter() - started:.0f} s", flush=True)
        server = start_server(folder / "center", db=db, serve_args=("--workers", "2") if pg else ())
        pg_pid = int((pg.root / "data" / "postmaster.pid").read_text().split()[0]) if pg else 0
        db_url = db or f"sqlite:///{folder / 'center' / 'server.db'}"
        try:
            return _load(kind, size, folder, names, server, db_url, pg_pid)
        finally:
            server.stop()
    finally:
        if pg:
            pg.stop()


def _load(
    kind: str, size: Size, folder: Path, names: list[str], server: Server, db_url: str, pg_pid: int
) -> dict[str, Any]:
    def cpu() -> tuple[float, float]:
        return cpu_seconds(server.process.pid), cpu_seconds(pg_pid) if pg_pid else 0.0

    office = Office(server.url)
    # Baselines: one tablet alone (its own device of the first engineer), the office alone.
    solo = center_devices.Device(names[0], folder / "solo")
    from fieldkit.domain.clock import SystemClock
    from fieldkit.services.context import open_context
    from fieldkit.sync import session

    solo.ctx = open_context(solo.folder, solo.engineer, SystemClock())
    session.login(solo.ctx, server.url, solo.engineer, PASSWORD)
    solo_first_s, solo_rows, _ = center_devices.sync_once(solo)
    quiet_office, _, _ = timed_office(office, names, lambda: time.sleep(5.0))
    before = cpu()
    solo_until = time.time() + min(10.0, size.steady_s)
    solo_loop = center_devices._steady(solo, solo_until, __import__("random").Random(1))
    after = cpu()
    solo_syncs = len(solo_loop["times"])
    solo_ms = 1000 * (after[0] - before[0]) / max(solo_syncs, 1)
    solo_pg_ms = 1000 * (after[1] - before[1]) / max(solo_syncs, 1)
    print(
        f"  baseline: one first sync alone {solo_first_s:.2f} s ({solo_rows} rows); one tablet "
        f"alone {solo_syncs} steady syncs, p50 {median(solo_loop['times']):.3f} s, "
        f"server {solo_ms:.1f} ms/sync (+{solo_pg_ms:.1f} ms PostgreSQL); office p95 "
        f"{1000 * p95([x for _, x in quiet_office]):.0f} ms alone",
        flush=True,
    )
    devices = [(name, str(folder / f"tablet-{i:03d}")) for i, name in enumerate(names)]
    fleet = Fleet(server.url, devices, min(size.device_procs, len(devices)))
    try:
        fleet.all("setup")
        tokens_before = tokens_issued(server)
        start_at = time.time() + 2.0
        herd = fleet.all("herd", start_at)
        logins_in_herd = tokens_issued(server) - tokens_before
        done = [h for h in herd if h is not None]
        herd_s = max(h[1] for h in done) - start_at if done else float("nan")
        herd_p50, herd_p95 = (
            statistics.median([h[0] for h in done] or [0]),
            p95([h[0] for h in done]),
        )
        print(
            f"  herd: {len(done)}/{len(herd)} first syncs in {herd_s:.1f} s (p50 {herd_p50:.1f} s, "
            f"p95 {herd_p95:.1f} s; alone {solo_first_s:.2f} s: {herd_s / solo_first_s:.1f}x one, "
            f"{herd_s / (solo_first_s * len(herd)):.2f}x of {len(herd)} in a row); "
            f"{logins_in_herd} logins during it",
            flush=True,
        )
        before = cpu()
        loop_started = time.perf_counter()
        office_times, office_failures, steady = timed_office(
            office, names, lambda: fleet.all("steady", time.time() + size.steady_s)
        )
        loop_s = time.perf_counter() - loop_started
        after = cpu()
        runs = [s for s in steady if s is not None]
        syncs = sum(len(s["times"]) for s in runs)
        sync_times = [x for s in runs for x in s["times"]]
        pulled = [x for s in runs for x in s["pulled"]]
        server_ms = 1000 * (after[0] - before[0]) / max(syncs, 1)
        pg_ms = 1000 * (after[1] - before[1]) / max(syncs, 1)
        office_p95 = 1000 * p95([x for _, x in office_times])
        quiet_p95 = 1000 * p95([x for _, x in quiet_office])
        print(
            f"  steady: {syncs} syncs in {loop_s:.0f} s = {syncs / loop_s:.1f}/s (p50 "
            f"{statistics.median(sync_times or [0]):.3f} s, p95 {p95(sync_times):.3f} s, pulled "
            f"p50 {statistics.median(pulled or [0]):.0f} rows); server {server_ms:.1f} ms/sync "
            f"(+{pg_ms:.1f} ms PostgreSQL; alone {solo_ms:.1f}: {ratio(server_ms, solo_ms)}); "
            f"office p95 {office_p95:.0f} ms over {len(office_times)} requests (alone "
            f"{quiet_p95:.0f} ms: {ratio(office_p95, quiet_p95)}; p95 by request "
            f"{kinds_p95_ms(office_times)}, alone {kinds_p95_ms(quiet_office)})",
            flush=True,
        )
        fleet.all("settle")
        reports = fleet.all("report")
        held, mutations, problem = exactly_once(server, reports)
        replicas = fleet.all("replicas", db_url)
        unequal = [r for r in replicas if r["diff"]]
        errors = sum(len(r["errors"]) for r in reports) + office_failures
        errors += sum(1 for h in herd if h is None) + sum(1 for s in steady if s is None)
        print(
            f"  invariants: {mutations} mutations, exactly once "
            f"{'held' if held else 'BROKEN: ' + problem}; "
            f"{len(replicas) - len(unequal)}/{len(replicas)} replicas equal the center's view"
            + (
                f" (first difference: {unequal[0]['engineer']} {unequal[0]['diff'][:2]})"
                if unequal
                else ""
            )
            + f"; {errors} errors",
            flush=True,
        )
        for rep in reports:
            for error in rep["errors"][:1]:
                print(f"    {rep['engineer']}: {error.strip().splitlines()[-1]}")
    finally:
        fleet.close()
        solo.ctx.db.close()
    log = (server.data_dir / "server.log").read_text(errors="replace")
    return {
        "engineers": len(names),
        "devices": len(devices),
        "herd_s": round(herd_s, 1),
        "herd_p95_s": round(herd_p95, 1),
        "herd_p50_s": round(herd_p50, 1),
        "solo_first_sync_s": round(solo_first_s, 2),
        "herd_logins": logins_in_herd,
        "steady_syncs_per_s": round(syncs / loop_s, 1),
        "server_ms_per_sync": round(server_ms, 1),
        "pg_ms_per_sync": round(pg_ms, 1),
        "solo_server_ms_per_sync": round(solo_ms, 1),
        "office_p95_ms": round(office_p95),
        "office_quiet_p95_ms": round(quiet_p95),
        "office_p95_ms_by_request": kinds_p95_ms(office_times),
        "errors": errors,
        "locked_in_log": log.count("database is locked"),
        "mutations": mutations,
        "exactly_once": held,
        "replicas_equal": not unequal,
    }


def met(kind: str, r: dict[str, Any], size: Size) -> bool:
    ok = (
        r["server_ms_per_sync"] <= MS_PER_SYNC_GOAL
        and r["office_p95_ms"] < OFFICE_P95_GOAL_MS
        and r["errors"] == 0
        and r["exactly_once"]
        and r["replicas_equal"]
    )
    return ok and (not size.full or r["herd_s"] <= HERD_GOAL[kind])


def run(quick: bool = False, argv: Sequence[str] = ()) -> bool:
    parser = argparse.ArgumentParser(prog="bench center")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--full", action="store_true", help="20,000 jobs, 200 engineers")
    parser.add_argument("--engineers", type=int, help="engineers (one tablet each)")
    parser.add_argument("--devices-per-site", type=int)
    parser.add_argument("--steady-s", type=float)
    args = parser.parse_args(list(argv))
    size = QUICK if quick else FULL if args.full else Size()
    for name in ("engineers", "devices_per_site", "steady_s"):
        if getattr(args, name) is not None:
            size = replace(size, **{name: getattr(args, name)})
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    keyring.set_keyring(MemoryKeyring())
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="fk-bench-center-") as tmp:
        for kind in kinds:
            print(
                f"center bench ({kind}): {size.engineers} engineers x {size.jobs_per_engineer} "
                f"jobs, {size.sites_per_engineer} sites each, {size.devices_per_site} devices a "
                f"site; {size.engineers} tablets; {size.steady_s:.0f} s steady loop",
                flush=True,
            )
            results[kind] = measure(kind, size, Path(tmp) / kind)
    ok = all(met(kind, r, size) for kind, r in results.items())
    if not size.full:
        print("  (the herd goal is for 200 tablets: judged with --full only)")
    print("  MET" if ok else "  NOT MET")
    main = results.get("postgresql") or results["sqlite"]
    print(
        json.dumps(
            {
                "bench": "center",
                **{k: main[k] for k in main},
                "database": "postgresql" if "postgresql" in results else "sqlite",
                **{f"{kind}_{k}": v for kind, r in results.items() for k, v in r.items()},
            }
        )
    )
    return ok
