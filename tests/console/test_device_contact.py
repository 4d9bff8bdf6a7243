"""One "last seen" for a device, with what it said it still holds: the pending count a device
sends on its pushes and pulls is checked (a bounded plain count, else ignored) and shown the
same way by the board, the job record and the people page, in both languages; devices that
reached the center before the count existed get their last contact from their newest push or
login when the center is upgraded."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from fieldkit.protocol import HEADER_PENDING
from fieldkit.server import tables as t
from fieldkit.server.contact import device_contacts, pending_from
from fieldkit.server.database import MIGRATIONS, create_server_engine
from tests.console.conftest import sign_in
from tests.server.inproc import Center

E = t.ENTITY


def engineer_device(client: TestClient, username: str) -> tuple[str, dict[str, str]]:
    device = str(uuid.uuid4())
    reply = client.post(
        "/auth/login",
        json={"username": username, "password": "fieldkit-demo", "device_id": device},
    )
    assert reply.status_code == 200, reply.text
    return device, {"Authorization": f"Bearer {reply.json()['token']}"}


def pending_of(center: Center, device: str) -> Any:
    devices = t.client_devices
    with center.engine.connect() as conn:
        return conn.scalar(select(devices.c.pending_changes).where(devices.c.device_id == device))


@pytest.mark.parametrize(
    ("header", "count"),
    [
        ("0", 0),
        ("2", 2),
        (" 17 ", 17),
        ("1000000", 1_000_000),
        (None, None),
        ("", None),
        ("-1", None),
        ("abc", None),
        ("1e3", None),
        ("2.5", None),
        ("٣", None),
        ("1000001", None),
        ("9" * 40, None),
    ],
)
def test_the_pending_header_is_a_bounded_plain_count_or_nothing(
    header: str | None, count: int | None
) -> None:
    assert pending_from(header) == count


def test_a_push_and_a_pull_store_the_count_and_nonsense_is_ignored(center: Center) -> None:
    app = center.app()
    client = center.client(app)
    device, headers = engineer_device(client, "wang")
    reply = client.get("/sync/pull", headers={**headers, HEADER_PENDING: "3"})
    assert reply.status_code == 200, reply.text
    app.state.contacts.flush()  # what the center's flush thread does within seconds
    assert pending_of(center, device) == 3
    for nonsense in ("-5", "many", "99999999999", "1; DROP TABLE users"):
        reply = client.get("/sync/pull", headers={**headers, HEADER_PENDING: nonsense})
        assert reply.status_code == 200, reply.text  # a display hint never fails a sync
        app.state.contacts.flush()
        assert pending_of(center, device) == 3
    push = {"device_time": datetime.now(UTC).isoformat(), "mutations": []}
    reply = client.post("/sync/push", json=push, headers={**headers, HEADER_PENDING: "0"})
    assert reply.status_code == 200, reply.text
    assert pending_of(center, device) == 0  # a push writes at once


def _seen_3h_ago_with_2_pending(center: Center) -> str:
    client = center.client()
    device, _headers = engineer_device(client, "wang")
    devices = t.client_devices
    with center.engine.begin() as conn:
        conn.execute(
            update(devices)
            .where(devices.c.device_id == device)
            .values(
                last_seen_at=datetime.now(UTC) - timedelta(hours=3, minutes=5),
                pending_changes=2,
            )
        )
    return device


def _wangs_job(center: Center) -> str:
    jobs = E["jobs"]
    with center.engine.connect() as conn:
        job = conn.scalar(select(jobs.c.id).where(jobs.c.assigned_engineer == "wang").limit(1))
    assert job is not None
    return str(job)


@pytest.mark.parametrize(
    ("language", "full", "short"),
    [
        ("en", "last seen 3 h ago; 2 changes pending on the device", "2 pending"),
        ("zh_CN", "最近连接 3 小时前；设备上还有 2 项更改待同步", "2 项待同步"),
    ],
)
def test_board_job_record_and_people_say_the_same(
    center: Center, language: str, full: str, short: str
) -> None:
    _seen_3h_ago_with_2_pending(center)
    job = _wangs_job(center)
    client = center.client()
    csrf = sign_in(client, "super")
    client.post("/console/language", data={"csrf": csrf, "language": language})
    record = client.get(f"/console/jobs/{job}").text
    people = client.get("/console/people").text
    board = client.get("/console/board").text
    assert full in record
    assert full in people
    row = board[board.index('data-engineer="wang"') :].split("</tr>")[0]
    assert short in row and ("3 h ago" if language == "en" else "3 小时前") in row
    with center.engine.connect() as conn:
        (mine,) = [c for c in device_contacts(conn, "wang") if c.pending_changes is not None]
    assert mine.pending_changes == 2


def test_devices_seen_before_the_upgrade_keep_their_last_contact(tmp_path: Path) -> None:
    engine = create_server_engine(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "s0009_center_load")
        conn.commit()
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO users (id, username, display_name, role, password_hash, active) "
            "VALUES (1, 'wang', '王工', 'engineer', '-', 1)"
        )
        for device in ("pushed", "logged-in", "never"):
            conn.exec_driver_sql(
                "INSERT INTO client_devices (device_id, user_id, name, registered_at, last_seq, "
                f"revoked) VALUES ('{device}', 1, '', '2026-11-01T08:00:00.000000Z', 0, 0)"
            )
        conn.exec_driver_sql(
            "INSERT INTO tokens (token_sha256, user_id, device_id, created_at, expires_at) "
            "VALUES ('a', 1, 'pushed', '2026-11-02T08:00:00.000000Z', "
            "'2026-12-02T08:00:00.000000Z'), ('b', 1, 'logged-in', "
            "'2026-11-03T09:30:00.000000Z', '2026-12-03T09:30:00.000000Z')"
        )
    with engine.connect() as conn:
        columns = [c[1] for c in conn.exec_driver_sql("PRAGMA table_info(processed_mutations)")]
    assert "received_at" in columns
    with engine.begin() as conn:
        values = {c: "''" for c in columns}
        values.update(
            mutation_id="'m1'",
            device_id="'pushed'",
            seq="1",
            received_at="'2026-11-04T10:00:00.000000Z'",
        )
        conn.exec_driver_sql(
            f"INSERT INTO processed_mutations ({', '.join(values)}) "
            f"VALUES ({', '.join(values.values())})"
        )
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()
    with engine.connect() as conn:
        seen = {c.device_id: (c.last_seen_at, c.pending_changes) for c in device_contacts(conn)}
    assert seen == {
        "pushed": (datetime(2026, 11, 4, 10, 0, tzinfo=UTC), None),
        "logged-in": (datetime(2026, 11, 3, 9, 30, tzinfo=UTC), None),
        "never": (None, None),
    }
    engine.dispose()
