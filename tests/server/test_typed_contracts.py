"""Typed mutation contracts: what the app emits, what the center parses, and how a payload
that does not fit, a bug in a handler and a value the database refuses are told apart."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from fieldkit.protocol.mutations import MUTATIONS, MutationArgs, WorklogAddV1
from fieldkit.server import tables as t
from fieldkit.server.app import create_app
from fieldkit.server.database import create_server_engine, migrate
from fieldkit.server.handlers.base import HANDLERS, Ctx, handles
from fieldkit.server.settings import ServerSettings
from fieldkit.services import checklists
from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m
from tests.server.center import Center
from tests.server.hostile import two_engineers
from tests.support.postgres import Postgres, start_postgres


def now() -> datetime:
    return datetime.now(UTC)


class ProbeV1(MutationArgs):
    """A contract whose handler misbehaves on purpose, standing in for a future bug."""

    NAME: ClassVar[str] = "test.probe.v1"
    ENTITY: ClassVar[str] = "job"
    fail: str  # "" | "bug" | "duplicate_number" | "too_long"


@handles(ProbeV1)
def probe(ctx: Ctx, a: ProbeV1) -> None:
    if a.fail == "bug":
        raise KeyError("renamed_field")  # what a handler bug looks like
    if a.fail == "duplicate_number":
        jobs = t.ENTITY["jobs"]
        row = ctx.conn.execute(jobs.select().limit(1)).mappings().one()
        ctx.conn.execute(insert(jobs).values({**row, "id": str(uuid.uuid4())}))  # UNIQUE number
    if a.fail == "too_long":  # String(120): PostgreSQL refuses, SQLite would store it
        jobs = t.ENTITY["jobs"]
        ctx.conn.execute(jobs.update().values(confirmed_with="x" * 133))


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    pg = start_postgres()
    yield pg
    pg.stop()


def test_m12_value_too_long_on_postgresql_is_a_recorded_rejection(
    ctx: ServiceContext, postgres: Postgres
) -> None:
    engine = create_server_engine(postgres.url(postgres.create_database()))
    migrate(engine)
    center = Center(engine)
    try:
        f = two_engineers(ctx, center)
        refused = center.mutation(f.wang, ProbeV1(fail="too_long"), "j1")
        later = center.mutation(f.wang, WorklogAddV1(id="n-pg", at=now(), note="next"), "j1")
        results = center.push(f.wang, refused, later).results
        assert [(r.status, r.code) for r in results] == [
            ("rejected", "mutation.data"),
            ("applied", ""),
        ]
        assert center.rows("jobs", id="j1")[0]["confirmed_with"] == ""
    finally:
        engine.dispose()


def test_every_contract_has_a_center_handler() -> None:
    def shipped(models: dict[str, type[MutationArgs]]) -> set[str]:
        return {n for n, model in models.items() if model.__module__.startswith("fieldkit.")}

    handled = {name: model for name, (model, _) in HANDLERS.items()}
    assert shipped(MUTATIONS) == shipped(handled)
    assert len(shipped(MUTATIONS)) >= 10
    for name in shipped(handled):
        assert MUTATIONS[name] is handled[name]


def test_app_emits_the_contract_with_its_blob_refs(ctx: ServiceContext, tmp_path: Path) -> None:
    from tests.services.fixtures import seed_job

    seed_job(ctx, status="on_site")
    photo = tmp_path / "wiring.jpg"
    photo.write_bytes(b"\xff\xd8 wiring")
    view = checklists.backup_checklist(ctx, "j1")
    assert view is not None
    item = next(i for i in view.items if i.evidence_kind.value == "photo")
    checklists.record_evidence(ctx, item.id, file=photo)
    with ctx.db.read() as s:
        row = s.query(m.OutboxMutation).one()
    parsed = MUTATIONS[row.name].model_validate(row.args)
    assert (row.name, row.entity_type) == ("checklist.answer.v1", "checklist_item")
    assert row.blob_refs == parsed.blob_refs() == [ctx.blobs.put_bytes(b"\xff\xd8 wiring")]


def test_malformed_payload_is_a_recorded_rejection_with_code(
    ctx: ServiceContext, center: Center
) -> None:
    f = two_engineers(ctx, center)
    missing_at = center.mutation(f.wang, ("worklog.add.v1", {"id": "n1", "note": "hi"}), "j1")
    later = center.mutation(f.wang, WorklogAddV1(id="n2", at=now(), note="next"), "j1")
    results = center.push(f.wang, missing_at, later).results
    assert [(r.status, r.code) for r in results] == [
        ("rejected", "mutation.invalid"),
        ("applied", ""),
    ]
    assert "at" in results[0].reason
    done = center.rows("processed_mutations", mutation_id=missing_at.mutation_id)
    assert done[0]["status"] == "rejected" and done[0]["code"] == "mutation.invalid"
    assert center.rows("conflicts", mutation_id=missing_at.mutation_id)[0]["kind"] == "rejected"


def test_handler_bug_is_a_logged_500_that_the_device_retries(
    ctx: ServiceContext, center: Center, tmp_path: Path
) -> None:
    f = two_engineers(ctx, center)
    token = center.token(f.wang)
    app = create_app(ServerSettings(tmp_path, str(center.engine.url)), center.engine)
    buggy = center.mutation(f.wang, ProbeV1(fail="bug"), "j1")
    body = {"device_time": now().isoformat(), "mutations": [buggy.model_dump()]}
    with TestClient(app, raise_server_exceptions=False) as http:
        reply = http.post("/sync/push", json=body, headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 500 and reply.json()["code"] == "server.error"
    assert center.rows("processed_mutations", device_id=f.wang.device_id) == []
    assert center.rows("conflicts", engineer="eng-wang") == []
    # The next release fixes the bug; the device's retry of the same change is applied.
    fixed = buggy.model_copy(update={"args": {"fail": ""}})
    assert center.push(f.wang, fixed).results[0].status == "applied"


def test_h5_database_refusal_is_a_recorded_rejection(ctx: ServiceContext, center: Center) -> None:
    f = two_engineers(ctx, center)
    refused = center.mutation(f.wang, ProbeV1(fail="duplicate_number"), "j1")
    later = center.mutation(f.wang, WorklogAddV1(id="n-after", at=now(), note="next"), "j1")
    results = center.push(f.wang, refused, later).results
    assert [(r.status, r.code) for r in results] == [
        ("rejected", "mutation.integrity"),
        ("applied", ""),
    ]
    assert "UNIQUE" not in results[0].reason  # no database text reaches the device


def test_previous_app_wire_shape_still_applies(ctx: ServiceContext, center: Center) -> None:
    """What the app emitted before the contracts existed (hand-built dicts) parses as-is."""
    f = two_engineers(ctx, center)
    at = now().isoformat()  # "+00:00", not pydantic's "Z"
    old = [
        ("job.transition.v1", {"action": "accept", "at": at, "to": "accepted", "work_log_id": "w"}),
        ("worklog.add.v1", {"id": "n-old", "at": at, "note": "old app"}),
    ]
    results = center.push(f.wang, *[center.mutation(f.wang, o, "j1") for o in old]).results
    assert [r.status for r in results] == ["applied", "applied"], [r.reason for r in results]
    assert center.rows("jobs", id="j1")[0]["status"] == "accepted"


def test_l2_dedupe_is_keyed_on_device_and_mutation_id(ctx: ServiceContext, center: Center) -> None:
    f = two_engineers(ctx, center)
    mine = center.mutation(f.wang, WorklogAddV1(id="n-w", at=now(), note="wang's"), "j1")
    assert center.push(f.wang, mine).results[0].status == "applied"
    # li reuses wang's mutation id for her own note.
    hers = center.mutation(
        f.li.who, WorklogAddV1(id="n-l", at=now(), note="li's"), "j2", mutation_id=mine.mutation_id
    )
    assert center.push(f.li.who, hers).results[0].status == "applied"
    assert center.rows("work_log", id="n-l")[0]["by"] == "li"
    after = center.mutation(f.li.who, WorklogAddV1(id="n-l2", at=now(), note="next"), "j2")
    assert center.push(f.li.who, after).results[0].status == "applied"  # no sequence gap


@pytest.mark.parametrize(
    ("severity", "respond", "arrive"), [(1, 30, 120), (2, 120, 480), (3, None, None)]
)
def test_severity_change_recomputes_deadlines(
    ctx: ServiceContext,
    center: Center,
    tmp_path: Path,
    severity: int,
    respond: int | None,
    arrive: int | None,
) -> None:
    two_engineers(ctx, center)
    with center.engine.begin() as conn:
        conn.execute(
            insert(t.ENTITY["contract_sla"]).values(
                contract_id="k1", severity=1, respond_minutes=30, arrive_minutes=120
            )
        )
    office = center.device("office")
    with center.engine.begin() as conn:
        conn.execute(
            t.users.update().where(t.users.c.username == "office").values(role="dispatcher")
        )
    token = center.token(office)
    app = create_app(ServerSettings(tmp_path, str(center.engine.url)), center.engine)
    with TestClient(app) as http:
        reply = http.patch(
            "/dispatch/jobs/j1",
            json={"severity": severity},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert reply.status_code == 200, reply.text
    job = center.rows("jobs", id="j1")[0]
    reported = job["reported_at"]
    assert job["severity"] == severity
    assert job["respond_by"] == (reported + timedelta(minutes=respond) if respond else None)
    assert job["arrive_by"] == (reported + timedelta(minutes=arrive) if arrive else None)
    sent = [c for c in center.change_log("eng-wang") if c["entity_id"] == "j1"]
    assert sent and sent[-1]["data"]["severity"] == severity
