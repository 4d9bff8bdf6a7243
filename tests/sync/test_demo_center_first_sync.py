"""`make run` on a fresh folder: the local demo center seeds itself and the app logs in as
the demo engineer. The center and the device must agree from the first sync: nothing to
send, nothing refused, no conflict on either side, every pulled slip renders and verifies,
and the center holds each demo job's assignment as if its office had dispatched it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import create_engine, func, select

from fieldkit.domain.clock import SystemClock
from fieldkit.server import tables as t
from fieldkit.services import conflicts, documents
from fieldkit.services.context import open_context
from fieldkit.store import models as m
from fieldkit.sync import embedded, session
from fieldkit.sync.engine import SyncEngine


def test_the_demo_engineers_first_sync_pushes_nothing_and_meets_no_conflict(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "service-center"
    server = embedded.start(folder)  # what `make run` starts: seeded on first use
    ctx = open_context(tmp_path / "app", embedded.DEMO_USER, SystemClock())
    try:
        session.login(ctx, server.url, embedded.DEMO_USER, embedded.DEMO_PASSWORD, demo_center=True)
        with session.connect(ctx) as transport:
            first = SyncEngine(ctx, transport).run()
            again = SyncEngine(ctx, transport).run()
        assert first is not None and again is not None
        assert first.pulled > 0
        assert (first.pushed, first.rejected, first.rejections) == (0, 0, [])
        assert (again.pushed, again.rejected, again.pulled) == (0, 0, 0)
        assert conflicts.inbox(ctx) == []
        with ctx.db.read() as s:
            waiting = s.scalar(
                select(func.count())
                .select_from(m.OutboxMutation)
                .where(m.OutboxMutation.state != "acked")
            )
            slips = [(r.id, r.number) for r in s.scalars(select(m.Slip))]
            jobs = {r.id: r.assigned_engineer for r in s.scalars(select(m.Job))}
        assert waiting == 0
        assert slips, "the demo engineer has signed slips"
        for slip_id, number in slips:
            pdf = tmp_path / f"{number}.pdf"
            pdf.write_bytes(ctx.blobs.read_bytes(documents.slip_pdf(ctx, slip_id)))
            text = subprocess.run(
                ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
            ).stdout
            assert number in text and "+08:00" in text
            assert documents.verify_pdf(ctx, pdf).verdict.value == "valid"
    finally:
        ctx.db.close()
        server.stop()
    engine = create_engine(f"sqlite:///{folder / 'server.db'}")
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.conflicts)) == 0
        held = dict(
            conn.execute(
                select(t.job_assignments.c.job_id, t.job_assignments.c.engineer).where(
                    t.job_assignments.c.job_id.in_(jobs)
                )
            ).all()
        )
        events = conn.scalar(
            select(func.count())
            .select_from(t.job_events)
            .where(t.job_events.c.job_id.in_(jobs), t.job_events.c.action == "assign")
        )
    engine.dispose()
    assert held == jobs  # each job assigned to its engineer, on record at the center
    assert events == len(jobs)
