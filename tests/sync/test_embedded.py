"""The local service center `make run` starts next to the app."""

from __future__ import annotations

from pathlib import Path

from fieldkit.domain.clock import SystemClock
from fieldkit.services import queries
from fieldkit.services.context import open_context
from fieldkit.sync import embedded, session
from fieldkit.sync.engine import SyncEngine


def test_embedded_center_seeds_once_serves_and_stops(tmp_path: Path) -> None:
    folder = tmp_path / "service-center"
    server = embedded.start(folder)
    try:
        ctx = open_context(tmp_path / "app", "demo", SystemClock())
        assert not session.uses_real_center(ctx)  # nothing yet: `run` starts the demo center
        session.login(ctx, server.url, embedded.DEMO_USER, embedded.DEMO_PASSWORD, demo_center=True)
        assert not session.uses_real_center(ctx)  # the demo center is started on every run
        with session.connect(ctx) as transport:
            report = SyncEngine(ctx, transport).run()
        assert report is not None and report.pulled > 0
        assert len(queries.job_ids(ctx, queries.JobFilter())) > 0
        # The same server, logged in to as a real center: `run` must not start a demo one.
        session.login(ctx, server.url, embedded.DEMO_USER, embedded.DEMO_PASSWORD)
        assert session.uses_real_center(ctx)
        ctx.db.close()
    finally:
        server.stop()
    assert server.process.poll() is not None
    size = (folder / "server.db").stat().st_size
    again = embedded.start(folder)  # second start reuses the seeded data
    again.stop()
    assert (folder / "server.db").stat().st_size >= size
