"""The job list while working: what each job is about, the open job stays selected and in
view after a step, the filter is applied again, and Tab leaves the list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m
from fieldkit.ui.job_list_model import COLUMNS, JobIdRole
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import QApplication, Qt
from fieldkit.ui.theme import apply_theme, current_theme
from tests.services.fixtures import seed_job

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def many_jobs(ctx: ServiceContext, count: int = 30) -> None:
    for n in range(count):
        seed_job(ctx, job_id=f"j{n:02d}")
    with ctx.db.write() as s:  # different deadlines: the list has an order to keep
        for n in range(count):
            job = s.get(m.Job, f"j{n:02d}")
            assert job is not None
            job.respond_by = ctx.clock.now() + timedelta(minutes=10 + n)
            job.fault_description = f"门禁控制器离线 controller {n} offline\n第二行"


def shown_window(qtbot: QtBot, ctx: ServiceContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def row_of(window: MainWindow, job_id: str) -> int | None:
    model = window.model
    for r in range(model.rowCount()):
        if model.data(model.index(r, 0), JobIdRole) == job_id:
            return r
    return None


def click_row(qtbot: QtBot, window: MainWindow, job_id: str) -> None:
    row = row_of(window, job_id)
    assert row is not None
    index = window.model.index(row, COLUMNS.index("job"))
    window.table.scrollTo(index)
    rect = window.table.visualRect(index)
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.workspace.job_id == job_id


def selected_and_visible(window: MainWindow, job_id: str) -> bool:
    current = window.table.currentIndex()
    if not current.isValid() or window.model.data(current, JobIdRole) != job_id:
        return False
    rect = window.table.visualRect(current)
    return window.table.selectionModel().isRowSelected(
        current.row()
    ) and window.table.viewport().rect().contains(rect.center())


def test_each_row_shows_the_fault_as_reported(qtbot: QtBot, ctx: ServiceContext) -> None:
    many_jobs(ctx, 2)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    cell = window.model.index(row_of(window, "j01") or 0, COLUMNS.index("customer"))
    who, fault = str(window.model.data(cell)).split("\n")
    assert who == "上海示例大厦物业 · 主楼"
    assert fault == "门禁控制器离线 controller 1 offline 第二行"  # one line in the list
    assert "第二行" in str(window.model.data(cell, Qt.ItemDataRole.ToolTipRole))


def test_the_open_job_stays_selected_and_in_view_after_each_step(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    many_jobs(ctx)
    window = shown_window(qtbot, ctx)
    ws = window.workspace
    click_row(qtbot, window, "j27")  # far down the list
    for step in ("Accept job", "Depart for site"):
        assert ws.primary.text() == step
        qtbot.mouseClick(ws.primary, Qt.MouseButton.LeftButton)
        assert selected_and_visible(window, "j27"), step
    assert ws.job_id == "j27"
    # A sort re-reads the list too.
    window.table.sortByColumn(COLUMNS.index("job"), Qt.SortOrder.DescendingOrder)
    assert selected_and_visible(window, "j27")


def test_the_filter_is_applied_again_after_a_step(qtbot: QtBot, ctx: ServiceContext) -> None:
    many_jobs(ctx, 5)
    window = shown_window(qtbot, ctx)
    window.status_filter.setFocus()
    qtbot.keyClicks(window.status_filter, "Assigned")
    assert window.status_filter.currentData() == "assigned"
    click_row(qtbot, window, "j02")
    qtbot.mouseClick(window.workspace.primary, Qt.MouseButton.LeftButton)  # accept
    assert row_of(window, "j02") is None  # accepted: no longer under "Assigned"
    assert window.model.rowCount() == 4
    assert window.workspace.job_id == "j02"  # the work in hand stays open


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[None]:
    apply_theme(qapp, "light")  # the focus ring is the theme's
    yield
    qapp.setStyleSheet("")


def test_tab_leaves_the_list_and_arrows_walk_its_rows(
    qtbot: QtBot, ctx: ServiceContext, themed: None
) -> None:
    many_jobs(ctx, 5)
    window = shown_window(qtbot, ctx)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    click_row(qtbot, window, "j01")  # a tap on a row puts the focus in the list
    assert QApplication.focusWidget() is window.table
    focused = window.table.grab().toImage().pixelColor(0, 40).name()
    qtbot.keyPress(window.table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not window.table
    assert window.workspace.job_id == "j01"  # Tab opened no other job
    unfocused = window.table.grab().toImage().pixelColor(0, 40).name()
    assert focused == current_theme().focus and unfocused != focused  # a visible focus frame
    window.table.setFocus()
    qtbot.keyPress(window.table, Qt.Key.Key_Down)
    assert window.workspace.job_id == "j02"
