"""Plain HTTP only to this machine, a wipe order only over a channel that can be trusted, and
a busy center's Retry-After honoured (security review M8, H3; issue 16)."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.domain.clock import SystemClock
from fieldkit.services.context import open_context
from fieldkit.sync import session
from fieldkit.sync.errors import AuthRequired, DeviceWiped, ServerRefused
from fieldkit.sync.transport import Transport
from fieldkit.ui.qt import Qt
from fieldkit.ui.sync_dialogs import LoginDialog
from tests.sync.test_hostile_server import Hostile, reply

WIPE = json.dumps({"code": "auth.wipe", "message": "erase yourself"}).encode()


@pytest.mark.parametrize(
    "url",
    [
        "http://center.example.com",
        "http://10.0.0.5:8750",
        "http://192.168.1.20",
        "http://[2001:db8::1]:8750",
        "http://127.0.0.1.example.com",
        "ftp://127.0.0.1",
        "https://",
    ],
)
def test_m8_plain_http_is_refused_for_other_hosts(url: str) -> None:
    with pytest.raises(ValueError, match="https://"):
        Transport(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8750",
        "http://127.8.9.10",
        "http://[::1]:8750",
        "http://localhost:8750",
        "https://center.example.com",
    ],
)
def test_m8_loopback_http_and_any_https_are_accepted(url: str) -> None:
    Transport(url).close()


def test_m8_login_dialog_refuses_http_to_another_host(qtbot: QtBot, tmp_path: Path) -> None:
    ctx = open_context(tmp_path / "app", "wang", SystemClock())
    try:
        dialog = LoginDialog(ctx)
        qtbot.addWidget(dialog)
        dialog.server.clear()
        qtbot.keyClicks(dialog.server, "http://center.example.com")
        qtbot.keyClicks(dialog.user, "wang")
        qtbot.keyClicks(dialog.password, "fieldkit-demo")
        qtbot.mouseClick(dialog.login, Qt.MouseButton.LeftButton)
        assert "https://" in dialog.message.text()
        assert dialog.login.isEnabled()  # nothing was sent
        assert session.account(ctx) is None
    finally:
        ctx.db.close()


def test_m8_a_wipe_answer_to_an_unauthenticated_request_erases_nothing(tmp_path: Path) -> None:
    """Anyone who can answer a login (a captive portal, an on-path attacker) must not be able
    to erase the tablet: the order counts only on a request carrying this device's token."""
    hostile = Hostile(reply(401, "application/json", WIPE))
    ctx = open_context(tmp_path / "app", "wang", SystemClock())
    try:
        with pytest.raises(AuthRequired) as on_login:
            session.login(ctx, hostile.url, "wang", "fieldkit-demo")
        assert not isinstance(on_login.value, DeviceWiped)
        with Transport(hostile.url, retries=0) as anonymous, pytest.raises(AuthRequired) as bare:
            anonymous.request("GET", "/sync/pull")
        assert not isinstance(bare.value, DeviceWiped)
        # With the device's token, over loopback (the local demo center), it is an order.
        with Transport(hostile.url, token="t", retries=0) as mine, pytest.raises(DeviceWiped):
            mine.request("GET", "/sync/pull")
    finally:
        ctx.db.close()
        hostile.close()


def test_h3_client_waits_as_long_as_a_busy_center_asks() -> None:
    answers = iter([503, 503, 200])

    def busy_then_ok(h: BaseHTTPRequestHandler) -> None:
        status = next(answers)
        body = b'{"status": "ok"}' if status == 200 else b'{"code": "server.busy"}'
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        if status == 503:
            h.send_header("Retry-After", "7")
        h.end_headers()
        h.wfile.write(body)

    hostile = Hostile(busy_then_ok)
    slept: list[float] = []
    try:
        with Transport(hostile.url, backoff=0.01, sleep=slept.append) as http:
            assert http.request("GET", "/health").json() == {"status": "ok"}
    finally:
        hostile.close()
    assert len(slept) == 2 and all(s >= 7 for s in slept), slept


def test_m6_a_throttled_login_is_reported_at_once_not_retried() -> None:
    body = json.dumps(
        {"code": "auth.throttled", "message": "Too many failed logins. Try again in 15 seconds"}
    ).encode()

    def throttled(h: BaseHTTPRequestHandler) -> None:
        h.send_response(429)
        h.send_header("Content-Type", "application/json")
        h.send_header("Retry-After", "15")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    hostile = Hostile(throttled)
    slept: list[float] = []
    try:
        refused = pytest.raises(ServerRefused, match="Try again in 15 seconds")
        with Transport(hostile.url, sleep=slept.append) as http, refused:
            http.request("POST", "/auth/login", json_body={})
    finally:
        hostile.close()
    assert slept == [] and len(hostile.requests) == 1
