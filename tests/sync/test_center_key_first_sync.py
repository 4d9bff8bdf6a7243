"""A tablet that logged in before the center key was pinned at login (an old data file, the
token kept, no key) pins the key on its first verified sync, and is then erased by a real
wipe order; a key that changes afterwards is refused, logged and shown, never adopted."""

from __future__ import annotations

import contextlib
import logging
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from fieldkit.server.center_key import key_path, load_or_create
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
