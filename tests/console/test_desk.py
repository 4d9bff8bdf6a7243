"""The escalation queue and the people page, in-process: who may see and do what, CSRF on
every form, hostile text escaped, both languages, and that each action does what it says."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert, select, update

from fieldkit.server import auth
from fieldkit.server import tables as t
from tests.console.conftest import sign_in
from tests.server.inproc import Center

E = t.ENTITY
HOSTILE = '<script>alert("x")</script> "quoted" \u202eRTL\u202c ' + "长" * 10000


def _escalate(center: Center, reason: str = HOSTILE) -> str:
    return escalate_in(center.engine, reason)


def escalate_in(engine: Engine, reason: str = HOSTILE) -> str:
    """Put one demo job in the state a synced escalation leaves it in."""
    with engine.begin() as conn:
        job = conn.execute(
            select(E["jobs"].c.id, E["jobs"].c.assigned_engineer).where(
                E["jobs"].c.assigned_engineer != "", E["jobs"].c.status == "assigned"
            )
        ).first()
        assert job is not None
        conn.execute(update(E["jobs"]).where(E["jobs"].c.id == job.id).values(status="escalated"))
        esc_id = str(uuid.uuid4())
        conn.execute(
            insert(E["escalations"]).values(
                id=esc_id,
                job_id=job.id,
                at=datetime.now(UTC) - timedelta(hours=5),
                by=job.assigned_engineer,
                reason=reason,
                findings="E42 <img src=x onerror=alert(1)>",
                category="vendor",
            )
        )
        conn.execute(
            insert(E["attachments"]).values(
                id=str(uuid.uuid4()),
                job_id=job.id,
                kind="escalation",
                escalation_id=esc_id,
                filename="controller.log",
                mime="text/plain",
                blob_sha256="ab" * 32,
                size_bytes=123,
                created_at=datetime.now(UTC),
            )
        )
    return str(job.id)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    return found.group(1)


@pytest.mark.parametrize(
    ("username", "queue", "people"),
    [("hotline", 403, 403), ("office", 200, 403), ("super", 200, 200)],
)
def test_each_role_sees_what_it_may(center: Center, username: str, queue: int, people: int) -> None:
    client = center.client()
    sign_in(client, username)
    assert client.get("/console/escalations").status_code == queue
    assert client.get("/console/people").status_code == people


def test_queue_shows_findings_escaped_and_only_a_supervisor_acts(center: Center) -> None:
    job = _escalate(center)
    office = center.client()
    csrf = sign_in(office, "office")
    page = office.get("/console/escalations")
    assert "<script>alert" not in page.text and "&lt;script&gt;alert" in page.text
    assert "<img src=x" not in page.text
    assert f"/console/escalations/{job}/files/{'ab' * 32}" in page.text
    assert 'name="analysis"' not in page.text  # a dispatcher looks, does not act
    refused = office.post(
        f"/console/escalations/{job}", data={"csrf": csrf, "action": "close", "analysis": "x"}
    )
    assert refused.status_code == 403
    with center.engine.connect() as conn:
        status = conn.scalar(select(E["jobs"].c.status).where(E["jobs"].c.id == job))
    assert status == "escalated"


def test_supervisor_reassigns_with_analysis_and_a_forged_form_changes_nothing(
    center: Center,
) -> None:
    job = _escalate(center, "bus fault")
    client = center.client()
    csrf = sign_in(client, "super")
    form = {"action": "reassign", "analysis": "Backplane", "plan": "Swap it", "engineer": "li"}
    forged = client.post(f"/console/escalations/{job}", data=form)
    assert forged.status_code == 403 and "Nothing was changed" in forged.text
    empty = client.post(f"/console/escalations/{job}", data={**form, "analysis": " ", "csrf": csrf})
    assert empty.status_code == 422 and "Record the center" in empty.text
    done = client.post(f"/console/escalations/{job}", data={**form, "csrf": csrf})
    assert done.status_code == 200 and "Re-assigned" in done.text
    with center.engine.connect() as conn:
        row = conn.execute(
            select(E["jobs"].c.status, E["jobs"].c.assigned_engineer).where(E["jobs"].c.id == job)
        ).one()
        review = conn.execute(select(t.escalation_reviews)).mappings().one()
    assert tuple(row) == ("assigned", "li")
    assert (review["outcome"], review["engineer"], review["by"]) == ("reassigned", "li", "super")
    with center.engine.connect() as conn:
        trail = conn.execute(
            select(t.job_events.c.action, t.job_events.c.by, t.job_events.c.detail).where(
                t.job_events.c.job_id == job
            )
        ).all()
    assert ("reassign", "super") in [(e.action, e.by) for e in trail]
    assert any(e.detail.get("reason") == "Backplane" for e in trail)
    again = client.post(f"/console/escalations/{job}", data={**form, "csrf": csrf})
    assert again.status_code == 409 and "no longer escalated" in again.text


def test_queue_in_chinese(center: Center) -> None:
    _escalate(center, "bus fault")
    client = center.client()
    csrf = sign_in(client, "super")
    client.post("/console/language", data={"csrf": csrf, "language": "zh_CN"})
    page = client.get("/console/escalations")
    assert "升级" in page.text and "重新派工" in page.text and "分析" in page.text
    people = client.get("/console/people")
    assert "新建账户" in people.text and "解除锁定" in people.text


def test_supervisor_creates_a_user_who_can_sign_in_and_resets_the_password(
    center: Center,
) -> None:
    client = center.client()
    csrf = sign_in(client, "super")
    short = client.post(
        "/console/people",
        data={"csrf": csrf, "username": "zhao", "role": "dispatcher", "password": "short"},
    )
    assert short.status_code == 422 and "at least 10" in short.text
    made = client.post(
        "/console/people",
        data={
            "csrf": csrf,
            "username": "zhao",
            "display_name": '<b>赵 "Zhao"</b>',
            "role": "dispatcher",
            "password": "a long first password",
        },
    )
    assert made.status_code == 200 and "&lt;b&gt;赵" in made.text
    taken = client.post(
        "/console/people",
        data={"csrf": csrf, "username": "zhao", "role": "engineer", "password": "x" * 12},
    )
    assert taken.status_code == 409 and "taken" in taken.text
    zhao = center.client()
    sign_in(zhao, "zhao", "a long first password")
    reset = client.post(
        "/console/people/zhao/password", data={"csrf": csrf, "password": "the second password"}
    )
    assert reset.status_code == 200
    assert zhao.get("/console/escalations").url.path == "/console/login"  # session ended
    sign_in(center.client(), "zhao", "the second password")
    with center.engine.connect() as conn:
        stored = conn.scalar(select(t.users.c.password_hash).where(t.users.c.username == "zhao"))
    assert str(stored).startswith("$argon2id$")


def test_wipe_one_stolen_tablet_and_revoke_another_device(center: Center) -> None:
    api = center.client()
    devices = []
    for name in ("stolen tablet", "spare laptop"):
        device_id = str(uuid.uuid4())
        reply = api.post(
            "/auth/login",
            json={
                "username": "wang",
                "password": "fieldkit-demo",
                "device_id": device_id,
                "device_name": name,
            },
        )
        assert reply.status_code == 200, reply.text
        devices.append((device_id, {"Authorization": f"Bearer {reply.json()['token']}"}))
    client = center.client()
    csrf = sign_in(client, "super")
    page = client.get("/console/people")
    assert "stolen tablet" in page.text and "spare laptop" in page.text
    (stolen, stolen_auth), (spare, spare_auth) = devices
    forged = client.post(f"/console/people/wang/devices/{stolen}", data={"action": "wipe"})
    assert forged.status_code == 403
    assert api.get("/sync/pull", headers=stolen_auth).status_code == 200
    wiped = client.post(
        f"/console/people/wang/devices/{stolen}", data={"csrf": csrf, "action": "wipe"}
    )
    assert wiped.status_code == 200 and "erase requested" in wiped.text
    answer = api.get("/sync/pull", headers=stolen_auth)
    assert answer.status_code == 401 and auth.WIPE_CODE in answer.text
    assert api.get("/sync/pull", headers=spare_auth).status_code == 200  # only that tablet
    wrong_owner = client.post(
        f"/console/people/li/devices/{spare}", data={"csrf": csrf, "action": "revoke"}
    )
    assert wrong_owner.status_code == 404
    client.post(f"/console/people/wang/devices/{spare}", data={"csrf": csrf, "action": "revoke"})
    answer = api.get("/sync/pull", headers=spare_auth)
    assert answer.status_code == 401 and "auth.revoked" in answer.text


def test_unlock_lifts_a_throttled_login(center: Center) -> None:
    api = center.client()
    for _ in range(6):
        api.post(
            "/auth/login",
            json={"username": "li", "password": "wrong guess", "device_id": str(uuid.uuid4())},
        )
    good = {"username": "li", "password": "fieldkit-demo", "device_id": str(uuid.uuid4())}
    assert api.post("/auth/login", json=good).status_code == 429
    client = center.client()
    csrf = sign_in(client, "super")
    assert re.search(r"user-li.*?[5-6] failed", client.get("/console/people").text, re.S)
    assert client.post("/console/people/li/unlock", data={}).status_code == 403
    done = client.post("/console/people/li/unlock", data={"csrf": csrf})
    assert done.status_code == 200 and "lifted" in done.text
    assert api.post("/auth/login", json=good).status_code == 200
