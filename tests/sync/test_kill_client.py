"""A client process killed with SIGKILL in the middle of syncing, again and again."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from fieldkit.services import checklists, jobs
from fieldkit.store import models as m
from fieldkit.sync import session
from tests.support.server import ROOT, Client, Office, Server, make_client

KILLS = int(os.environ.get("FIELDKIT_KILL_ROUNDS", "8"))


def sync_process(client: Client) -> subprocess.Popen[bytes]:
    acct = session.account(client.ctx)
    assert acct is not None
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHON_KEYRING_BACKEND": "tests.support.keyrings.EnvKeyring",
        "FIELDKIT_TEST_TOKEN": session.credentials().load(acct.server_url, acct.username) or "",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "fieldkit", "--data-dir", str(client.ctx.db.path.parent), "sync"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_client_killed_mid_sync_resumes_and_loses_nothing(
    server: Server, office: Office, wang: Client, tmp_path: Path
) -> None:
    rng = random.Random(9)
    job = office.new_job("wang")
    wang.sync()
    jobs.accept_job(wang.ctx, job)
    jobs.depart(wang.ctx, job)
    jobs.record_arrival(wang.ctx, job, "王主管")
    jobs.start_diagnosis(wang.ctx, job)
    view = checklists.backup_checklist(wang.ctx, job)
    assert view is not None
    for item in view.items:
        kind = item.evidence_kind.value
        path = tmp_path / f"{item.id}.bin"
        path.write_bytes(os.urandom(3 * 1024 * 1024))  # several chunks: kills land mid-upload
        checklists.record_evidence(
            wang.ctx,
            item.id,
            ticked=kind == "tick",
            text="v" if kind == "text" else "",
            file=path if kind in ("file", "photo") else None,
        )
    for i in range(150):
        jobs.add_note(wang.ctx, job, f"记录 {i}")
    killed = 0
    for _ in range(KILLS):
        proc = sync_process(wang)
        time.sleep(rng.uniform(0.3, 2.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.communicate(timeout=60)
        assert wang.ctx.db.integrity_check() == "ok"
        for leftover in (wang.ctx.db.path.parent / "blobs" / "tmp").glob("incoming-*"):
            leftover.unlink()  # what the next app start does (BlobStore.clean_temp)
    assert killed >= KILLS // 2  # most runs really died mid-way
    final = sync_process(wang)
    _, err = final.communicate(timeout=120)
    assert final.returncode == 0, err.decode()
    with wang.ctx.db.read() as s:
        states = Counter(s.scalars(select(m.OutboxMutation.state)))
        assert states == Counter({"acked": sum(states.values())})
        last_seq = s.scalar(select(m.LocalDevice.next_seq)) - 1
    engine = server.engine()
    from fieldkit.server import tables as t

    with engine.connect() as conn:
        notes = Counter(
            conn.scalars(
                select(t.ENTITY["work_log"].c.note).where(
                    t.ENTITY["work_log"].c.job_id == job, t.ENTITY["work_log"].c.kind == "note"
                )
            )
        )
        processed = conn.scalar(
            select(t.client_devices.c.last_seq).where(
                t.client_devices.c.device_id == wang.ctx.device_id
            )
        )
        blobs = list(conn.execute(select(t.blobs.c.sha256, t.blobs.c.complete)))
    engine.dispose()
    assert notes == Counter({f"记录 {i}": 1 for i in range(150)})  # each exactly once
    assert processed == last_seq
    assert all(complete for _, complete in blobs)
    probe = make_client(server.url, "wang", tmp_path / "probe")
    probe.sync()
    assert probe.replica() == wang.replica()
    for sha in probe.ctx.blobs:
        assert probe.ctx.blobs.verify(sha)
    probe.close()
