"""Several stores opened at once in one process (a load harness, a test server's clients):
Alembic's global state must not be shared between the migrations (issue 16, cause 8)."""

from __future__ import annotations

import threading
from pathlib import Path

from fieldkit.domain.clock import SystemClock
from fieldkit.services.context import ServiceContext, open_context
from fieldkit.store.migrate import HEAD, current_revision


def open_together(folders: list[Path]) -> tuple[list[ServiceContext], list[BaseException]]:
    opened: list[ServiceContext] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(folders))

    def open_one(folder: Path) -> None:
        try:
            start.wait()
            opened.append(open_context(folder, folder.name, SystemClock()))
        except BaseException as exc:  # collected: the assertion shows every one
            errors.append(exc)

    threads = [threading.Thread(target=open_one, args=(f,)) for f in folders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return opened, errors


def test_open_context_is_safe_when_stores_open_in_threads(tmp_path: Path) -> None:
    for round_ in range(3):
        opened, errors = open_together([tmp_path / f"r{round_}-{i}" for i in range(8)])
        try:
            assert errors == []
            assert len(opened) == 8
            assert len({ctx.device_id for ctx in opened}) == 8
            for ctx in opened:
                assert current_revision(ctx.db.engine) == HEAD
        finally:
            for ctx in opened:
                ctx.db.close()
