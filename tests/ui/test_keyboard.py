"""The keyboard: Help -> Keyboard shortcuts shows the keys the window really answers to; Tab
walks search -> filters -> list -> workspace -> big button; after the signing screen the
focus is back on the control the engineer left, not in the search box; the dialogs (settings,
signing, approval, file picker) show the focus ring too."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.services.context import ServiceContext
from fieldkit.ui.approval_dialog import ApprovalDialog
from fieldkit.ui.focus_ring import WIDTH, ring_of
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import (
    QApplication,
    QDialog,
    QKeySequence,
    QPalette,
    QPoint,
    QPushButton,
    QRect,
    Qt,
    QTimer,
    QWidget,
)
from fieldkit.ui.settings_dialog import SettingsDialog
from fieldkit.ui.shortcut_map import ShortcutMap
from fieldkit.ui.signing_dialog import SigningDialog
from fieldkit.ui.touch_picker import Place, TouchFilePicker
from tests.services.fixtures import seed_job
from tests.ui.test_quote_drafts_ui import build_draft, quote_tab
from tests.ui.test_signing_screen import workspace_of_a_resolved_job

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen


def active_window(qtbot: QtBot, window: MainWindow) -> None:
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def open_map(qtbot: QtBot, window: MainWindow) -> ShortcutMap:
    shown: list[QDialog] = []
    window.present = shown.append
    qtbot.keyClick(window.search, Qt.Key.Key_F1)
    assert len(shown) == 1 and isinstance(shown[0], ShortcutMap)
    qtbot.addWidget(shown[0])
    return shown[0]


def listed(shortcuts: ShortcutMap) -> dict[str, str]:
    table = shortcuts.table
    return {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}


def test_the_shortcut_map_shows_the_keys_the_window_answers_to(
    qtbot: QtBot, ctx: ServiceContext, english: None
) -> None:
    seed_job(ctx)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    active_window(qtbot, window)
    rows = listed(open_map(qtbot, window))
    native = {
        k: QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText)
        for k in ("F5", "Ctrl+L", "Ctrl+,", "Ctrl+Q", "Ctrl+F", "Ctrl+1", "Ctrl+2", "Ctrl+3", "F1")
    }
    assert rows[native["F5"]] == "Sync now"
    assert rows[native["Ctrl+L"]] == "Show or hide the job list"
    assert rows[native["Ctrl+,"]] == "Settings"
    assert rows[native["Ctrl+Q"]] == "Quit"
    assert rows[native["Ctrl+F"]] == "Search"
    assert [rows[native[f"Ctrl+{n}"]] for n in (1, 2, 3)] == [
        "Job",
        "Site dossier",
        "Parts and quote",
    ]
    assert rows[native["F1"]] == "Keyboard shortcuts"
    # Each key listed does what the map says: Ctrl+L folds the list away and back.
    visible = window.table.isVisible()
    qtbot.keyClick(window.search, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.table.isVisible() is not visible
    qtbot.keyClick(window.search, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.table.isVisible() is visible

    # A key the window learns is on the map the next time it opens: it is read, not kept.
    extra = window.addAction("Mark as urgent")
    extra.setShortcut(QKeySequence("Ctrl+U"))
    rows = listed(open_map(qtbot, window))
    assert rows[QKeySequence("Ctrl+U").toString(QKeySequence.SequenceFormat.NativeText)] == (
        "Mark as urgent"
    )


def tab_from(qtbot: QtBot, start: QWidget, presses: int) -> list[QWidget]:
    start.setFocus(Qt.FocusReason.TabFocusReason)
    seen: list[QWidget] = []
    for _ in range(presses):
        focus = QApplication.focusWidget()
        assert focus is not None
        qtbot.keyClick(focus, Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    return seen


def test_tab_walks_search_filters_list_workspace_big_button(
    qtbot: QtBot, ctx: ServiceContext, english: None
) -> None:
    seed_job(ctx)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    active_window(qtbot, window)
    rect = window.table.visualRect(window.model.index(0, 1))
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.workspace.primary.text() == "Accept job"
    order = tab_from(qtbot, window.search, 7)
    assert order == [
        window.status_filter,
        window.severity_filter,
        window.type_filter,
        window.date_filter,
        window.table,  # one stop: its rows are walked with the arrow keys
        window.tabs.tabBar(),  # the workspace's tabs
        window.workspace.primary,  # the big button
    ]
    assert window.workspace.job_id == "j1"  # walking past the list opened no other job
    # Space on the big button does the step.
    qtbot.keyClick(window.workspace.primary, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.workspace.primary.text() == "Depart for site")


def test_focus_is_back_on_the_big_button_after_the_signing_screen(
    qtbot: QtBot, ctx: ServiceContext, english: None
) -> None:
    window = workspace_of_a_resolved_job(qtbot, ctx)
    active_window(qtbot, window)
    qtbot.keyClicks(window.search, "SO")  # something typed in the search earlier
    ws = window.workspace
    assert ws.primary.text() == "Customer signs the slip"
    ws.primary.setFocus(Qt.FocusReason.TabFocusReason)

    def cancel_when_shown() -> None:  # the customer hands the tablet back
        screens = [  # full screen and modal; offscreen has no active modal widget to ask
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, SigningDialog) and w.isVisible()
        ]
        if not screens:
            QTimer.singleShot(20, cancel_when_shown)
            return
        # The customer reads Chinese: the window behind renders again when the screen closes.
        qtbot.mouseClick(screens[0].language.buttons["zh_CN"], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(screens[0].cancel, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, cancel_when_shown)
    qtbot.keyClick(ws.primary, Qt.Key.Key_Space)  # the real, modal signing screen
    window.activateWindow()  # what the window manager does when the screen closes
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is ws.primary)
    assert not window.search.hasSelectedText() and window.search.text() == "SO"
    focus = QApplication.focusWidget()
    assert isinstance(focus, QPushButton) and focus.text() == "Customer signs the slip"


def test_the_focused_control_has_a_ring_plain_to_see(
    qtbot: QtBot, ctx: ServiceContext, english: None
) -> None:
    seed_job(ctx)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    active_window(qtbot, window)
    rect = window.table.visualRect(window.model.index(0, 1))
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    ring = window.focus_ring
    highlight = window.palette().color(QPalette.ColorRole.Highlight)
    for _ in range(2):  # list -> tabs -> big button
        focus = QApplication.focusWidget()
        assert focus is not None
        qtbot.keyClick(focus, Qt.Key.Key_Tab)
    primary = window.workspace.primary
    assert QApplication.focusWidget() is primary
    around = QRect(primary.mapTo(window, QPoint(0, 0)), primary.size())
    qtbot.waitUntil(lambda: ring.isVisible() and ring.ring_rect().contains(around))
    assert ring.ring_rect().adjusted(WIDTH, WIDTH, -WIDTH, -WIDTH) == around
    # On screen: the ring's line, WIDTH px thick, in the theme's highlight colour.
    shot = window.grab().toImage()
    ratio = shot.devicePixelRatio()
    middle = around.center().y()
    for x in range(around.left() - WIDTH, around.left()):
        assert shot.pixelColor(int(x * ratio), int(middle * ratio)) == highlight, x
    # The ring follows the focus; Shift+Tab takes it back to the tabs.
    qtbot.keyClick(primary, Qt.Key.Key_Backtab)
    bar = window.tabs.tabBar()
    assert QApplication.focusWidget() is bar
    qtbot.waitUntil(
        lambda: ring.ring_rect().contains(QRect(bar.mapTo(window, QPoint(0, 0)), bar.size()))
    )
    # The list folds away (Ctrl+L): the tabs move left and the ring goes with them.
    before = QRect(bar.mapTo(window, QPoint(0, 0)), bar.size())
    qtbot.keyClick(bar, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bar.mapTo(window, QPoint(0, 0)).x() < before.left())
    assert not window.table.isVisible()
    moved = QRect(bar.mapTo(window, QPoint(0, 0)), bar.size())
    qtbot.waitUntil(lambda: ring.ring_rect().adjusted(WIDTH, WIDTH, -WIDTH, -WIDTH) == moved)


def walk_with_tab(qtbot: QtBot, dialog: QDialog, presses: int = 3) -> None:
    """Tab through ``dialog``: at each control the ring is around it (what of it is in view),
    drawn in the highlight colour on screen."""
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    highlight = dialog.palette().color(QPalette.ColorRole.Highlight)
    seen: list[QWidget] = []
    for _ in range(presses):
        qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Tab)
        focus = QApplication.focusWidget()
        assert focus is not None and focus.window() is dialog
        ring = ring_of(dialog)
        assert ring is not None, f"no ring in {type(dialog).__name__}"
        shown = focus.visibleRegion().boundingRect()
        around = QRect(focus.mapTo(dialog, shown.topLeft()), shown.size())
        qtbot.waitUntil(
            lambda ring=ring, around=around: (
                ring.isVisible()
                and ring.ring_rect().adjusted(WIDTH, WIDTH, -WIDTH, -WIDTH) == around
            )
        )
        shot = dialog.grab().toImage()
        ratio = shot.devicePixelRatio()
        edge = ring.ring_rect()
        x, y = edge.left() + WIDTH // 2, edge.center().y()
        assert shot.pixelColor(int(x * ratio), int(y * ratio)) == highlight, focus
        seen.append(focus)
    assert len(set(seen)) == presses  # the ring went with the focus


def test_dialogs_show_the_focus_ring_too(
    qtbot: QtBot, ctx: ServiceContext, english: None, tmp_path: Path
) -> None:
    window = workspace_of_a_resolved_job(qtbot, ctx)  # the app's window: rings are on
    active_window(qtbot, window)
    shown: list[QDialog] = []
    window.present = shown.append
    qtbot.keyClick(window.search, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    settings = shown.pop()
    assert isinstance(settings, SettingsDialog)
    qtbot.addWidget(settings)
    walk_with_tab(qtbot, settings)
    settings.close()

    signing = SigningDialog(ctx, "j1")
    qtbot.addWidget(signing)
    signing.resize(1200, 760)
    walk_with_tab(qtbot, signing)
    signing.close()

    (tmp_path / "Pictures").mkdir()
    picker = TouchFilePicker("Attach photo…", photos=True, places=[Place("Pictures", tmp_path)])
    qtbot.addWidget(picker)
    picker.resize(1000, 700)
    walk_with_tab(qtbot, picker, presses=2)
    picker.close()


def test_the_approval_screen_shows_the_focus_ring(
    qtbot: QtBot, ctx: ServiceContext, english: None
) -> None:
    seed_job(ctx, paid=True, status="repairing")
    builder = quote_tab(qtbot, ctx)
    build_draft(qtbot, builder)
    screens: list[ApprovalDialog] = []

    def on_screen(dialog: ApprovalDialog) -> bool:
        qtbot.addWidget(dialog)
        dialog.resize(1000, 700)
        screens.append(dialog)
        walk_with_tab(qtbot, dialog)
        qtbot.mouseClick(dialog.cancel, Qt.MouseButton.LeftButton)
        return False

    builder.approve_with = on_screen
    qtbot.mouseClick(builder.approve, Qt.MouseButton.LeftButton)
    assert screens and not screens[0].isVisible()
