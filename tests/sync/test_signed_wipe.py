"""The remote wipe order is signed by the center's key, which the tablet pinned at login: a
hostile server on loopback (or anything else that can answer on a trusted channel) cannot
erase the tablet, and a real order from the center still does."""

from __future__ import annotations

import base64
import json
import logging
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from fieldkit.domain.wipe_order import order_refusal, signed_bytes
from fieldkit.server.center_key import CenterKey, key_path, load_or_create
from fieldkit.services import jobs
from fieldkit.services.settings import get_setting, set_setting
from fieldkit.store import models as m
from fieldkit.sync import session
from fieldkit.sync.center import CENTER_KEY_SETTING, SERVER_URL_SETTING
from fieldkit.sync.errors import DeviceWiped, UntrustedWipe
from tests.support.keyrings import MemoryKeyring
from tests.support.server import PASSWORD, Client, Office, Server
from tests.sync.test_protocol import token_of


class _Answers:
    """A hostile server on loopback: every request gets the wipe answer it was given."""

    def __init__(self) -> None:
        self.detail: dict[str, Any] = {}

        answers = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                body = json.dumps(
                    {"code": "auth.wipe", "message": "reported lost", "detail": answers.detail}
                ).encode()
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = _answer

            def log_message(self, *_args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def hostile() -> Iterator[_Answers]:
    answers = _Answers()
    yield answers
    answers.close()


def _forged(key: Ed25519PrivateKey, device_id: str, username: str) -> dict[str, str]:
    issued = datetime.now(UTC).isoformat()
    sig = key.sign(signed_bytes(device_id, username, issued))
    return {
        "device_id": device_id,
        "username": username,
        "issued_at": issued,
        "signature": base64.b64encode(sig).decode(),
    }


@pytest.mark.parametrize("server", ["sqlite"], indirect=True)
def test_forged_or_unsigned_wipe_from_a_hostile_loopback_server_is_ignored_and_logged(
    server: Server,
    office: Office,
    wang: Client,
    hostile: _Answers,
    memory_keyring: MemoryKeyring,
    caplog: pytest.LogCaptureFixture,
) -> None:
    job = office.new_job("wang")
    wang.sync()
    pinned = get_setting(wang.ctx, CENTER_KEY_SETTING)
    center = load_or_create(key_path(server.data_dir))
    assert pinned == center.public_b64  # pinned at login
    jobs.add_note(wang.ctx, job, "伪造的清除 must survive")
    blobs = sorted(wang.ctx.blobs)
    # The tablet now talks to a hostile process on loopback: a trusted channel by the old
    # rule, so only the signature stands between it and the tablet's data.
    session.credentials().save(hostile.url, "wang", token_of(wang))
    set_setting(wang.ctx, SERVER_URL_SETTING, hostile.url)
    device = wang.ctx.device_id
    replayed = load_or_create(server.data_dir / "other-center-key")
    orders = {
        "unsigned (the old answer)": {},
        "signature missing": {"device_id": device, "username": "wang", "issued_at": "2026"},
        "signed by another key": _forged(Ed25519PrivateKey.generate(), device, "wang"),
        "another center's genuine order": replayed.wipe_order(device, "wang", datetime.now(UTC)),
        "the center's order for another device": center.wipe_order(
            "6d7b75e2-0000-4000-8000-000000000000", "wang", datetime.now(UTC)
        ),
        "the center's order for another account": center.wipe_order(
            device, "li", datetime.now(UTC)
        ),
        "signature of other bytes": {
            **center.wipe_order(device, "wang", datetime(2026, 1, 1, tzinfo=UTC)),
            "issued_at": datetime.now(UTC).isoformat(),
        },
    }
    for name, order in orders.items():
        hostile.detail = order
        caplog.clear()
        with (
            caplog.at_level(logging.WARNING, logger="fieldkit.sync.engine"),
            pytest.raises(UntrustedWipe, match="not signed by the center") as raised,
        ):
            wang.sync()
        assert not isinstance(raised.value, DeviceWiped), name
        assert any("a wipe order was ignored" in r.getMessage() for r in caplog.records), name
    with wang.ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Job)) > 0
        outbox = [o.args["note"] for o in s.scalars(select(m.OutboxMutation))]
    assert outbox == ["伪造的清除 must survive"]
    assert any("device-key" in account for _service, account in memory_keyring.secrets)
    assert sorted(wang.ctx.blobs) == blobs


def test_a_real_wipe_order_is_signed_by_the_pinned_key_and_obeyed(
    server: Server, office: Office, wang: Client
) -> None:
    # The key travels in a header: the login answer an older app parses is unchanged.
    login = requests.post(
        f"{server.url}/auth/login",
        json={"username": "li", "password": PASSWORD, "device_id": str(uuid.uuid4())},
        timeout=30,
    )
    assert set(login.json()) == {"token", "expires_at", "username", "display_name", "role"}
    center = load_or_create(key_path(server.data_dir)).public_b64
    assert login.headers["X-FieldKit-Center-Key"] == center
    assert get_setting(wang.ctx, CENTER_KEY_SETTING) == center
    job = office.new_job("wang")
    wang.sync()
    jobs.add_note(wang.ctx, job, "未同步 unsynced")
    assert server.admin("revoke", "wang", "--wipe").returncode == 0
    with pytest.raises(DeviceWiped, match="kept in"):
        wang.sync()
    with wang.ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Job)) == 0


def test_the_center_key_is_created_once_readable_by_the_center_only(tmp_path: Path) -> None:
    path = tmp_path / "data" / "center-key"
    first = load_or_create(path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert load_or_create(path).public_b64 == first.public_b64
    path.chmod(0o644)
    with pytest.raises(PermissionError, match="chmod 600"):
        load_or_create(path)


def test_order_refusal_names_each_reason() -> None:
    key = CenterKey(Ed25519PrivateKey.generate())
    order = key.wipe_order("dev-1", "wang", datetime.now(UTC))
    assert order_refusal(key.public_b64, order, "dev-1", "wang") is None
    assert order_refusal(None, order, "dev-1", "wang") == "no center key was pinned at login"
    assert order_refusal(key.public_b64, {}, "dev-1", "wang") == "the order is not signed"
    assert "another device" in str(order_refusal(key.public_b64, order, "dev-2", "wang"))
    other = CenterKey(Ed25519PrivateKey.generate()).public_b64
    assert order_refusal(other, order, "dev-1", "wang") == "the signature is not the center's"
    bad = {**order, "signature": "not base64!"}
    assert (
        order_refusal(key.public_b64, bad, "dev-1", "wang") == "the signature is not the center's"
    )
