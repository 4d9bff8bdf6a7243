"""A stolen tablet: the office revokes the engineer with --wipe; at its next sync the device
erases everything it synced, keeps the work the center never received in a rescue bundle
(which the center imports), and holds no token and no device key any more."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from fieldkit.domain.clock import SystemClock
from fieldkit.services import jobs
from fieldkit.services.context import open_context
from fieldkit.store import models as m
from fieldkit.sync import session
from fieldkit.sync.errors import DeviceWiped
from tests.support.keyrings import MemoryKeyring
from tests.support.server import Client, Office, Server


def rows(client: Client, model: type[m.Base]) -> int:
    with client.ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_revoke_with_wipe_erases_synced_data_and_keeps_unsynced_work(
    server: Server, office: Office, wang: Client, memory_keyring: MemoryKeyring
) -> None:
    office.new_job("wang")
    wang.sync()
    assert rows(wang, m.Job) > 0 and rows(wang, m.Customer) > 0
    with wang.ctx.db.read() as s:
        job = sorted(s.scalars(select(m.Job.id)))[0]
    jobs.add_note(wang.ctx, job, "签字前最后检查 final check")  # not yet sent
    assert any("device-key" in account for _service, account in memory_keyring.secrets)

    revoked = server.admin("revoke", "wang", "--wipe")
    assert revoked.returncode == 0, revoked.stderr
    assert "wipe requested on 1 device(s)" in revoked.stdout

    with pytest.raises(DeviceWiped, match="reported lost or stolen") as raised:
        wang.sync()
    for model in (m.Job, m.Customer, m.Site, m.Device, m.Document, m.OutboxMutation, m.Setting):
        assert rows(wang, model) == 0, model.__tablename__
    assert list(wang.ctx.blobs) == []
    assert memory_keyring.secrets == {}  # no token, no device key
    assert session.account(wang.ctx) is None
    with wang.ctx.db.read() as s:
        assert s.scalar(text("SELECT count(*) FROM search_docs")) == 0
        # Signed slips are immutable again for whatever comes next.
        assert (
            s.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = 'slips_no_delete'")) == 1
        )
    assert wang.ctx.db.integrity_check() == "ok"

    rescue = Path(str(raised.value).split("kept in ")[1].rstrip("."))
    bundle = json.loads(rescue.read_text(encoding="utf-8"))
    assert [mut["args"]["note"] for mut in bundle["mutations"]] == ["签字前最后检查 final check"]
    imported = server.admin("import-outbox", str(rescue))  # the note still reaches the center
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout.splitlines()[-1])["results"] == {"applied": 1}

    # The data folder still opens; logging in again is refused for this device.
    ctx = open_context(wang.ctx.db.path.parent / "after", "wang", SystemClock())
    ctx.db.close()


def test_plain_revoke_keeps_the_data(server: Server, office: Office, wang: Client) -> None:
    office.new_job("wang")
    wang.sync()
    before = rows(wang, m.Job)
    assert server.admin("revoke", "wang").returncode == 0
    with pytest.raises(Exception, match="revoked") as raised:
        wang.sync()
    assert not isinstance(raised.value, DeviceWiped)
    assert rows(wang, m.Job) == before  # only the stolen-tablet path erases


def test_the_window_empties_when_the_device_is_wiped(
    qtbot: object, server: Server, office: Office, wang: Client
) -> None:
    from pytestqt.qtbot import QtBot

    from fieldkit.sync.auto import AutoSyncSettings
    from fieldkit.ui.main_window import MainWindow
    from fieldkit.ui.sync_status import SyncBridge

    assert isinstance(qtbot, QtBot)
    office.new_job("wang")
    bridge = SyncBridge(wang.ctx, AutoSyncSettings(interval_s=0.3, after_change_s=0.05))
    window = MainWindow(wang.ctx, sync=bridge)
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: window.model.total > 0, timeout=30_000)
        assert server.admin("revoke", "wang", "--wipe").returncode == 0
        qtbot.waitUntil(lambda: "lost or stolen" in window.sync_label.text(), timeout=30_000)
        assert window.model.total == 0 and window.model.rowCount() == 0
        assert not window.workspace.isEnabled()
    finally:
        bridge.stop()
