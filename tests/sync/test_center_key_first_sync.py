"""A tablet that logged in before the center key was pinned at login (an old data file, the
token kept, no key) pins the key on its first verified sync, and is then erased by a real
wipe order; a key that changes afterwards is refused, logged and shown, never adopted."""

from __future__ import annotations

import contextlib
import html
import json
import logging
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from fieldkit.protocol import HEADER_CENTER_KEY, HEADER_PINNED_KEY
from fieldkit.server.center_key import key_path, load_or_create
from fieldkit.server.office_people import OfficePeople
from fieldkit.services import jobs
from fieldkit.services.context import ServiceContext, open_context
from fieldkit.services.device_key import private_key, public_key_b64
from fieldkit.services.settings import get_setting, set_setting
from fieldkit.store import DATA_FILE
from fieldkit.store import models as m
from fieldkit.sync import session
from fieldkit.sync.center import CENTER_KEY_SETTING, SERVER_URL_SETTING, USERNAME_SETTING
from fieldkit.sync.center_trust import PINNED_SETTING, CenterKeyChanged, key_seen
from fieldkit.sync.engine import SyncEngine, SyncReport
from fieldkit.sync.errors import DeviceWiped, UntrustedWipe
from tests.support.server import PASSWORD, Office, Server, start_server

OLD_FILE = Path(__file__).parents[1] / "data" / "db" / "fieldkit-0001.db"


def _sync(ctx: ServiceContext) -> SyncReport:
    with session.connect(ctx) as transport:
        report = SyncEngine(ctx, transport).run()
    assert report is not None
    return report


@pytest.fixture
def old_tablet(server: Server, tmp_path: Path) -> Iterator[ServiceContext]:
    """wang's tablet as an older app left it: logged in (token in the keyring, account in the
    settings), its data file of the first schema, and no center key."""
    data = tmp_path / "old-tablet"
    data.mkdir()
    shutil.copy(OLD_FILE, data / DATA_FILE)
    with contextlib.closing(sqlite3.connect(data / DATA_FILE)) as db, db:
        db.execute("DELETE FROM outbox WHERE device_id = 'd1'")  # the fixture's made-up device
    ctx = open_context(data, "wang")  # upgraded on open, as the new release does
    # The older app's login: the same request; the header it did not read.
    answer = requests.post(
        f"{server.url}/auth/login",
        json={
            "username": "wang",
            "password": PASSWORD,
            "device_id": ctx.device_id,
            "public_key": public_key_b64(private_key(ctx)),
        },
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    session.credentials().save(server.url, "wang", answer.json()["token"])
    set_setting(ctx, SERVER_URL_SETTING, server.url)
    set_setting(ctx, USERNAME_SETTING, "wang")
    yield ctx
    ctx.db.close()


def _jobs(ctx: ServiceContext) -> int:
    with ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(m.Job)) or 0)


def _wipe_state(server: Server) -> str:
    """What the console's people page says of the one wipe ordered, read as the office does:
    a supervisor signs in to the real center and opens the page."""
    with requests.Session() as office_browser:
        form = office_browser.get(f"{server.url}/console/login", timeout=30)
        token = re.search(r'name="login_token" value="([^"]+)"', form.text)
        assert token is not None, form.text[:500]
        signed_in = office_browser.post(
            f"{server.url}/console/login",
            data={"username": "super", "password": PASSWORD, "login_token": token.group(1)},
            timeout=30,
        )
        assert signed_in.status_code == 200, signed_in.text[:500]
        page = office_browser.get(f"{server.url}/console/people", timeout=30).text
    states = re.findall(r'class="muted wipe-state">([^<]+)<', page)
    assert len(states) == 1, states
    return " ".join(html.unescape(states[0]).split())


@pytest.mark.parametrize("server", ["sqlite"], indirect=True)
def test_a_tablet_logged_in_before_keys_were_pinned_pins_on_first_sync_and_obeys_a_wipe(
    server: Server, office: Office, old_tablet: ServiceContext
) -> None:
    ctx = old_tablet
    assert get_setting(ctx, CENTER_KEY_SETTING) is None
    office.new_job("wang")
    _sync(ctx)
    center = load_or_create(key_path(server.data_dir)).public_b64
    assert get_setting(ctx, CENTER_KEY_SETTING) == center
    pinned = get_setting(ctx, PINNED_SETTING)
    assert pinned["how"] == "first_sync" and pinned["url"].startswith(server.url)
    # The stolen tablet: reported lost, it erases itself at its next sync.
    before = _jobs(ctx)
    assert before > 0
    assert server.admin("revoke", "wang", "--wipe").returncode == 0
    with pytest.raises(DeviceWiped):
        _sync(ctx)
    assert _jobs(ctx) == 0


@pytest.mark.parametrize("server", ["sqlite"], indirect=True)
def test_a_changed_center_key_is_refused_logged_and_shown_and_the_pinned_one_kept(
    server: Server, old_tablet: ServiceContext, caplog: pytest.LogCaptureFixture
) -> None:
    ctx = old_tablet
    _sync(ctx)
    first = get_setting(ctx, CENTER_KEY_SETTING)
    assert first
    # The center at this address now signs with another key (restored without its key file,
    # or another server holding a certificate for the name).
    server.stop()
    key_path(server.data_dir).unlink()
    port = int(server.url.rsplit(":", 1)[1])
    again = start_server(server.data_dir, port=port)
    try:
        assert load_or_create(key_path(server.data_dir)).public_b64 != first
        with (
            caplog.at_level(logging.WARNING, logger="fieldkit.sync.center_trust"),
            pytest.raises(CenterKeyChanged, match="another signing key") as shown,
        ):
            _sync(ctx)
        assert "logging in again" in str(shown.value)
        assert any("another signing key" in r.getMessage() for r in caplog.records)
        assert get_setting(ctx, CENTER_KEY_SETTING) == first  # never silently replaced
        # Its wipe orders, signed by the new key, are not obeyed.
        assert again.admin("revoke", "wang", "--wipe").returncode == 0
        with pytest.raises(UntrustedWipe):
            _sync(ctx)
        assert _jobs(ctx) > 0
        assert get_setting(ctx, CENTER_KEY_SETTING) == first
    finally:
        again.stop()


def test_no_key_is_pinned_from_an_unverified_channel_or_a_malformed_header(
    tmp_path: Path,
) -> None:
    ctx = open_context(tmp_path / "tablet", "wang")
    try:
        key = load_or_create(tmp_path / "center-key").public_b64
        for url in ("http://192.0.2.7:8000/sync/pull", "ftp://127.0.0.1/sync/pull"):
            assert key_seen(ctx, key, url) is False
        assert key_seen(ctx, "bm90IGEga2V5", "https://center.example/sync/pull") is False
        assert key_seen(ctx, None, "https://center.example/sync/pull") is False
        assert get_setting(ctx, CENTER_KEY_SETTING) is None
        assert key_seen(ctx, key, "https://center.example/sync/pull") is True
        assert get_setting(ctx, PINNED_SETTING)["how"] == "first_sync"
    finally:
        ctx.db.close()


@pytest.mark.parametrize("server", ["sqlite"], indirect=True)
def test_a_wipe_ordered_before_an_old_tablets_first_sync_is_delivered_and_obeyed(
    server: Server, old_tablet: ServiceContext
) -> None:
    ctx = old_tablet
    assert get_setting(ctx, CENTER_KEY_SETTING) is None
    jobs.add_note(ctx, "j1", "offline before the upgrade: fan replaced")  # never synced
    # Reported stolen before it ever synced with the new release: no key pinned yet.
    engine = server.engine()
    try:
        OfficePeople(engine).wipe_device("wang", ctx.device_id)
    finally:
        engine.dispose()
    assert _wipe_state(server) == "wipe ordered; waiting for the tablet to connect"

    with pytest.raises(DeviceWiped, match="reported lost or stolen") as raised:
        _sync(ctx)
    # It was handed the key over its authenticated, verified channel, then the signed order.
    assert _jobs(ctx) == 0
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.OutboxMutation)) == 0
    assert session.account(ctx) is None
    rescue = Path(str(raised.value).split("kept in ")[1].rstrip("."))
    bundle = json.loads(rescue.read_text(encoding="utf-8"))
    assert [mut["args"]["note"] for mut in bundle["mutations"]] == [
        "offline before the upgrade: fan replaced"
    ]
    assert _wipe_state(server).startswith("wipe ordered; delivered ")


@pytest.mark.parametrize("server", ["sqlite"], indirect=True)
def test_a_stolen_tablet_without_the_key_is_handed_only_the_key_and_then_the_signed_order(
    server: Server, old_tablet: ServiceContext, tmp_path: Path
) -> None:
    """What the center answers a device reported stolen that shows no pinned key: the key
    (nothing else), and the signed order to any other request; it counts as delivered only
    once a request showed the center's key."""
    ctx = old_tablet
    token = session.credentials().load(server.url, "wang")
    assert token
    engine = server.engine()
    try:
        OfficePeople(engine).wipe_device("wang", ctx.device_id)
    finally:
        engine.dispose()
    center = load_or_create(key_path(server.data_dir)).public_b64
    bearer = {"Authorization": f"Bearer {token}"}
    handed = requests.get(f"{server.url}/auth/center-key", headers=bearer, timeout=30)
    assert handed.status_code == 200
    assert handed.json() == {"center_key": center}
    assert handed.headers[HEADER_CENTER_KEY] == center
    assert _wipe_state(server) == "wipe ordered; waiting for the tablet to connect"
    another = load_or_create(tmp_path / "another-center-key").public_b64
    for shown in ({}, {HEADER_PINNED_KEY: another}):
        pulled = requests.get(f"{server.url}/sync/pull", headers={**bearer, **shown}, timeout=30)
        assert pulled.status_code == 401 and pulled.json()["code"] == "auth.wipe"
        assert pulled.json()["detail"]["signature"]
        # It connected, but cannot check the order: the console does not call it delivered.
        assert _wipe_state(server).startswith(
            "wipe ordered; sent, but the tablet has not shown this center's key and may not obey"
        )
    # No token, another device's token: nothing handed over.
    assert requests.get(f"{server.url}/auth/center-key", timeout=30).status_code == 401
    bogus = {"Authorization": "Bearer not-a-token"}
    refused = requests.get(f"{server.url}/auth/center-key", headers=bogus, timeout=30)
    assert refused.status_code == 401
    # Showing the key: the order, now delivered; the hand-over answers it the order too.
    shown_key = {**bearer, HEADER_PINNED_KEY: center}
    again = requests.get(f"{server.url}/auth/center-key", headers=shown_key, timeout=30)
    assert again.status_code == 401 and again.json()["code"] == "auth.wipe"
    assert _wipe_state(server).startswith("wipe ordered; delivered ")
