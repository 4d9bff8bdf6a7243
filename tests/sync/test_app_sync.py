"""The window syncs in the background: jobs dispatched by the office appear by themselves,
and a step taken in the app reaches the center without anyone pressing sync."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from fieldkit.sync.auto import AutoSyncSettings
from fieldkit.ui.job_list_model import JobIdRole
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.sync_status import SyncBridge
from tests.support.server import Client, Office, Server

FAST = AutoSyncSettings(interval_s=0.3, after_change_s=0.05, offline_retry_s=0.2)


def test_window_syncs_in_the_background(
    qtbot: QtBot, server: Server, office: Office, wang: Client
) -> None:
    bridge = SyncBridge(wang.ctx, FAST)
    window = MainWindow(wang.ctx, sync=bridge)
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: window.model.total > 0, timeout=30_000)  # first sync, no click
        assert window.sync_label.text().startswith("Online")
        before = window.model.total
        job = office.new_job("wang")
        qtbot.waitUntil(lambda: window.model.total == before + 1, timeout=30_000)
        row = next(
            r
            for r in range(window.model.rowCount())
            if window.model.data(window.model.index(r, 0), JobIdRole) == job
        )
        window.table.setCurrentIndex(window.model.index(row, 0))
        assert window.workspace.run("accept")
        qtbot.waitUntil(
            lambda: next(j for j in office.jobs("wang") if j["id"] == job)["status"] == "accepted",
            timeout=30_000,
        )
    finally:
        bridge.stop()
