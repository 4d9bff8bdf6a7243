"""The board's job part is read once per change: a second view with nothing changed reads no
job rows, any office or synced change is on the next view, and a deadline passing turns a
job breached (and the count with it) with no write at all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from fieldkit.server import board as b
from fieldkit.server.board import BoardFilter, load_board
from tests.server.inproc import Center, open_center
from tests.server.test_console_board_model import _new_job, _now, _office


@pytest.fixture
def center(seeded_center: Path, tmp_path: Path) -> Iterator[Center]:
    yield from open_center(seeded_center, tmp_path)


class Statements:
    def __init__(self, center: Center) -> None:
        self.seen: list[str] = []
        event.listen(center.engine, "before_cursor_execute", self._note)

    def _note(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.seen.append(statement)

    def counted_jobs(self) -> bool:
        return any("count(" in s.lower() and "from jobs" in s.lower() for s in self.seen)


def test_an_unchanged_board_is_not_read_again_and_a_change_is(center: Center) -> None:
    office = _office(center)
    job = _new_job(office)
    now = _now()
    first = load_board(center.engine, BoardFilter(), now)
    sql = Statements(center)
    again = load_board(center.engine, BoardFilter(), now + timedelta(seconds=2))
    assert not sql.counted_jobs()  # nothing changed: the job part came from the cache
    assert (again.total, [j.id for j in again.jobs]) == (first.total, [j.id for j in first.jobs])
    office.assign(job, "wang", by="office", reason="nearest")
    after = load_board(center.engine, BoardFilter(), now + timedelta(seconds=3))
    assert sql.counted_jobs()
    assert job not in [j.id for j in after.unassigned]
    assert after.unassigned_total == first.unassigned_total - 1


def test_a_deadline_passing_breaches_the_job_without_a_write(center: Center) -> None:
    job = _new_job(_office(center), severity=1)
    now = _now()
    before = load_board(center.engine, BoardFilter(), now)
    mine = next(j for j in before.jobs if j.id == job)
    assert mine.respond.state == "running" and mine.respond.deadline is not None
    past = mine.respond.deadline + timedelta(seconds=1)
    later = load_board(center.engine, BoardFilter(), past)
    assert next(j for j in later.jobs if j.id == job).respond.state == "breached"
    with center.engine.connect() as conn:
        truth = b._counts(conn, BoardFilter(), past)[2]  # counted afresh, at that moment
    assert later.breached_total == truth > before.breached_total
