"""A push applies its batch in one transaction: one commit (one fsync) per batch, a savepoint
per mutation for its verdict, and on PostgreSQL the change-log lock taken once per batch."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event

from fieldkit.protocol.mutations import WorklogAddV1
from fieldkit.protocol.wire import Mutation
from fieldkit.server.auth import Principal
from fieldkit.server.database import create_server_engine, migrate
from fieldkit.services.context import ServiceContext
from tests.server.center import Center
from tests.server.hostile import two_engineers
from tests.server.test_typed_contracts import ProbeV1
from tests.support.postgres import Postgres, start_postgres


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    pg = start_postgres()
    yield pg
    pg.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_center(request: pytest.FixtureRequest) -> Iterator[Center]:
    if request.param == "sqlite":
        yield request.getfixturevalue("center")
        return
    postgres: Postgres = request.getfixturevalue("postgres")
    engine = create_server_engine(postgres.url(postgres.create_database()))
    migrate(engine)
    try:
        yield Center(engine)
    finally:
        engine.dispose()


class Counter:
    """Commits on the engine and change-log lock statements sent to the database."""

    def __init__(self, center: Center) -> None:
        self.commits = 0
        self.log_locks = 0
        event.listen(center.engine, "commit", self._commit)
        event.listen(center.engine, "before_cursor_execute", self._statement)

    def _commit(self, _conn: Any) -> None:
        self.commits += 1

    def _statement(self, _conn: Any, _cursor: Any, sql: str, *_rest: Any) -> None:
        self.log_locks += "pg_advisory_xact_lock" in sql


def note(center: Center, who: Principal, key: str) -> Mutation:
    return center.mutation(who, WorklogAddV1(id=key, at=datetime.now(UTC), note=key), "j1")


def test_a_batch_costs_one_commit_with_each_verdict_kept(
    ctx: ServiceContext, any_center: Center
) -> None:
    center = any_center
    f = two_engineers(ctx, center)
    batch = [
        note(center, f.wang, "n1"),
        center.mutation(f.wang, ("worklog.add.v1", {"id": "bad", "note": "no time"}), "j1"),
        note(center, f.wang, "n2"),
        center.mutation(f.wang, ProbeV1(fail="duplicate_number"), "j1"),
        note(center, f.wang, "n3"),
        center.mutation(f.wang, WorklogAddV1(id="n4", at=datetime.now(UTC), note="x"), "j2"),
    ]
    count = Counter(center)
    response = center.push(f.wang, *batch)
    assert count.commits == 1
    assert [(r.status, r.code) for r in response.results] == [
        ("applied", ""),
        ("rejected", "mutation.invalid"),
        ("applied", ""),
        ("rejected", "mutation.integrity"),
        ("applied", ""),
        ("rejected", "job.reassigned"),
    ], [r.reason for r in response.results]
    assert response.last_seq == batch[-1].seq
    assert center.rows("client_devices", device_id=f.wang.device_id)[0]["last_seq"] == 6
    assert len(center.rows("processed_mutations", device_id=f.wang.device_id)) == 6
    assert {r["id"] for r in center.rows("work_log", job_id="j1")} >= {"n1", "n2", "n3"}
    assert center.rows("work_log", id="bad") == [] and center.rows("work_log", id="n4") == []
    assert len(center.rows("jobs")) == 2  # the refused duplicate number left nothing behind
    kinds = [c["kind"] for c in center.rows("conflicts", engineer="eng-wang")]
    assert kinds == ["rejected", "rejected", "rejected"]
    if center.engine.dialect.name == "postgresql":
        assert count.log_locks == 1
    # The same batch delivered again: every verdict is the stored one, nothing applies twice.
    again = center.push(f.wang, *batch)
    assert [r.status for r in again.results] == [
        "duplicate",
        "rejected",
        "duplicate",
        "rejected",
        "duplicate",
        "rejected",
    ]
    assert count.commits == 2
    assert len([r for r in center.rows("work_log", job_id="j1") if r["id"] == "n1"]) == 1


def test_a_handler_bug_mid_batch_leaves_nothing_half_applied(
    ctx: ServiceContext, any_center: Center
) -> None:
    center = any_center
    f = two_engineers(ctx, center)
    first = note(center, f.wang, "before-bug")
    buggy = center.mutation(f.wang, ProbeV1(fail="bug"), "j1")
    with pytest.raises(KeyError):  # the route answers 500 and the device retries the batch
        center.push(f.wang, first, buggy)
    assert center.rows("processed_mutations", device_id=f.wang.device_id) == []
    assert center.rows("work_log", id="before-bug") == []
    assert center.rows("client_devices", device_id=f.wang.device_id)[0]["last_seq"] == 0
    assert [c for c in center.change_log("eng-wang") if c["entity_id"] == "before-bug"] == []
    fixed = buggy.model_copy(update={"args": {"fail": ""}})
    assert [r.status for r in center.push(f.wang, first, fixed).results] == [
        "applied",
        "applied",
    ]
    assert len(center.rows("work_log", id="before-bug")) == 1


def test_a_gap_commits_what_came_before_it(ctx: ServiceContext, any_center: Center) -> None:
    center = any_center
    f = two_engineers(ctx, center)
    first = note(center, f.wang, "g1")
    skipped = note(center, f.wang, "g2")
    third = note(center, f.wang, "g3")
    response = center.push(f.wang, first, third)
    assert (response.stopped, response.expected_seq) == ("gap", skipped.seq)
    assert [r.status for r in response.results] == ["applied"]
    assert center.rows("client_devices", device_id=f.wang.device_id)[0]["last_seq"] == 1
    assert len(center.rows("work_log", id="g1")) == 1 and center.rows("work_log", id="g3") == []
