"""Offline shows at once: a real service center is stopped and the status bar says so (words,
colour, icon) within seconds of the first failed request, the sync dialog says what it waits
for and shows its whole reason; the OS reporting the network gone shows offline before any
request; quitting with unsynced changes asks, and both answers do what they say."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.services import jobs, queries
from fieldkit.sync.auto import AutoSyncSettings
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import QApplication, QObject, Qt, QTimer, Signal, network_information
from fieldkit.ui.status_bar import QuitPrompt
from fieldkit.ui.sync_dialogs import SyncProgressDialog
from fieldkit.ui.sync_status import SyncBridge
from fieldkit.ui.theme import apply_theme, current_theme
from tests.support.server import Client, Office, Server, copy_template, make_client, start_server

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
# Nothing runs by the clock in these tests: only what the test does starts a sync.
QUIET = AutoSyncSettings(interval_s=600, after_change_s=0.05, offline_retry_s=600)


@pytest.fixture(autouse=True)
def themed(qapp: QApplication) -> Iterator[None]:
    apply_theme(qapp, "light")  # the colours of the status bar come from the theme's rules
    yield
    qapp.setStyleSheet("")


@pytest.fixture
def center(server_template: Path, tmp_path: Path) -> Iterator[Server]:
    srv = start_server(copy_template(server_template, tmp_path / "server"))
    yield srv
    srv.stop()


@pytest.fixture
def wang(center: Server, tmp_path: Path) -> Iterator[Client]:
    client = make_client(center.url, "wang", tmp_path / "wang")
    yield client
    client.close()


opened: list[object] = []


def online_window(qtbot: QtBot, wang: Client) -> tuple[MainWindow, SyncBridge]:
    bridge = SyncBridge(wang.ctx, QUIET)
    window = MainWindow(wang.ctx, sync=bridge)
    qtbot.addWidget(window)
    opened.clear()
    window.present = lambda dialog: (opened.append(dialog), dialog.show())  # looked at below
    window.show()
    with qtbot.waitActive(window):  # its shortcuts (F5, Ctrl+Q) reach it as on a screen
        window.activateWindow()
    qtbot.waitUntil(lambda: window.sync_label.text().startswith("Online"), timeout=30_000)
    assert window.sync_label.property("role") == "ok"
    ok = current_theme().colour("ok")
    assert window.sync_label.palette().color(window.sync_label.foregroundRole()).name() == ok
    assert window.sync_indicator.icon.colour().name() == ok  # the dot, in the same colour
    return window, bridge


def test_a_stopped_center_shows_offline_within_seconds_and_the_reason_in_full(
    qtbot: QtBot, center: Server, wang: Client
) -> None:
    window, bridge = online_window(qtbot, wang)
    try:
        center.stop()
        started = time.monotonic()
        qtbot.keyClick(window, Qt.Key.Key_F5)  # "Sync now": its first request fails
        dialog = opened[-1]
        assert isinstance(dialog, SyncProgressDialog)
        qtbot.waitUntil(lambda: window.sync_label.text().startswith("Offline"), timeout=10_000)
        # The transport still retries with backoff (several seconds); offline shows first.
        assert time.monotonic() - started < 3.0
        assert window.sync_label.property("role") == "warning"
        assert window.sync_indicator.icon.colour().name() == current_theme().colour("warning")
        # The dialog's own sync (after any sync already running) says what it waits for.
        qtbot.waitUntil(lambda: "trying again" in dialog.phase.text(), timeout=30_000)
        assert dialog.outcome is None
        assert dialog.bar.maximum() == 0  # busy: it says what it waits for, it is not stuck
        qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=60_000)
        reason = dialog.detail.text()
        assert reason.startswith("The service center cannot be reached")
        assert reason.endswith("will be sent later.")  # the whole sentence, not cut off
        assert dialog.detail.wordWrap()
        assert dialog.detail.geometry().right() <= dialog.width()
        assert reason in window.sync_indicator.toolTip()
        assert window.sync_label.text().startswith("Offline")
    finally:
        bridge.stop()


def test_a_center_back_on_its_port_is_seen_within_seconds(
    qtbot: QtBot, center: Server, wang: Client
) -> None:
    window, bridge = online_window(qtbot, wang)
    try:
        center.stop()
        qtbot.keyClick(window, Qt.Key.Key_F5)
        dialog = opened[-1]
        assert isinstance(dialog, SyncProgressDialog)
        qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=60_000)  # retries done
        assert window.sync_label.text().startswith("Offline")
        port = int(center.url.rsplit(":", 1)[1])
        again = start_server(center.data_dir, port=port)
        try:
            back = time.monotonic()
            # The next full retry is 10 minutes away (QUIET); a light look every 5 s sees it.
            qtbot.waitUntil(lambda: window.sync_label.text().startswith("Online"), timeout=20_000)
            assert time.monotonic() - back < 12
        finally:
            again.stop()
    finally:
        bridge.stop()


class Network(QObject):
    """What the OS says about the network (the machine's own network cannot be unplugged
    in a test): the same signal as QNetworkInformation."""

    reachabilityChanged = Signal(object)


def test_the_os_losing_the_network_shows_offline_at_once_and_back_syncs(
    qtbot: QtBot, center: Server, office: Office, wang: Client
) -> None:
    info = network_information()
    assert info.loadBackendByFeatures(info.Feature.Reachability)  # the window follows it
    window, bridge = online_window(qtbot, wang)
    network = Network()
    bridge.watch_network(network)
    levels = network_information().Reachability
    try:
        network.reachabilityChanged.emit(levels.Disconnected)
        qtbot.waitUntil(lambda: window.sync_label.text().startswith("Offline"), timeout=1_000)
        before = window.model.total
        office.new_job("wang")
        network.reachabilityChanged.emit(levels.Online)  # back: a sync starts without a click
        qtbot.waitUntil(lambda: window.model.total == before + 1, timeout=30_000)
        assert window.sync_label.text().startswith("Online")
    finally:
        bridge.stop()


@pytest.fixture
def office(center: Server) -> Office:
    return Office(center.url)


def answer_quit(qtbot: QtBot, button: str, seen: list[str]) -> None:
    """Click ``button`` of the quit question once it is on screen."""

    def look() -> None:
        prompt = QApplication.activeModalWidget()
        if not isinstance(prompt, QuitPrompt):
            QTimer.singleShot(20, look)
            return
        seen.append(prompt.text())
        qtbot.mouseClick(getattr(prompt, button), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, look)


def test_quitting_with_unsynced_changes_asks_and_keep_for_later_keeps_them(
    qtbot: QtBot, center: Server, wang: Client
) -> None:
    window, bridge = online_window(qtbot, wang)
    center.stop()  # as in the field: quitting while the center cannot be reached
    try:
        job = queries.job_ids(wang.ctx, queries.JobFilter())[0]
        jobs.add_note(wang.ctx, job, "unsynced note")
        window.refresh_status()
        assert "1 unsynced change" in window.sync_label.text()
        assert "changes" not in window.sync_label.text()  # one change, not "1 ... changes"
        seen: list[str] = []
        answer_quit(qtbot, "stay", seen)
        qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        assert seen == ["1 change is not yet at the service center."]
        assert window.isVisible()  # "Don't quit" keeps the app open
        with qtbot.waitActive(window):
            window.activateWindow()
        answer_quit(qtbot, "keep", seen)
        qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: not window.isVisible())
        assert len(seen) == 2
        assert queries.sync_summary(wang.ctx).pending == 1  # kept for the next sync
    finally:
        bridge.stop()


def test_quitting_with_sync_now_sends_the_changes_first(
    qtbot: QtBot, center: Server, office: Office, wang: Client
) -> None:
    window, bridge = online_window(qtbot, wang)
    window.present = lambda dialog: dialog.exec()  # as on a real screen: quit waits for it
    try:
        job = queries.job_ids(wang.ctx, queries.JobFilter())[0]
        jobs.add_note(wang.ctx, job, "first")
        jobs.add_note(wang.ctx, job, "second")
        seen: list[str] = []
        results: list[str] = []

        def close_when_done() -> None:
            dialog = QApplication.activeModalWidget()
            if not isinstance(dialog, SyncProgressDialog) or dialog.outcome is None:
                QTimer.singleShot(50, close_when_done)
                return
            results.append(dialog.detail.text())
            qtbot.mouseClick(dialog.cancel, Qt.MouseButton.LeftButton)  # now "Close"

        answer_quit(qtbot, "sync_now", seen)
        QTimer.singleShot(0, close_when_done)
        qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        assert seen == ["2 changes are not yet at the service center."]
        # Sent by this sync, or by the background sync a local change starts, which may
        # have been on its way already: either way the center has both before the app quits.
        assert results and results[0].startswith("Sent")
        assert queries.sync_summary(wang.ctx).pending == 0
        qtbot.waitUntil(lambda: not window.isVisible())
    finally:
        bridge.stop()
