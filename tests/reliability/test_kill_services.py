"""A process writing through the services layer is killed with SIGKILL at random points, again
and again. After every kill: the data file passes PRAGMA integrity_check, every change the
process reported committed is there with its outbox row, no partial file became a visible
blob (each blob's content matches its name), and the app's store opens normally.

Rounds: FIELDKIT_KILL_SERVICE_ROUNDS (default 30 in `make test`; e.g. 500 for a soak).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from fieldkit.domain.clock import SystemClock
from fieldkit.services import checklists, jobs
from fieldkit.services.context import ServiceContext, open_context
from fieldkit.store import models as m
from tests.services.fixtures import seed_job
from tests.support.server import ROOT

ROUNDS = int(os.environ.get("FIELDKIT_KILL_SERVICE_ROUNDS", "30"))


def prepare(data: Path) -> tuple[str, str]:
    ctx = open_context(data, "eng-wang", SystemClock())
    try:
        seed_job(ctx, status="assigned")
        jobs.accept_job(ctx, "j1")
        jobs.depart(ctx, "j1")
        jobs.record_arrival(ctx, "j1", "王主管")
        jobs.start_diagnosis(ctx, "j1")
        view = checklists.backup_checklist(ctx, "j1")
        assert view is not None
        return "j1", view.items[0].id
    finally:
        ctx.db.close()


def check(ctx: ServiceContext, reported: set[str]) -> int:
    assert ctx.db.integrity_check() == "ok"
    with ctx.db.read() as session:
        outbox = set(session.scalars(select(m.OutboxMutation.mutation_id)))
        missing = reported - outbox
        assert not missing, f"{len(missing)} committed changes lost"
        notes = session.scalar(select(func.count()).select_from(m.WorkLogEntry)) or 0
    for sha in ctx.blobs:
        assert ctx.blobs.verify(sha), f"blob {sha} does not match its content"
    return notes


def test_sigkill_at_random_points_loses_no_committed_change(tmp_path: Path) -> None:
    data, scratch = tmp_path / "data", tmp_path / "scratch"
    scratch.mkdir()
    job_id, item_id = prepare(data)
    rng = random.Random(int(os.environ.get("FIELDKIT_KILL_SEED", "7")))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    reported: set[str] = set()
    kills = 0
    deadline = time.monotonic() + max(60.0, ROUNDS * 3.0)  # bounded, whatever the machine
    while kills < ROUNDS and time.monotonic() < deadline:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.reliability.writer",
                str(data),
                job_id,
                item_id,
                str(scratch),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        first = proc.stdout.readline()  # "ready": started; every kill lands in the write loop
        assert first.strip() == "ready", proc.stderr.read() if proc.stderr else ""
        time.sleep(rng.uniform(0.0, 0.4))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL, err[-2000:]
        for line in out.splitlines():
            if line.startswith("committed "):
                reported.update(line.split()[1:])
        kills += 1
        ctx = open_context(data, "eng-wang", SystemClock())  # the app starts normally
        try:
            check(ctx, reported)
        finally:
            ctx.db.close()
    assert kills >= min(ROUNDS, 10), f"only {kills} kills in the time bound"
    ctx = open_context(data, "eng-wang", SystemClock())
    try:
        notes = check(ctx, reported)
        # The kills landed while writing: the process got real work done between them.
        assert len(reported) > kills and notes > 0
        print(f"\n{kills} SIGKILLs, {len(reported)} committed changes reported, all present")
    finally:
        ctx.db.close()
