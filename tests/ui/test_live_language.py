"""Language and size chosen in Settings change the open windows at once, with no restart:
the main window, the job workspace and the status bar show the new language, and text and
touch targets grow with the scale."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.i18n import current_language
from fieldkit.services.context import ServiceContext
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import QApplication, QDialog, Qt
from fieldkit.ui.settings_dialog import SettingsDialog
from fieldkit.ui.touch import apply_touch_sizes, touch_px
from tests.services.fixtures import seed_job

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen


@pytest.fixture
def app_font(qapp: QApplication) -> Iterator[None]:
    """The application's font, rules and touch size as they were: later tests see no trace."""
    font, sheet, touch = qapp.font(), qapp.styleSheet(), qapp.property("fieldkitTouchPx")
    yield
    for key in ("fieldkitBaseFontPt", "fieldkitStartScale", "fieldkitLiveFactor"):
        qapp.setProperty(key, None)
    qapp.setFont(font)
    qapp.setStyleSheet(sheet)
    qapp.setProperty("fieldkitTouchPx", touch)


def open_window(qtbot: QtBot, ctx: ServiceContext) -> tuple[MainWindow, list[QDialog]]:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    shown: list[QDialog] = []

    def present(dialog: QDialog) -> None:  # offscreen: shown, not run modally
        shown.append(dialog)
        dialog.show()

    window.present = present
    rect = window.table.visualRect(window.model.index(0, 1))
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.workspace.job_id == "j1"
    return window, shown


def open_settings(qtbot: QtBot, window: MainWindow, shown: list[QDialog]) -> SettingsDialog:
    window.activateWindow()  # back from the last dialog: a shortcut needs its window active
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.search, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialog = shown.pop()
    assert isinstance(dialog, SettingsDialog)
    qtbot.addWidget(dialog)
    return dialog


def pick(qtbot: QtBot, combo: object, presses: list[Qt.Key]) -> None:
    for key in presses:
        qtbot.keyClick(combo, key)  # type: ignore[arg-type]


def texts(window: MainWindow) -> dict[str, str]:
    return {
        "search": window.search.placeholderText(),
        "list button": window.list_button.text(),
        "status filter": window.status_filter.itemText(0),
        "severity": window.severity_filter.itemText(1),
        "tab": window.tabs.tabText(1),
        "header": str(window.model.headerData(1, Qt.Orientation.Horizontal)),
        "menu": window.menuBar().actions()[0].menu().actions()[0].text(),  # type: ignore[union-attr]
        "big button": window.workspace.primary.text(),
        "status bar": window.sync_label.text(),
        "count": window.count_label.text(),
    }


def test_language_switches_every_open_window_without_a_restart(
    qtbot: QtBot, ctx: ServiceContext, english: None, app_font: None
) -> None:
    seed_job(ctx)
    window, shown = open_window(qtbot, ctx)
    qtbot.waitUntil(lambda: window.count_label.text() == "1 job")
    before = texts(window)
    assert before["big button"] == "Accept job" and before["search"].startswith("Search jobs")
    assert "Offline" in before["status bar"] and before["severity"] == "1 Critical"

    settings = open_settings(qtbot, window, shown)
    pick(qtbot, settings.language, [Qt.Key.Key_End])  # 简体中文, the last choice
    assert settings.language.currentText() == "简体中文"
    qtbot.mouseClick(settings.save_button, Qt.MouseButton.LeftButton)
    assert current_language() == "zh_CN"
    qtbot.waitUntil(lambda: window.count_label.text() == "共 1 个工单")
    zh = texts(window)
    assert zh == {
        "search": zh["search"],
        "list button": "工单列表",
        "status filter": "全部状态",
        "severity": "1 紧急",
        "tab": "现场资料",
        "header": "工单",
        "menu": "立即同步",
        "big button": "接单",
        "status bar": zh["status bar"],
        "count": "共 1 个工单",
    }, zh
    assert zh["search"] != before["search"] and "搜索" in zh["search"]
    assert "离线" in zh["status bar"] and "未同步" in zh["status bar"]
    assert window.workspace.title.text() != ""  # the workspace re-rendered in Chinese

    again = open_settings(qtbot, window, shown)
    pick(qtbot, again.language, [Qt.Key.Key_Home, Qt.Key.Key_Down])  # English
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.count_label.text() == "1 job")
    assert texts(window) == before


def test_size_switch_grows_text_and_touch_targets_at_once(
    qtbot: QtBot, ctx: ServiceContext, english: None, app_font: None, qapp: QApplication
) -> None:
    seed_job(ctx)
    apply_touch_sizes(qapp)
    window, shown = open_window(qtbot, ctx)
    points, target = qapp.font().pointSizeF(), touch_px()
    button = window.workspace.primary.sizeHint().height()
    headline = window.workspace.title.font().pointSizeF()
    search = window.search.sizeHint().height()
    row = window.table.verticalHeader().defaultSectionSize()
    job_column = window.table.columnWidth(1)

    settings = open_settings(qtbot, window, shown)
    pick(qtbot, settings.scale, [Qt.Key.Key_Home, Qt.Key.Key_Down, Qt.Key.Key_Down])
    assert settings.scale.currentText() == "150%"
    qtbot.mouseClick(settings.save_button, Qt.MouseButton.LeftButton)

    assert qapp.font().pointSizeF() == pytest.approx(points * 1.5)
    assert touch_px() >= target * 1.5
    assert window.search.font().pointSizeF() == pytest.approx(points * 1.5)
    assert window.search.sizeHint().height() >= search * 1.4
    assert window.workspace.primary.sizeHint().height() > button
    assert window.workspace.title.font().pointSizeF() == pytest.approx(headline * 1.5)
    assert window.table.verticalHeader().defaultSectionSize() == touch_px() > row
    assert window.table.columnWidth(1) == round(job_column * 1.5)  # the number still fits

    # Too narrow now for the list beside the job (as at a start at 150 %): the list shows
    # alone, and the job is one tap away.
    assert not window.table.isHidden() and window.tabs.isHidden()
    qtbot.mouseClick(window.list_button, Qt.MouseButton.LeftButton)
    assert window.table.isHidden() and not window.tabs.isHidden()

    back = open_settings(qtbot, window, shown)
    pick(qtbot, back.scale, [Qt.Key.Key_Home])  # 100 %
    qtbot.mouseClick(back.save_button, Qt.MouseButton.LeftButton)
    assert qapp.font().pointSizeF() == pytest.approx(points)
    assert touch_px() == target
    assert window.search.sizeHint().height() == search
    assert window.workspace.title.font().pointSizeF() == pytest.approx(headline)
    assert abs(window.table.columnWidth(1) - job_column) <= 1
    assert not window.table.isHidden() and not window.tabs.isHidden()  # side by side again

    # The list folded away while working on the job: a bigger size keeps the job in view.
    qtbot.keyClick(window.search, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.table.isHidden()
    bigger = open_settings(qtbot, window, shown)
    pick(qtbot, bigger.scale, [Qt.Key.Key_End])  # 200 %
    qtbot.mouseClick(bigger.save_button, Qt.MouseButton.LeftButton)
    assert window.table.isHidden() and not window.tabs.isHidden()


def test_heights_set_in_code_follow_a_size_chosen_in_settings(
    qtbot: QtBot, ctx: ServiceContext, english: None, app_font: None, qapp: QApplication
) -> None:
    """The big button (1.2 touch targets), the search field and a dialog's buttons (one)
    follow a size chosen while the app runs, in the windows open then and in a dialog opened
    after; the style sheet's own least height, set when it polishes them, does not undo it."""
    seed_job(ctx)
    apply_touch_sizes(qapp)
    window, shown = open_window(qtbot, ctx)
    big, search = window.workspace.primary, window.search
    start = touch_px()
    assert big.minimumHeight() == math.ceil(start * 1.2) > search.minimumHeight() >= start

    settings = open_settings(qtbot, window, shown)
    assert settings.save_button.minimumHeight() >= start
    pick(qtbot, settings.scale, [Qt.Key.Key_Home, Qt.Key.Key_Down, Qt.Key.Key_Down])
    assert settings.scale.currentText() == "150%"
    qtbot.mouseClick(settings.save_button, Qt.MouseButton.LeftButton)
    grown = touch_px()
    assert grown >= start * 1.5
    assert big.minimumHeight() == math.ceil(grown * 1.2)
    assert search.minimumHeight() >= grown and window.status_filter.minimumHeight() >= grown

    later = open_settings(qtbot, window, shown)  # made after the change
    assert later.save_button.minimumHeight() >= grown
    pick(qtbot, later.scale, [Qt.Key.Key_Home])  # 100 %
    qtbot.mouseClick(later.save_button, Qt.MouseButton.LeftButton)
    assert big.minimumHeight() == math.ceil(start * 1.2)
    assert start <= search.minimumHeight() < grown
    assert start <= later.save_button.minimumHeight() < grown


def test_the_dossier_keeps_its_view_when_the_language_changes(
    qtbot: QtBot, ctx: ServiceContext, english: None, app_font: None
) -> None:
    from fieldkit.store import models as m

    seed_job(ctx)
    with ctx.db.write() as s:
        s.add(m.SiteContact(id="sc1", site_id="s1", role="system_owner", name="赵伟"))
    window, shown = open_window(qtbot, ctx)
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    inner = window.dossier.tabs.tabBar()
    qtbot.mouseClick(inner, Qt.MouseButton.LeftButton, pos=inner.tabRect(1).center())
    registry = window.dossier.registry
    assert "System owner: 赵伟" in window.dossier.summary.text()
    assert registry.count.text() == "1 device found"

    settings = open_settings(qtbot, window, shown)
    pick(qtbot, settings.language, [Qt.Key.Key_End])
    qtbot.mouseClick(settings.save_button, Qt.MouseButton.LeftButton)
    # Still the devices tab of the same site, now in Chinese.
    assert window.tabs.currentWidget() is window.dossier
    assert window.dossier.tabs.currentWidget() is registry
    assert inner.tabText(1) == "设备" and registry.count.text() == "找到 1 台设备"
    assert "系统负责人：赵伟" in window.dossier.summary.text()
    assert registry.devices.horizontalHeaderItem(0).text() == "位号"
