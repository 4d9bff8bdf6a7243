"""100 parallel bogus logins while engineers sync: the syncs' p95 must stay within 2x of its
quiet value, on SQLite and on PostgreSQL (security review H3, issue 16 cause 10).

Each round measures the quiet p95 (syncs alone) and then the p95 of syncs that run while a
burst of 100 logins with made-up user names and wrong passwords hits the center, each login
from its own address (X-Forwarded-For through a trusted proxy address, so the per-address
throttle does not turn them away: the bound on password checks is what is measured). Rounds
interleave quiet and burst phases; the figures are medians over the rounds.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import keyring
import requests
from tests.support.keyrings import MemoryKeyring
from tests.support.postgres import start_postgres
from tests.support.server import Client, Office, make_client, seed, start_server

from fieldkit.services import jobs

GOAL = 2.0
ENGINEERS = ("wang", "li", "demo")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def sync_loop(client: Client, job: str, stop: threading.Event, out: list[float]) -> None:
    """A steady sync: one note pushed, the change log pulled; its wall time recorded."""
    n = 0
    while not stop.is_set():
        n += 1
        jobs.add_note(client.ctx, job, f"bench note {n}")
        started = time.perf_counter()
        client.sync()
        out.append(time.perf_counter() - started)


def burst(url: str, count: int) -> dict[int, int]:
    start = threading.Barrier(count)

    def bogus(i: int) -> int:
        start.wait()
        try:
            return requests.post(
                url + "/auth/login",
                json={
                    "username": f"intruder-{uuid.uuid4().hex[:8]}",
                    "password": "guess",
                    "device_id": str(uuid.uuid4()),
                },
                headers={"X-Forwarded-For": f"198.51.{i // 250}.{i % 250 + 1}"},
                timeout=120,
            ).status_code
        except requests.RequestException:
            return 0

    with ThreadPoolExecutor(count) as pool:
        codes = list(pool.map(bogus, range(count)))
    return {code: codes.count(code) for code in sorted(set(codes))}


def phase(clients: list[tuple[Client, str]], seconds: float | None, logins: int, url: str) -> Any:
    stop = threading.Event()
    times: list[float] = []
    threads = [
        threading.Thread(target=sync_loop, args=(c, job, stop, times), daemon=True)
        for c, job in clients
    ]
    for thread in threads:
        thread.start()
    codes: dict[int, int] = {}
    started = time.perf_counter()
    if logins:
        time.sleep(0.5)  # syncs under way when the burst lands
        codes = burst(url, logins)
    else:
        time.sleep(seconds or 0)
    stop.set()
    for thread in threads:
        thread.join(120)
    return times, codes, time.perf_counter() - started


def measure(kind: str, rounds: int, logins: int, quiet_s: float, folder: Path) -> dict[str, Any]:
    pg = start_postgres() if kind == "postgresql" else None
    try:
        db = pg.url(pg.create_database()) if pg else None
        seed(folder / "center", jobs=24, db=db)
        extra = ("--forwarded-allow-ips", "127.0.0.1")
        if pg:
            extra += ("--workers", "2")
        server = start_server(folder / "center", db=db, serve_args=extra)
        try:
            office = Office(server.url)
            clients = []
            for name in ENGINEERS:
                client = make_client(server.url, name, folder / name)
                client.sync()
                clients.append((client, office.new_job(name)))
            for client, _ in clients:
                client.sync()
            quiet: list[float] = []
            loud: list[float] = []
            codes: dict[int, int] = {}
            burst_s: list[float] = []
            for _ in range(rounds):
                quiet += phase(clients, quiet_s, 0, server.url)[0]
                times, got, took = phase(clients, None, logins, server.url)
                loud += times
                burst_s.append(took)
                for code, n in got.items():
                    codes[code] = codes.get(code, 0) + n
            for client, _ in clients:
                client.close()
        finally:
            server.stop()
    finally:
        if pg:
            pg.stop()
    quiet_p95, loud_p95 = p95(quiet), p95(loud)
    return {
        "quiet_p95_s": round(quiet_p95, 3),
        "burst_p95_s": round(loud_p95, 3),
        "ratio": round(loud_p95 / quiet_p95, 2),
        "quiet_syncs": len(quiet),
        "burst_syncs": len(loud),
        "burst_s": round(statistics.median(burst_s), 1),
        "login_codes": {str(k): v for k, v in codes.items()},
    }


def run(quick: bool = False) -> bool:
    rounds, logins, quiet_s = (1, 20, 4.0) if quick else (2, 100, 10.0)
    keyring.set_keyring(MemoryKeyring())
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="fk-bench-logins-") as tmp:
        for kind in ("sqlite", "postgresql"):
            print(f"logins bench ({kind}): {rounds} round(s), bursts of {logins} bogus logins")
            results[kind] = r = measure(kind, rounds, logins, quiet_s, Path(tmp) / kind)
            print(
                f"  sync p95 quiet {r['quiet_p95_s']:.3f} s ({r['quiet_syncs']} syncs), "
                f"during the burst {r['burst_p95_s']:.3f} s ({r['burst_syncs']} syncs): "
                f"{r['ratio']:.2f}x; burst took {r['burst_s']} s; logins {r['login_codes']}"
            )
    met = all(r["ratio"] <= GOAL and "500" not in r["login_codes"] for r in results.values())
    print("  MET" if met else "  NOT MET")
    print(
        json.dumps(
            {
                "bench": "logins",
                "logins": logins,
                "rounds": rounds,
                "sqlite_ratio": results["sqlite"]["ratio"],
                "postgresql_ratio": results["postgresql"]["ratio"],
                "goal": GOAL,
                **{f"{k}_{f}": v for k, r in results.items() for f, v in r.items()},
            }
        )
    )
    return met
