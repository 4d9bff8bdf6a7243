"""After a file picker closes and the checklist row is rebuilt with the attached file, the
focus is on that row's button again, not in the search box with its text selected (where the
next keystroke replaced the search)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.domain.enums import CauseArea, CauseOrigin
from fieldkit.services import jobs
from fieldkit.services.context import ServiceContext
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import (
    QApplication,
    QDialog,
    QPushButton,
    Qt,
    QTimer,
)
from tests.services.fixtures import seed_job

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen


def picker(qtbot: QtBot, path: Path) -> Callable[[str, object], Path | None]:
    """A modal picker (the window loses and regains activation, as with the OS's) whose
    Open button is pressed once it shows; it hands back ``path``."""

    def choose(title: str, _kind: object) -> Path | None:
        dialog = QDialog()
        dialog.setWindowTitle(title)
        open_button = QPushButton("Open", dialog)
        open_button.clicked.connect(dialog.accept)

        def press() -> None:
            if QApplication.activeModalWidget() is not dialog:
                QTimer.singleShot(20, press)
                return
            qtbot.mouseClick(open_button, Qt.MouseButton.LeftButton)

        QTimer.singleShot(0, press)
        return path if dialog.exec() == QDialog.DialogCode.Accepted else None

    return choose


def test_focus_returns_to_the_checklist_after_the_file_picker(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path
) -> None:
    seed_job(ctx, status="travelling")
    jobs.record_arrival(ctx, "j1", "赵伟")
    jobs.start_diagnosis(ctx, "j1")
    jobs.classify_cause(ctx, "j1", CauseArea.SOFTWARE, CauseOrigin.SYSTEM_FAULT, "配置丢失")
    backup = tmp_path / "config.tar"
    backup.write_bytes(b"exported configuration")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClicks(window.search, "j")  # something typed in the search earlier
    rect = window.table.visualRect(window.model.index(0, 1))
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    panel = window.workspace.backup

    def attach_button() -> QPushButton | None:
        for button in panel.findChildren(QPushButton, "attach"):
            if button.isVisible() and button.text() == "Attach backup file…":
                return button
        return None

    qtbot.waitUntil(lambda: attach_button() is not None)  # the rows show on the next turn
    attach = attach_button()
    assert attach is not None
    row_id = attach.parentWidget().property("item_id")
    panel._choose = picker(qtbot, backup)  # the seam other workspace tests use
    qtbot.mouseClick(attach, Qt.MouseButton.LeftButton)

    def replaced() -> bool:
        rows = [b for b in panel.findChildren(QPushButton, "attach") if b.isVisible()]
        done = "Replace backup file…"
        return any(
            b.parentWidget().property("item_id") == row_id and b.text() == done for b in rows
        )

    qtbot.waitUntil(replaced, timeout=10000)
    window.activateWindow()  # as the window manager does once the picker is gone
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    focus = QApplication.focusWidget()
    assert focus is not window.search, "the focus went to the search box"
    assert isinstance(focus, QPushButton) and focus.objectName() == "attach"
    assert focus.parentWidget().property("item_id") == row_id
    assert window.search.selectedText() == ""
    qtbot.keyClicks(window, "x")  # the next keystroke leaves the search as it was
    assert window.search.text() == "j"
