"""SQLite has one writer. Pushes waiting for the write lock must not take every request thread
of the center: while the lock is held and many pushes queue, the office's reads still answer
at once; the queued pushes answer 200 or 503 with Retry-After (never 500), and the change
they carry is applied exactly once."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from fieldkit.protocol.wire import PushRequest
from fieldkit.server import tables as t
from fieldkit.services import jobs
from fieldkit.store import models as m
from fieldkit.sync import session
from fieldkit.sync.engine import wire_mutation
from tests.support.server import Office, Server, make_client, seed, start_server

QUEUED = 60  # more than the center's 40 request threads


@pytest.fixture
def center(tmp_path: Path) -> Iterator[Server]:
    seed(tmp_path / "center")
    server = start_server(tmp_path / "center")
    yield server
    server.stop()


def test_reads_answer_while_pushes_queue_for_the_write_lock(center: Server, tmp_path: Path) -> None:
    office = Office(center.url)
    wang = make_client(center.url, "wang", tmp_path / "wang")
    wang.sync()
    job = office.jobs("wang")[0]["id"]
    jobs.add_note(wang.ctx, job, "排队的记录 queued note")
    with wang.ctx.db.read() as s:
        (x,) = s.scalars(select(m.OutboxMutation))
        body = PushRequest(
            device_time=x.created_at.isoformat(),
            mutations=[wire_mutation(x)],
        ).model_dump(mode="json")
    acct = session.account(wang.ctx)
    assert acct is not None
    token = session.credentials().load(acct.server_url, acct.username)
    codes: list[int] = []

    def push() -> None:
        reply = requests.post(
            center.url + "/sync/push",
            json=body,
            headers={"Authorization": f"Bearer {token}", "Connection": "close"},
            timeout=60,
        )
        if reply.status_code == 503:
            assert reply.headers.get("Retry-After")
        codes.append(reply.status_code)

    lock = sqlite3.connect(center.data_dir / "server.db", isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # another writer holds the lock (a long push, a backup)
    threads = [threading.Thread(target=push) for _ in range(QUEUED)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(2.0)  # every push has arrived and waits
        started = time.perf_counter()
        listed = office.jobs("wang")
        escalations = office.call("GET", "/dispatch/escalations")
        took = time.perf_counter() - started
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    for thread in threads:
        thread.join(90)
    assert listed and isinstance(escalations, list)
    assert took < 3.0, f"the office waited {took:.1f} s behind queued pushes"
    assert set(codes) <= {200, 503} and 200 in codes, Counter(codes)
    wang.sync()  # whatever was turned away goes now
    engine = center.engine()
    wl, pm = t.ENTITY["work_log"].c, t.processed_mutations.c
    with engine.connect() as conn:
        notes = conn.scalar(
            select(func.count()).where(wl.note == "排队的记录 queued note", wl.job_id == job)
        )
        processed = conn.scalar(
            select(func.count()).where(pm.mutation_id == body["mutations"][0]["mutation_id"])
        )
    engine.dispose()
    assert (notes, processed) == (1, 1)
    wang.close()
