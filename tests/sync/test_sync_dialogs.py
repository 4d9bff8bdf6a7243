"""Login, sync-now progress and the refused-changes list, driven as the engineer would,
against a real service center on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.domain.clock import SystemClock
from fieldkit.services import conflicts, jobs, queries
from fieldkit.services.context import open_context
from fieldkit.sync import session
from fieldkit.sync.auto import AutoSyncSettings, Connection, SyncState
from fieldkit.sync.engine import Progress
from fieldkit.ui.qt import QDialog, Qt
from fieldkit.ui.sync_dialogs import ConflictsDialog, LoginDialog, SyncProgressDialog
from fieldkit.ui.sync_status import SyncBridge
from tests.support.keyrings import MemoryKeyring
from tests.support.server import PASSWORD, Client, Office, Server

FAST = AutoSyncSettings(interval_s=60, after_change_s=0.05, offline_retry_s=0.2)


@pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen
def test_login_dialog_refuses_a_wrong_password_then_logs_in(
    qtbot: QtBot, server: Server, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    ctx = open_context(tmp_path / "app", "wang", SystemClock())
    try:
        dialog = LoginDialog(ctx)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.server.clear()
        qtbot.keyClicks(dialog.server, server.url)
        dialog.user.clear()
        qtbot.keyClicks(dialog.user, "wang")
        qtbot.keyClicks(dialog.password, "not-the-password")
        qtbot.mouseClick(dialog.login, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.login.isEnabled(), timeout=30_000)
        assert dialog.message.text().startswith("Login failed")
        assert dialog.password.text() == ""  # not kept around
        assert session.account(ctx) is None

        qtbot.keyClicks(dialog.password, PASSWORD)
        with qtbot.waitSignal(dialog.accepted, timeout=30_000):
            qtbot.keyClick(dialog.password, Qt.Key.Key_Return)  # Enter logs in too
        account = session.account(ctx)
        assert account is not None and account.username == "wang"
        assert memory_keyring.secrets  # the token went to the keyring, nowhere else
        assert session.uses_real_center(ctx)
    finally:
        ctx.db.close()


@pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen
def test_sync_now_shows_progress_and_the_result(
    qtbot: QtBot, server: Server, office: Office, wang: Client
) -> None:
    for _ in range(3):
        office.new_job("wang")
    from fieldkit.ui.main_window import MainWindow

    bridge = SyncBridge(wang.ctx, FAST)
    window = MainWindow(wang.ctx, sync=bridge)  # starts the background sync
    qtbot.addWidget(window)
    opened: list[QDialog] = []

    def present(dialog: QDialog) -> None:
        opened.append(dialog)
        dialog.show()

    window.present = present
    window.show()
    with qtbot.waitActive(window):  # F5 reaches the window as on a screen
        window.activateWindow()
    try:
        phases: list[str] = []
        bridge.progress.connect(lambda p: phases.append(p.phase))
        qtbot.keyClick(window, Qt.Key.Key_F5)  # "Sync now"
        (dialog,) = opened
        assert isinstance(dialog, SyncProgressDialog)
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=30_000)
        assert dialog.outcome is not None and dialog.outcome.connection is Connection.ONLINE
        assert "pull" in phases
        summary = dialog.detail.text()
        assert summary.startswith("Sent 0, received")
        assert dialog.cancel.text() == "Close"
        # The background sync goes on; its later progress and result leave this one shown.
        # (Emitted as the sync worker would: no person produces a sync result.)
        dialog.show_progress(Progress("pull", 0, 0))
        dialog.finished_with(SyncState(Connection.OFFLINE, None, "Working offline"))
        assert dialog.detail.text() == summary and dialog.outcome.connection is Connection.ONLINE
        assert len(queries.job_ids(wang.ctx, queries.JobFilter())) >= 3
    finally:
        bridge.stop()


def test_refused_changes_are_listed_and_decided(
    qtbot: QtBot, server: Server, office: Office, wang: Client
) -> None:
    job = office.new_job("wang")
    wang.sync()
    jobs.accept_job(wang.ctx, job)
    office.assign(job, "li")  # the office gave the job to li meanwhile
    wang.sync()
    decided: list[bool] = []
    dialog = ConflictsDialog(wang.ctx, lambda: decided.append(True))
    qtbot.addWidget(dialog)
    assert dialog.items.count() == 1
    assert "re-assigned" in dialog.items.item(0).text()
    qtbot.mouseClick(dialog.use_server, Qt.MouseButton.LeftButton)
    assert decided == [True]
    assert dialog.items.count() == 0 and not dialog.empty.isHidden()
    assert conflicts.inbox(wang.ctx) == []
    assert dialog.result() != QDialog.DialogCode.Accepted  # stays open for the next one


def test_the_status_bar_shows_refused_changes_and_opens_them(
    qtbot: QtBot, server: Server, office: Office, wang: Client
) -> None:
    from fieldkit.ui.main_window import MainWindow

    window = MainWindow(wang.ctx, online=False)
    qtbot.addWidget(window)
    assert window.refused.isHidden()
    job = office.new_job("wang")
    wang.sync()
    jobs.accept_job(wang.ctx, job)
    office.assign(job, "li")
    wang.sync()
    window.refresh_status()
    assert not window.refused.isHidden()
    assert window.refused.text() == "1 refused by the center: review"
    shown: list[QDialog] = []
    window.present = shown.append
    qtbot.mouseClick(window.refused, Qt.MouseButton.LeftButton)
    (dialog,) = shown
    assert isinstance(dialog, ConflictsDialog)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.use_server, Qt.MouseButton.LeftButton)  # the status bar follows
    assert window.refused.isHidden()
