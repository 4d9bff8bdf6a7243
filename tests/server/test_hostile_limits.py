"""Resource limits and hardening of the service center against a hostile device or a
stranger (security review H2, H3, H4, M6, M10, L1, L4), in-process over a real SQLite file."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from fieldkit.server import auth, database
from fieldkit.server import tables as t
from fieldkit.server.blobstore import ServerBlobs
from tests.server.inproc import Center, login, open_center, token
from tests.support.server import PASSWORD, server_cmd

MiB = 1 << 20


@pytest.fixture
def center(seeded_center: Path, tmp_path: Path) -> Iterator[Center]:
    """This module's center: the seeded demo data set, in process."""
    yield from open_center(seeded_center, tmp_path)


def chunked(total: int, block: int = MiB) -> Iterator[bytes]:
    """A JSON login body of ``total`` bytes sent without Content-Length (chunked)."""
    yield b'{"username": "'
    sent = 0
    while sent < total:
        yield b"a" * block
        sent += block
    yield b'", "password": "x", "device_id": "d"}'


# -- H2 ------------------------------------------------------------------------------------
def test_h2_chunked_body_is_cut_at_limit_inprocess(center: Center) -> None:
    client = center.client()
    read = 0

    def counting() -> Iterator[bytes]:
        nonlocal read
        for block in chunked(40 * MiB):
            read += len(block)
            yield block

    reply = client.post("/auth/login", content=counting())
    assert reply.status_code == 413 and reply.json()["code"] == "request.too_large"
    # A body with an honest Content-Length over the limit is refused before it is read.
    big = client.post("/auth/login", content=b"x" * (33 * MiB))
    assert big.status_code == 413 and big.json()["code"] == "request.too_large"


def test_h2_blob_chunk_is_cut_at_9_mib(center: Center) -> None:
    client = center.client()
    headers = token(client, "wang")
    sha = "ab" * 32

    def body() -> Iterator[bytes]:
        for _ in range(12):
            yield b"z" * MiB

    reply = client.patch(
        f"/blobs/{sha}",
        content=body(),
        headers={**headers, "Upload-Offset": "0", "Upload-Length": str(12 * MiB)},
    )
    assert reply.status_code == 413 and reply.json()["code"] == "request.too_large"


# -- H3 ------------------------------------------------------------------------------------
def hold_write_lock(center: Center) -> sqlite3.Connection:
    raw = sqlite3.connect(center.folder / "server.db", isolation_level=None)
    raw.execute("BEGIN IMMEDIATE")
    return raw


def test_h3_reads_take_no_write_lock_and_a_blocked_writer_gets_503(
    center: Center, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "LOCK_WAIT_MS", 300, raising=False)
    center.engine.dispose()
    center.engine = database.create_server_engine(center.settings.database_url)
    client = center.client()
    headers = token(client, "wang")
    raw = hold_write_lock(center)  # a long push, a migration, a stuck writer
    try:
        started = time.monotonic()
        pull = client.get("/sync/pull", headers=headers)
        assert pull.status_code == 200, pull.text  # a read does not wait for the writer
        assert time.monotonic() - started < 5
        logout = client.post("/auth/logout", headers=headers)  # a writer
        assert logout.status_code == 503, logout.text
        assert logout.json()["code"] == "server.busy"
        assert int(logout.headers["Retry-After"]) >= 1
        # A login cannot record its attempt while the lock is held: 503, not 500.
        blocked = login(client, "li")
        assert blocked.status_code == 503 and "Retry-After" in blocked.headers
    finally:
        raw.rollback()
        raw.close()
    assert login(client, "li").status_code == 200


def test_h3_password_checks_run_in_a_bounded_pool_with_a_deadline(
    center: Center, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = center.app(login_verifiers=2, login_queue_seconds=0.4)
    active, peak = 0, 0
    real = auth.verify_password

    def counted(user: object, password: str) -> bool:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        try:
            return real(user, password)  # type: ignore[arg-type]
        finally:
            active -= 1

    monkeypatch.setattr(auth, "verify_password", counted)

    async def burst() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, client=("198.51.100.1", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://center") as http:
            return await asyncio.gather(
                *(
                    http.post(
                        "/auth/login",
                        json={
                            "username": f"nobody{i}",
                            "password": "x",
                            "device_id": str(uuid.uuid4()),
                        },
                    )
                    for i in range(12)
                )
            )

    replies = asyncio.run(burst())
    codes = sorted(r.status_code for r in replies)
    assert peak <= 2
    assert set(codes) <= {401, 503} and 503 in codes and 401 in codes, codes
    busy = next(r for r in replies if r.status_code == 503)
    assert busy.json()["code"] == "server.busy" and int(busy.headers["Retry-After"]) > 0
    # Logins turned away by the queue were never counted as failed attempts.
    with center.engine.connect() as conn:
        counted_attempts = conn.scalar(select(func.count()).select_from(t.login_attempts))
    assert counted_attempts == codes.count(401)


# -- H4 ------------------------------------------------------------------------------------
def test_h4_bytes_for_an_undeclared_hash_are_refused(center: Center) -> None:
    client = center.client()
    headers = token(client, "wang")
    junk = hashlib.sha256(b"made up").hexdigest()
    reply = client.patch(
        f"/blobs/{junk}",
        content=os.urandom(MiB),
        headers={**headers, "Upload-Offset": "0", "Upload-Length": str(2 << 30)},
    )
    assert reply.status_code == 409 and reply.json()["code"] == "blob.undeclared"
    assert list((center.folder / "blobs" / "partial").iterdir()) == []


def test_h4_per_user_caps_on_open_uploads_and_partial_bytes(center: Center) -> None:
    client = center.client(max_open_uploads=3, max_partial_bytes=64 * MiB)
    wang, li = token(client, "wang"), token(client, "li")
    shas = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(5)]
    # 20 MiB each: the third fits, a fourth would pass the 64 MiB of unfinished bytes.
    for sha in shas[:3]:
        ok = client.post(f"/blobs/{sha}/declare", json={"size": 20 * MiB}, headers=wang)
        assert ok.status_code == 200, ok.text
    over = client.post(f"/blobs/{shas[3]}/declare", json={"size": 5 * MiB}, headers=wang)
    assert over.status_code == 429 and over.json()["code"] == "blob.too_many_uploads"
    big = client.post(f"/blobs/{shas[3]}/declare", json={"size": 2 << 30}, headers=li)
    assert big.status_code == 413 and big.json()["code"] == "blob.quota"
    # The caps are per user: li still may upload.
    mine = client.post(f"/blobs/{shas[4]}/declare", json={"size": 10}, headers=li)
    assert mine.status_code == 200
    # Bytes for wang's declared hash arrive; bytes past its declared length do not.
    first = client.patch(
        f"/blobs/{shas[0]}",
        content=b"x" * MiB,
        headers={**wang, "Upload-Offset": "0", "Upload-Length": str(20 * MiB)},
    )
    assert first.status_code == 200 and first.json()["offset"] == MiB
    lie = client.patch(
        f"/blobs/{shas[0]}",
        content=b"x",
        headers={**wang, "Upload-Offset": str(MiB), "Upload-Length": str(2 << 30)},
    )
    assert lie.status_code == 409 and lie.json()["code"] == "blob.length"
    # li did not declare wang's hash: no bytes from li for it.
    other = client.patch(
        f"/blobs/{shas[1]}",
        content=b"x",
        headers={**li, "Upload-Offset": "0", "Upload-Length": str(20 * MiB)},
    )
    assert other.status_code == 409 and other.json()["code"] == "blob.undeclared"


def test_h4_janitor_deletes_stale_partials_and_declarations(center: Center) -> None:
    client = center.client()
    headers = token(client, "wang")
    stale, fresh = (hashlib.sha256(x).hexdigest() for x in (b"stale", b"fresh"))
    for sha in (stale, fresh):
        client.post(f"/blobs/{sha}/declare", json={"size": 10 * MiB}, headers=headers)
        reply = client.patch(
            f"/blobs/{sha}",
            content=b"y" * MiB,
            headers={**headers, "Upload-Offset": "0", "Upload-Length": str(10 * MiB)},
        )
        assert reply.status_code == 200
    partial = center.folder / "blobs" / "partial"
    two_days_ago = time.time() - 2 * 86400
    os.utime(partial / stale, (two_days_ago, two_days_ago))
    with center.engine.begin() as conn:
        conn.execute(
            t.blob_uploads.update()
            .where(t.blob_uploads.c.sha256 == stale)
            .values(declared_at=datetime.now(UTC) - timedelta(days=2))
        )
    # The command-line janitor (what cron or an operator runs) ...
    done = subprocess.run(
        server_cmd(center.folder, "sweep-blobs"), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "removed 1" in done.stdout
    assert sorted(p.name for p in partial.iterdir()) == [fresh]
    with center.engine.connect() as conn:
        declared = conn.scalars(select(t.blob_uploads.c.sha256)).all()
    assert declared == [fresh]
    # ... and the server's own, at start and every hour.
    os.utime(partial / fresh, (two_days_ago, two_days_ago))
    with center.client() as started:  # the lifespan runs the first sweep
        deadline = time.monotonic() + 10
        while (partial / fresh).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert started.get("/health").status_code == 200
    assert not (partial / fresh).exists()


# -- M6 (SQLite; PostgreSQL in test_hostile_limits_pg.py) ----------------------------------
def test_m6_guesses_from_one_address_do_not_lock_the_account_elsewhere(center: Center) -> None:
    app = center.app()
    attacker = center.client(app, source="203.0.113.7")
    for _ in range(5):
        assert login(attacker, "li", "wrong").status_code == 401
    blocked = login(attacker, "li", PASSWORD)
    assert blocked.status_code == 429 and blocked.json()["code"] == "auth.throttled"
    first_wait = int(blocked.headers["Retry-After"])
    assert 1 <= first_wait <= 15
    # li's own tablet, from another address, still logs in.
    tablet = center.client(app, source="10.20.0.5")
    assert login(tablet, "li", PASSWORD).status_code == 200
    # The office can lift the delay for the attacker's address too (e.g. a shared office
    # network); the account itself was never locked.
    office = center.client(app, source="10.20.0.9")
    unlocked = office.post("/dispatch/users/li/unlock", headers=token(office, "office"))
    assert unlocked.status_code == 200
    assert login(attacker, "li", PASSWORD).status_code == 200
    engineer = office.post("/dispatch/users/li/unlock", headers=token(office, "wang"))
    assert engineer.status_code == 403


def test_m6_delays_grow_instead_of_a_hard_lockout(center: Center) -> None:
    now = datetime.now(UTC)
    settings = center.settings
    with center.engine.begin() as conn:
        waits = []
        for _ in range(7):
            conn.execute(
                t.login_attempts.insert().values(
                    username="demo", remote="203.0.113.9", at=now, ok=False
                )
            )
            waits.append(auth.throttle_wait(conn, settings, now, "demo", "203.0.113.9"))
    assert waits[:4] == [0, 0, 0, 0]
    assert 0 < waits[4] < waits[5] < waits[6] <= settings.login_max_delay.total_seconds()


def test_m6_an_address_guessing_at_many_accounts_is_slowed(center: Center) -> None:
    client = center.client(source="203.0.113.50", login_source_failures=4)
    for i in range(4):
        assert login(client, f"user{i}", "wrong").status_code == 401
    assert login(client, "someone-else", "wrong").status_code == 429
    assert login(center.client(source="10.9.9.9"), "wang").status_code == 200


# -- M10 -----------------------------------------------------------------------------------
def _rchar() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def test_m10_completing_an_upload_does_not_reread_the_file(center: Center) -> None:
    blobs = ServerBlobs(center.settings.blob_dir, center.engine, 2 << 30)
    data = os.urandom(40 * MiB)
    sha = hashlib.sha256(data).hexdigest()
    blobs.declare(sha, len(data), "wang")
    step = 8 * MiB
    for offset in range(0, len(data) - step, step):
        done, _ = blobs.append(sha, offset, len(data), data[offset : offset + step], "wang")
        assert done is False
    part_inode = (blobs.partial / sha).stat().st_ino
    before = _rchar()
    complete, size = blobs.append(sha, len(data) - step, len(data), data[-step:], "wang")
    read = _rchar() - before
    assert complete and size == len(data)
    assert read < 4 * MiB, f"finishing read {read >> 20} MiB back"  # not the 40 MiB file
    final = blobs.store.path(sha)
    assert final.stat().st_ino == part_inode  # renamed into the store, not copied
    assert blobs.store.verify(sha)


def test_m10_upload_handler_keeps_the_event_loop_free(center: Center) -> None:
    app = center.app()
    with center.client(app) as client:
        headers = token(client, "wang")
    data = os.urandom(8 * MiB)
    sha = hashlib.sha256(data).hexdigest()

    async def run() -> float:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://center") as http:
            await http.post(f"/blobs/{sha}/declare", json={"size": len(data)}, headers=headers)
            gaps: list[float] = []
            done = asyncio.Event()

            async def ticker() -> None:
                last = time.monotonic()
                while not done.is_set():
                    await asyncio.sleep(0.005)
                    now = time.monotonic()
                    gaps.append(now - last)
                    last = now

            tick = asyncio.create_task(ticker())
            reply = await http.patch(
                f"/blobs/{sha}",
                content=data,
                headers={**headers, "Upload-Offset": "0", "Upload-Length": str(len(data))},
            )
            done.set()
            await tick
            assert reply.status_code == 200 and reply.json()["complete"]
            return max(gaps)

    # The chunk's fsync, hashing and publication run on a worker thread; the loop that
    # serves /health and every other request keeps ticking.
    worst = asyncio.run(run())
    assert worst < 0.25, f"event loop stalled {worst:.3f} s"


# -- L1 ------------------------------------------------------------------------------------
def test_l1_reachable_500s_are_clean_4xx(center: Center) -> None:
    client = center.client()
    wang = token(client, "wang")
    assert client.get("/sync/pull", params={"cursor": 2**63}, headers=wang).status_code == 422
    assert client.get("/sync/pull", params={"cursor": 2**63 - 1}, headers=wang).status_code == 200
    for bad in ("0|5|abc", "0|999|contract_sla", "1|0|contract_sla:x"):
        reply = client.get("/sync/pull", params={"snapshot": bad}, headers=wang)
        assert reply.status_code in (200, 400), (bad, reply.status_code)
        assert reply.status_code != 500
    reply = client.get("/sync/pull", params={"snapshot": "0|5|abc"}, headers=wang)
    assert reply.status_code == 400 and reply.json()["code"] == "sync.snapshot"
    data = b"0123456789abcdef" * 8
    sha = hashlib.sha256(data).hexdigest()
    client.post(f"/blobs/{sha}/declare", json={"size": len(data)}, headers=wang)
    client.patch(
        f"/blobs/{sha}",
        content=data,
        headers={**wang, "Upload-Offset": "0", "Upload-Length": str(len(data))},
    )
    backwards = client.get(f"/blobs/{sha}", headers={**wang, "Range": "bytes=10-5"})
    assert backwards.status_code == 416 and backwards.json()["code"] == "blob.range"
    office = token(client, "office")
    sites = client.get("/dispatch/sites", headers=office).json()
    site = sites[0]["id"]
    put = client.put(
        f"/dispatch/entities/sites/{site}",
        json={"id": site, "name": {"nested": "dict"}},
        headers=office,
    )
    assert put.status_code == 422 and put.json()["code"] == "entity.value"


# -- L4 ------------------------------------------------------------------------------------
def test_l4_api_description_only_in_debug(center: Center) -> None:
    quiet, debug = center.client(), center.client(debug=True)
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert quiet.get(path).status_code == 404
        assert debug.get(path).status_code == 200
    assert "/auth/login" in debug.get("/openapi.json").json()["paths"]


def test_l4_engine_errors_do_not_carry_sql_parameters(center: Center) -> None:
    secret = "SLIP-CANONICAL-TEXT-SECRET"
    with pytest.raises(IntegrityError) as caught, center.engine.begin() as conn:
        conn.execute(text("INSERT INTO users (username) VALUES (:u)"), {"u": secret})
    assert secret not in str(caught.value)


# -- issue 16: pool sizes ------------------------------------------------------------------
@pytest.mark.parametrize("workers", [1, 2, 4, 8, 16])
@pytest.mark.parametrize("max_connections", [20, 50, 100, 200, 500])
def test_pools_of_all_workers_fit_the_database_connection_limit(
    workers: int, max_connections: int
) -> None:
    size, overflow = database.pool_size(workers, max_connections)
    assert size >= 1 and overflow >= 0
    reserve = database.RESERVED_PG_CONNECTIONS
    assert workers * (size + overflow) <= max(max_connections - reserve, 2 * workers)
    if max_connections >= 200 and workers <= 4:
        assert size + overflow >= 20  # a big server is used, not left idle


@pytest.mark.parametrize(("workers", "per_process"), [("", 2), ("1", 2), ("2", 1), ("4", 1)])
def test_h3_password_checks_are_bounded_per_machine(
    workers: str, per_process: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from fieldkit.server.settings import load_server_settings

    monkeypatch.setenv("FIELDKIT_WORKERS", workers)
    monkeypatch.delenv("FIELDKIT_LOGIN_VERIFIERS", raising=False)
    assert load_server_settings(tmp_path).login_verifiers == per_process
