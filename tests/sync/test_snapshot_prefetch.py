"""The client fetches the next pull page while it applies the current one, and commits pulled
pages without an fsync (the center sends a lost page again). Neither may weaken exactly-once:
a client process killed mid-snapshot, again and again, resumes from the cursor it stored -
which never runs ahead of the rows it applied - and ends with the center's view, every change
it made applied once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from fieldkit.server import tables as t
from fieldkit.server.changes import pull_snapshot
from fieldkit.services import jobs
from fieldkit.store import models as m
from fieldkit.store.database import open_database
from fieldkit.sync import apply as apply_module
from fieldkit.sync import engine as engine_module
from fieldkit.sync import session
from fieldkit.sync.transport import Transport
from tests.support.server import (
    ROOT,
    Client,
    Office,
    Server,
    make_client,
    server_cmd,
    start_server,
)

PAGE = 100  # small pages: many page boundaries for a kill to land between
CLIENT = (
    "import sys\n"
    "from fieldkit.sync import engine\n"
    f"engine.PAGE = {PAGE}\n"
    "from fieldkit.cli import main\n"
    "sys.exit(main(['--data-dir', sys.argv[1], 'sync']))\n"
)


@pytest.fixture(scope="module")
def center_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("prefetch-center")
    subprocess.run(
        server_cmd(folder, "seed-demo", "--jobs", "150", "--devices-per-site", "20"),
        check=True,
        capture_output=True,
        timeout=300,
    )
    return folder


@pytest.fixture
def center(center_template: Path, tmp_path: Path) -> Iterator[Server]:
    import shutil

    folder = tmp_path / "center"
    shutil.copytree(center_template, folder, ignore=shutil.ignore_patterns("server.log"))
    server = start_server(folder)
    yield server
    server.stop()


def test_the_next_page_is_asked_for_while_this_one_applies(
    center: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client(center.url, "wang", tmp_path / "wang")
    monkeypatch.setattr(engine_module, "PAGE", PAGE)
    asked = [0]  # pull requests sent so far
    sent = threading.Condition()
    overlapped: list[bool] = []
    original_get = Transport.get_model
    original_apply = apply_module.apply_page

    def get_model(self: Transport, path: str, model: Any, **kw: Any) -> Any:
        if path == "/sync/pull":
            with sent:
                asked[0] += 1
                sent.notify_all()
        return original_get(self, path, model, **kw)

    def apply_page(*args: Any, **kw: Any) -> int:
        page = len(overlapped) + 1
        # The request for the page after this one goes out while this one is applied.
        with sent:
            overlapped.append(sent.wait_for(lambda: asked[0] > page, 5.0))
        return original_apply(*args, **kw)

    monkeypatch.setattr(Transport, "get_model", get_model)
    monkeypatch.setattr(engine_module, "apply_page", apply_page)
    client.sync()
    # Every page but the last (nothing after it to fetch) had its successor in flight.
    assert len(overlapped) > 10
    assert all(overlapped[:-1]), overlapped
    assert not overlapped[-1]
    probe = make_client(center.url, "wang", tmp_path / "probe")
    monkeypatch.setattr(engine_module, "apply_page", original_apply)
    monkeypatch.setattr(Transport, "get_model", original_get)
    probe.sync()
    assert client.replica() == probe.replica()
    client.close()
    probe.close()


def test_pulled_pages_skip_the_fsync_and_nothing_else_does(tmp_path: Path) -> None:
    db = open_database(tmp_path / "store.db")
    levels = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}

    def level(durable: bool) -> str:
        with db.write(durable=durable) as s:
            return levels[int(s.connection().exec_driver_sql("PRAGMA synchronous").scalar_one())]

    assert level(True) == "FULL"
    assert level(False) == "NORMAL"
    assert level(True) == "FULL"  # the pooled connection does not keep the relaxed level
    with db.read() as s:
        assert s.connection().exec_driver_sql("PRAGMA synchronous").scalar_one() == 2
    db.close()


def token_of(client: Client) -> str:
    acct = session.account(client.ctx)
    assert acct is not None
    return session.credentials().load(acct.server_url, acct.username) or ""


def sync_process(client: Client, token: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "PYTHON_KEYRING_BACKEND": "tests.support.keyrings.EnvKeyring",
        "FIELDKIT_TEST_TOKEN": token,
    }
    return subprocess.Popen(
        [sys.executable, "-c", CLIENT, str(client.ctx.db.path.parent)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stored_cursor(client: Client) -> tuple[int, str | None]:
    with client.ctx.db.read() as s:
        row = s.get(m.SyncCursor, "main")
        return (row.cursor, row.snapshot) if row is not None else (0, None)


def rows_before(center: Server, token: str) -> set[tuple[str, str]]:
    """What the center's snapshot sent up to ``token`` (the same pages the client asked for)."""
    engine = center.engine()
    got: set[tuple[str, str]] = set()
    try:
        with engine.connect() as conn:
            at: str | None = None
            for _ in range(10_000):
                changes, at, _ = pull_snapshot(conn, "wang", at, PAGE)
                got |= {(c.entity_type, c.entity_id) for c in changes}
                if at is None or at == token:
                    break
            assert at == token, "the stored token is not one the center's walk passes"
    finally:
        engine.dispose()
    return got


def kill_mid_snapshot(center: Server, client: Client, token: str, rounds: int, seed: int) -> int:
    """Start syncs and kill each while it pages a snapshot; after each kill the stored
    snapshot token covers no row the store lacks. Returns how many died mid-snapshot."""
    rng = random.Random(seed)
    killed = 0
    for _ in range(rounds):
        proc = sync_process(client, token)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if stored_cursor(client)[1] is not None:
                time.sleep(rng.uniform(0.0, 0.4))
                break
            time.sleep(0.02)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.communicate(timeout=60)
        assert client.ctx.db.integrity_check() == "ok"
        _, token = stored_cursor(client)
        if token is not None:
            have = set(client.replica())
            missing = rows_before(center, token) - have
            assert not missing, f"the cursor ran ahead of applied rows: {sorted(missing)[:3]}"
    return killed


def test_a_client_killed_mid_snapshot_resumes_with_nothing_lost_or_doubled(
    center: Server, tmp_path: Path
) -> None:
    wang = make_client(center.url, "wang", tmp_path / "wang")
    token = token_of(wang)  # the probe's login below stores its own under the same name
    assert kill_mid_snapshot(center, wang, token, rounds=6, seed=3) >= 4
    final = sync_process(wang, token)
    _, err = final.communicate(timeout=120)
    assert final.returncode == 0, err.decode()
    assert stored_cursor(wang)[1] is None
    probe = make_client(center.url, "wang", tmp_path / "probe")
    probe.sync()
    assert wang.replica() == probe.replica()

    # Work on the tablet, then the center prunes its log: the next sync pushes the work and
    # re-reads the whole scope (a reset snapshot), killed again and again on the way.
    office = Office(center.url)
    mine = [j["id"] for j in office.jobs("wang")]
    for i in range(60):
        jobs.add_note(wang.ctx, mine[i % len(mine)], f"离线记录 {i}")
    office.call("PATCH", f"/dispatch/jobs/{mine[0]}", json={"severity": 1})
    assert center.admin("prune-changes", "--days", "0").returncode == 0
    assert kill_mid_snapshot(center, wang, token, rounds=4, seed=5) >= 2
    final = sync_process(wang, token)
    _, err = final.communicate(timeout=120)
    assert final.returncode == 0, err.decode()
    with wang.ctx.db.read() as s:
        states = Counter(s.scalars(select(m.OutboxMutation.state)))
    assert states == Counter({"acked": sum(states.values())})
    engine = center.engine()
    wl = t.ENTITY["work_log"].c
    with engine.connect() as conn:
        notes = Counter(conn.scalars(select(wl.note).where(wl.note.like("离线记录 %"))))
    engine.dispose()
    assert notes == Counter({f"离线记录 {i}": 1 for i in range(60)})  # each exactly once
    probe.sync()
    assert wang.replica() == probe.replica()
    wang.close()
    probe.close()
