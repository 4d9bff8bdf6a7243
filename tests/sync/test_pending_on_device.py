"""The console says how many changes are still on an engineer's tablet: the device tells the
center its outbox length on each push and pull (``X-FieldKit-Pending``), the center keeps it
with the device's last contact, and the job record shows it. Here a real sync is cut by the
network after its first push, with two changes still on the tablet."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest, Response
from sqlalchemy import select

from fieldkit.server import tables as t
from fieldkit.services import jobs
from fieldkit.sync import engine as sync_engine
from fieldkit.sync import session
from fieldkit.sync.engine import SyncEngine
from fieldkit.sync.errors import Offline
from tests.support.server import PASSWORD, Client, Office, Server


class CutAfterFirstPush(HTTPAdapter):
    """The Wi-Fi that drops once the first push got through."""

    def __init__(self) -> None:
        super().__init__()
        self.pushes = 0

    def send(self, request: PreparedRequest, **kwargs: Any) -> Response:  # type: ignore[override]
        if self.pushes:
            raise requests.ConnectionError("injected: network gone")
        if "/sync/push" in (request.url or ""):
            self.pushes += 1
        return super().send(request, **kwargs)


def stored(server: Server, device_id: str) -> tuple[Any, Any]:
    engine = server.engine()
    try:
        with engine.connect() as conn:
            row = conn.execute(
                select(t.client_devices.c.pending_changes, t.client_devices.c.last_seen_at).where(
                    t.client_devices.c.device_id == device_id
                )
            ).one()
    finally:
        engine.dispose()
    return row.pending_changes, row.last_seen_at


def settled(server: Server, device_id: str, expected: int) -> tuple[Any, Any]:
    """The stored contact once it says ``expected``: a pull's contact is written by the
    center's flush within seconds (a push's at once)."""
    deadline = time.monotonic() + 15
    pending, seen = stored(server, device_id)
    while pending != expected and time.monotonic() < deadline:
        time.sleep(0.2)
        pending, seen = stored(server, device_id)
    return pending, seen


def job_record_page(server: Server, job_id: str) -> str:
    http = requests.Session()
    form = http.get(server.url + "/console/login", timeout=30)
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token is not None
    http.post(
        server.url + "/console/login",
        data={"username": "office", "password": PASSWORD, "login_token": token.group(1)},
        timeout=30,
    ).raise_for_status()
    reply = http.get(f"{server.url}/console/jobs/{job_id}", timeout=30)
    assert reply.status_code == 200
    return reply.text


def test_a_cut_sync_leaves_the_count_of_changes_still_on_the_tablet(
    server: Server, office: Office, wang: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = office.new_job("wang")
    wang.sync()
    assert settled(server, wang.ctx.device_id, 0)[0] == 0  # synced: nothing left on it
    for i in range(3):
        jobs.add_note(wang.ctx, job, f"现场记录 note {i}")
    monkeypatch.setattr(sync_engine, "PUSH_BATCH", 1)  # one change per push
    transport = session.connect(wang.ctx)
    transport.retries = 0
    transport.session.mount("http://", CutAfterFirstPush())
    with pytest.raises(Offline):
        SyncEngine(wang.ctx, transport).run()
    transport.close()
    pending, seen = settled(server, wang.ctx.device_id, 2)
    assert pending == 2 and seen is not None
    assert "last seen just now; 2 changes pending on the device" in job_record_page(server, job)

    wang.sync()  # back online: everything went
    assert settled(server, wang.ctx.device_id, 0)[0] == 0
    assert "last seen just now; nothing pending on the device" in job_record_page(server, job)
