"""Where the main window opens: inside the screen with its frame, maximised on a small screen
the first time, and where it was left the next time (clamped to the screen it opens on);
and the job list folding away beside the workspace when the window is narrow."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.services.context import ServiceContext
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import QApplication, QMargins, QRect, Qt
from fieldkit.ui.window_fit import (
    ASSUMED_FRAME,
    GEOMETRY_KEY,
    WindowPlacement,
    fitted,
    window_settings,
)
from tests.services.fixtures import seed_job

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen


def free_area() -> QRect:
    screen = QApplication.primaryScreen()
    assert screen is not None
    return screen.availableGeometry()


def open_window(qtbot: QtBot, ctx: ServiceContext, data: Path) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    WindowPlacement(window, window_settings(data)).place()
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(20)
    return window


def close(qtbot: QtBot, window: MainWindow) -> None:
    window.close()  # as Ctrl+Q does once nothing is waiting to be sent
    qtbot.waitUntil(lambda: not window.isVisible())


def test_a_client_area_the_size_of_the_screen_leaves_room_for_the_frame() -> None:
    screen = QRect(0, 0, 1280, 800)
    inside = fitted(QRect(0, 0, 1280, 800), ASSUMED_FRAME, screen)
    framed = inside.marginsAdded(ASSUMED_FRAME)
    assert screen.contains(framed)
    assert inside.height() == 800 - ASSUMED_FRAME.top() - ASSUMED_FRAME.bottom()
    # A window off the bottom right comes back whole, its frame included.
    frame = QMargins(1, 30, 1, 1)
    moved = fitted(QRect(1000, 700, 600, 400), frame, screen)
    assert screen.contains(moved.marginsAdded(frame)) and moved.size().width() == 600


def test_first_start_on_a_small_screen_opens_maximised_and_inside_it(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path
) -> None:
    window = open_window(qtbot, ctx, tmp_path)  # the test screen is 800x800
    assert window.isMaximized()
    assert free_area().contains(window.frameGeometry())
    assert free_area().contains(window.normalGeometry().marginsAdded(ASSUMED_FRAME))


def test_size_place_and_maximised_state_are_remembered(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path
) -> None:
    window = open_window(qtbot, ctx, tmp_path)
    window.showNormal()
    window.setGeometry(QRect(60, 80, 640, 500))
    qtbot.wait(20)
    close(qtbot, window)
    again = open_window(qtbot, ctx, tmp_path)
    assert not again.isMaximized()
    assert again.geometry() == QRect(60, 80, 640, 500)
    again.showMaximized()
    qtbot.waitUntil(again.isMaximized)
    close(qtbot, again)
    third = open_window(qtbot, ctx, tmp_path)
    assert third.isMaximized()
    assert third.normalGeometry() == QRect(60, 80, 640, 500)  # where un-maximising puts it


def test_a_window_left_on_a_larger_screen_is_clamped_to_this_one(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path
) -> None:
    big = MainWindow(ctx)
    qtbot.addWidget(big)
    big.setGeometry(QRect(1500, 900, 1800, 1100))  # a 4K desktop's window, far off this screen
    settings = window_settings(tmp_path)
    settings.setValue(GEOMETRY_KEY, big.saveGeometry())
    settings.sync()
    window = open_window(qtbot, ctx, tmp_path)
    assert free_area().contains(window.frameGeometry())
    assert window.minimumSizeHint().height() <= free_area().height()


def test_on_a_narrow_window_the_list_folds_away_for_the_job(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path
) -> None:
    seed_job(ctx, job_id="j1")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 760)
    window.show()
    qtbot.waitExposed(window)
    assert window.table.isVisible() and window.tabs.isVisible()  # both fit side by side
    window.resize(780, 560)  # a 1280x800 tablet at 150 % leaves 853x533 for everything
    qtbot.waitUntil(lambda: window.fold.narrow)
    assert window.table.isVisible() and not window.tabs.isVisible()  # the list, whole
    rect = window.table.visualRect(window.model.index(0, 1))
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.workspace.job_id == "j1"
    assert window.tabs.isVisible() and not window.table.isVisible()  # the job in its place
    qtbot.mouseClick(window.list_button, Qt.MouseButton.LeftButton)  # back to the list
    assert window.table.isVisible() and not window.tabs.isVisible()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    focus = QApplication.focusWidget() or window
    qtbot.keyClick(focus, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # keyboard: the job
    qtbot.waitUntil(lambda: window.tabs.isVisible())
    assert not window.table.isVisible()
    window.resize(1280, 760)  # room again: side by side, the list at its columns' width
    qtbot.waitUntil(lambda: not window.fold.narrow)
    assert window.table.isVisible() and window.tabs.isVisible()
    assert window.table.width() >= window.fold.list_width()
