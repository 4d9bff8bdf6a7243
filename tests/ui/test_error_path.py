"""One error path: a full disk under a button is one plain sentence and loses nothing, a bug
in a slot or a thread is logged and reported with copyable details, and Export diagnostics
(from the menu) holds the log, versions and schema but never a secret."""

from __future__ import annotations

import logging
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.domain.clock import FixedClock
from fieldkit.i18n import set_language
from fieldkit.logs import log_path, setup_logging
from fieldkit.services import jobs, queries
from fieldkit.services.context import ServiceContext, open_context
from fieldkit.services.settings import set_setting
from fieldkit.sync import session
from fieldkit.ui import errors
from fieldkit.ui.diagnostics import DiagnosticsDialog
from fieldkit.ui.errors import BugDialog
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import QApplication, QLabel, QPushButton, Qt
from tests.conftest import NOW
from tests.services.fixtures import seed_job
from tests.support.keyrings import MemoryKeyring
from tests.support.small_disk import fill, small_disk

# The offscreen platform cannot do these for a window or a popup menu.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)
FULL_ZH = "设备存储空间已满：请释放一些空间；已保存的内容都没有丢失。"


@pytest.fixture
def hooks() -> Iterator[None]:
    import sys

    saved = sys.excepthook, threading.excepthook
    yield
    sys.excepthook, threading.excepthook = saved
    for handler in list(logging.getLogger().handlers):
        if getattr(handler, "fieldkit_log", False):
            logging.getLogger().removeHandler(handler)
            handler.close()


def open_window(qtbot: QtBot, ctx: ServiceContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1600, 1000)  # wide enough for the list and the job side by side
    window.show()
    window.table.setCurrentIndex(window.model.index(0, 0))
    return window


def bug_dialogs() -> list[BugDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, BugDialog) and w.isVisible()]


def test_a_full_disk_under_a_button_is_one_sentence_and_nothing_is_lost(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with small_disk(tmp_path / "disk", size_mb=3) as disk:
        clock = FixedClock(NOW)
        ctx = open_context(disk / "data", "eng-wang", clock)
        job = seed_job(ctx)
        jobs.add_note(ctx, job, "written before the disk filled")
        set_language("zh_CN")
        try:
            window = open_window(qtbot, ctx)
            ws = window.workspace
            fill(disk)
            for _ in range(40):  # a free WAL page may take one more write: keep tapping
                qtbot.mouseClick(ws.primary, Qt.MouseButton.LeftButton)
                if ws.reason.text():
                    break
            assert ws.reason.text() == FULL_ZH
            assert ws.reason.isVisible() and bug_dialogs() == []
            window.close()
        finally:
            set_language("en")
            ctx.db.close()
        again = open_context(disk / "data", "eng-wang", clock)
        try:
            detail = queries.job_detail(again, job)
            assert detail.status in ("assigned", "accepted")  # whole, or not at all
            with again.db.read() as s:
                from fieldkit.store import models as m

                notes = {r.note for r in s.query(m.WorkLogEntry).filter_by(kind="note")}
            assert "written before the disk filled" in notes
        finally:
            again.db.close()


@pytest.mark.qt_no_exception_capture
def test_a_bug_in_a_slot_or_a_thread_is_logged_and_reported(
    qtbot: QtBot, tmp_path: Path, hooks: None
) -> None:
    log_file = setup_logging(tmp_path / "data")
    errors.install(log_file)
    button = QPushButton("Faulty")
    qtbot.addWidget(button)
    button.show()

    def faulty() -> None:
        raise RuntimeError("fault in a slot 7f3a")

    button.clicked.connect(faulty)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(bug_dialogs()) == 1)
    dialog = bug_dialogs()[0]
    assert "RuntimeError: fault in a slot 7f3a" in dialog.details.toPlainText()
    assert any(str(log_file) in label.text() for label in dialog.findChildren(QLabel))
    qtbot.mouseClick(dialog.copy, Qt.MouseButton.LeftButton)
    assert "fault in a slot 7f3a" in QApplication.clipboard().text()
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bug_dialogs() == [])
    for handler in logging.getLogger().handlers:
        handler.flush()
    logged = log_path(tmp_path / "data").read_text(encoding="utf-8")
    assert "uncaught exception" in logged and "fault in a slot 7f3a" in logged

    worker = threading.Thread(target=lambda: 1 / 0, name="worker-bug")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(bug_dialogs()) == 1)
    assert "ZeroDivisionError" in bug_dialogs()[0].details.toPlainText()
    bug_dialogs()[0].close()


def click_menu_item(qtbot: QtBot, window: MainWindow, text: str) -> None:
    menu = window._menu
    menu.popup(window.mapToGlobal(window.rect().topLeft()))
    qtbot.waitUntil(menu.isVisible)
    action = next(a for a in menu.actions() if a.text() == text)
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


def test_export_diagnostics_from_the_menu_never_holds_a_secret(
    qtbot: QtBot, tmp_path: Path, hooks: None
) -> None:
    keys = MemoryKeyring()
    import keyring

    previous = keyring.get_keyring()
    keyring.set_keyring(keys)
    ctx = open_context(tmp_path / "data", "eng-wang", FixedClock(NOW))
    try:
        seed_job(ctx)
        token = "tok-SECRET-d41d8cd98f00b204e9800998ecf8427e"
        password = "pw-SECRET-correct-horse"
        session.credentials().save("https://center.example", "wang", token)
        set_setting(ctx, "sync.server_url", "https://center.example")
        set_setting(ctx, "sync.username", "wang")
        set_setting(ctx, "smtp.password", password)
        setup_logging(tmp_path / "data")
        logging.getLogger("fieldkit.test").warning("sent Authorization: Bearer %s", token)
        logging.getLogger("fieldkit.test").warning("retry with %s", token)
        for handler in logging.getLogger().handlers:
            handler.flush()
        window = open_window(qtbot, ctx)
        click_menu_item(qtbot, window, "Export diagnostics…")
        qtbot.waitUntil(
            lambda: any(isinstance(w, DiagnosticsDialog) for w in QApplication.topLevelWidgets())
        )
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, DiagnosticsDialog))
        bundle = Path(dialog.path.text())
        assert bundle.parent == tmp_path / "data" / "diagnostics"
        with zipfile.ZipFile(bundle) as z:
            names = set(z.namelist())
            everything = b"".join(z.read(n) for n in names)
            versions = z.read("versions.txt").decode()
            schema = z.read("schema.txt").decode()
            logged = z.read("logs/fieldkit.log").decode()
        assert {"versions.txt", "schema.txt", "settings.json", "sync.txt"} <= names
        assert "FieldKit " in versions and "PySide6 " in versions
        assert "data file: 0006" in schema or "data file: 0" in schema
        assert "retry with [redacted]" in logged and "Bearer [redacted]" in logged
        private = keys.get_password("fieldkit", f"device-key:{ctx.device_id}")
        for secret in filter(None, (token, password, private)):
            assert secret.encode() not in everything
        assert b"https://center.example" in everything  # settings are there, secrets are not
        qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    finally:
        keyring.set_keyring(previous)
        ctx.db.close()
