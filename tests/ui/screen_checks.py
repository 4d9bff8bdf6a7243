"""Checks run on one simulated screen (size, scale, pixel density), in a fresh interpreter
started by ``test_screen_fit.py`` with Qt's offscreen platform configured for that screen.
Not collected on its own: the default offscreen screen is none of the screens FieldKit is
made for.

On that screen: the main window, with a job open, and each of its tabs and dialogs lies
inside the screen's free area with its frame; the status bar and every column of the job
list show; and every control a person taps is at least 9 mm at the screen's density.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QMenuBar, QScrollBar, QTabBar
from pytestqt.qtbot import QtBot

from fieldkit.demo.generator import DemoSize, generate
from fieldkit.services import queries
from fieldkit.services.context import ServiceContext
from fieldkit.ui.job_list_model import JobIdRole
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QHeaderView,
    QLineEdit,
    QRect,
    QSlider,
    Qt,
    QTableView,
    QTabWidget,
    QWidget,
)
from fieldkit.ui.settings_dialog import SettingsDialog
from fieldkit.ui.signing_dialog import SigningDialog
from fieldkit.ui.theme import apply_theme
from fieldkit.ui.touch import TARGET_MM, apply_touch_sizes, size_mm
from fieldkit.ui.window_fit import WindowPlacement, window_settings
from tests.conftest import NOW

# The offscreen platform's own notes; "does not support raise()/grabbing" come with popups.
pytestmark = pytest.mark.qt_log_ignore(
    "does not support propagateSizeHints", "does not support raise", "does not support grabbing"
)
SCREEN = os.environ.get("FIELDKIT_TEST_SCREEN", "the default offscreen screen")


@pytest.fixture
def demo(ctx: ServiceContext) -> ServiceContext:
    generate(
        ctx.db,
        ctx.blobs,
        DemoSize(jobs=40, devices_per_site=4, drawing_sites=1),
        engineer="eng-wang",
        now=NOW,
    )
    return ctx


@pytest.fixture
def touch(qapp: QApplication) -> Iterator[int]:
    apply_theme(qapp, "light")
    yield apply_touch_sizes(qapp)
    qapp.setStyleSheet("")


def area() -> QRect:
    screen = QApplication.primaryScreen()
    assert screen is not None
    return screen.availableGeometry()


def settle(qtbot: QtBot) -> None:
    qtbot.wait(50)


def open_window(qtbot: QtBot, ctx: ServiceContext, tmp_path: Path) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    WindowPlacement(window, window_settings(tmp_path)).place()
    window.show()
    qtbot.waitExposed(window)
    settle(qtbot)
    return window


def tap_first_job(qtbot: QtBot, window: MainWindow) -> str:
    assert window.table.isVisible(), "the job list shows when no job is open"
    rect = window.table.visualRect(window.model.index(0, 1))
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    settle(qtbot)
    job_id = window.workspace.job_id
    assert job_id and job_id == window.model.data(window.model.index(0, 0), JobIdRole)
    return job_id


def inside(widget: QWidget, where: QRect, what: str) -> None:
    frame = widget.frameGeometry()
    assert where.contains(frame), f"{what}: {frame} is not inside the free area {where}"
    hint = widget.minimumSizeHint()
    assert hint.width() <= where.width() and hint.height() <= where.height(), (
        f"{what}: its least size {hint} is larger than the screen's free area {where}"
    )


def on_screen(widget: QWidget, what: str) -> None:
    assert widget.isVisible(), f"{what} is hidden"
    top_left = widget.mapToGlobal(widget.rect().topLeft())
    rect = QRect(top_left, widget.size())
    assert area().contains(rect), f"{what} at {rect} is not on the screen {area()}"


def columns_visible(window: MainWindow) -> None:
    table, header = window.table, window.table.horizontalHeader()
    width = table.viewport().width()
    for column in range(header.count()):
        left, size = header.sectionViewportPosition(column), header.sectionSize(column)
        name = window.model.headerData(column, Qt.Orientation.Horizontal)
        label = header.fontMetrics().horizontalAdvance(str(name))
        assert left >= 0 and left + size <= width, f"column {name!r} is cut off ({left}+{size})"
        assert size >= min(label, 80), f"column {name!r} is squeezed to {size} px"


def test_main_window_fits_with_a_job_open(
    qtbot: QtBot, demo: ServiceContext, tmp_path: Path, touch: int
) -> None:
    window = open_window(qtbot, demo, tmp_path)
    free = area()
    inside(window, free, "the main window")
    on_screen(window.statusBar(), "the status bar")
    columns_visible(window)
    tap_first_job(qtbot, window)
    for tab in range(window.tabs.count()):  # each tab, as the engineer taps it
        bar = window.tabs.tabBar()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(tab).center())
        settle(qtbot)
        assert window.tabs.currentIndex() == tab
        inside(window, free, f"the main window on the {window.tabs.tabText(tab)!r} tab")
        on_screen(window.statusBar(), "the status bar")
        page = QTabWidget.currentWidget(window.tabs)  # the page itself (it may scroll)
        on_screen(page, f"the {window.tabs.tabText(tab)!r} tab")
    if window.fold.narrow:  # one pane at a time: the "Job list" button brings the list back
        assert not window.table.isVisible()
        qtbot.mouseClick(window.list_button, Qt.MouseButton.LeftButton)
        settle(qtbot)
    on_screen(window.table, "the job list")
    columns_visible(window)
    on_screen(window.statusBar(), "the status bar")


def test_dialogs_fit(qtbot: QtBot, demo: ServiceContext, tmp_path: Path, touch: int) -> None:
    free = area()
    job_id = queries.job_ids(demo, queries.JobFilter())[0]
    signing = SigningDialog(demo, job_id)
    qtbot.addWidget(signing)
    signing.showFullScreen()  # as the workspace shows it: the customer holds the tablet
    qtbot.waitExposed(signing)
    settle(qtbot)
    whole = QApplication.primaryScreen().geometry()
    hint = signing.minimumSizeHint()
    assert hint.width() <= whole.width() and hint.height() <= whole.height(), hint
    assert signing.size() == whole.size(), (signing.size(), whole)
    for button in (signing.cancel, signing.preview_button, signing.sign):
        assert signing.rect().contains(
            QRect(button.mapTo(signing, button.rect().topLeft()), button.size())
        ), button.text()
    settings = SettingsDialog(demo)
    qtbot.addWidget(settings)
    settings.show()
    qtbot.waitExposed(settings)
    settle(qtbot)
    inside(settings, free, "the settings dialog")


# -- touch targets ------------------------------------------------------------------------

INTERNAL = (QLineEdit, QAbstractSpinBox, QComboBox, QTabBar, QScrollBar)


def targets(top: QWidget) -> Iterator[tuple[str, int, int]]:
    """Every visible control a person taps in ``top``: (what, width, height)."""
    for widget in top.findChildren(QWidget):
        if not widget.isVisibleTo(top) or widget.objectName() == "qt_toolbar_ext_button":
            continue
        parent = widget.parentWidget()
        if isinstance(parent, INTERNAL):  # a clear button, a spin box's field, tab scrollers
            continue
        name = f"{type(widget).__name__} {getattr(widget, 'text', lambda: '')()!r}"
        if isinstance(widget, QTabBar):
            for tab in range(widget.count()):
                rect = widget.tabRect(tab)
                yield f"tab {widget.tabText(tab)!r}", rect.width(), rect.height()
        elif isinstance(widget, QHeaderView):
            if widget.orientation() == Qt.Orientation.Horizontal:
                yield f"header of {type(widget.parentWidget()).__name__}", 999, widget.height()
        elif isinstance(widget, QTableView):
            for row in range(min(widget.model().rowCount(), 5) if widget.model() else 0):
                yield f"row {row} of a table", 999, widget.rowHeight(row)
        elif isinstance(widget, QAbstractItemView):
            model = widget.model()
            for row in range(min(model.rowCount(), 5) if model else 0):
                rect = widget.visualRect(model.index(row, 0))
                yield f"row {row} of a list", 999, rect.height()
        elif isinstance(widget, QAbstractButton | QComboBox | QLineEdit | QAbstractSpinBox):
            yield name, widget.width(), widget.height()
        elif isinstance(widget, QSlider | QMenuBar):
            yield name, 999, widget.height()


def assert_touch_sized(top: QWidget, what: str) -> int:
    small = [
        f"{name}: {size_mm(w):.1f} x {size_mm(h):.1f} mm"
        for name, w, h in targets(top)
        if min(size_mm(w), size_mm(h)) < TARGET_MM - 0.05
    ]
    assert not small, f"{what}: smaller than {TARGET_MM} mm: " + "; ".join(small)
    return sum(1 for _ in targets(top))


def test_every_control_is_touch_sized(
    qtbot: QtBot, demo: ServiceContext, tmp_path: Path, touch: int
) -> None:
    window = open_window(qtbot, demo, tmp_path)
    assert assert_touch_sized(window, "the job list") > 10
    tap_first_job(qtbot, window)
    for tab in range(window.tabs.count()):
        bar = window.tabs.tabBar()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(tab).center())
        settle(qtbot)
        assert assert_touch_sized(window, f"the {window.tabs.tabText(tab)!r} tab") > 10
    # A combo box's popup rows: the status filter, opened as a finger opens it.
    combo = window.status_filter
    if not combo.isVisible():
        qtbot.mouseClick(window.list_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    settle(qtbot)
    view = combo.view()
    assert view.isVisible()
    heights = [view.visualRect(combo.model().index(r, 0)).height() for r in range(combo.count())]
    assert min(size_mm(h) for h in heights) >= TARGET_MM - 0.05, heights
    combo.hidePopup()
    job_id = window.workspace.job_id
    assert job_id
    dialogs: list[QDialog] = [SigningDialog(demo, job_id), SettingsDialog(demo)]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        settle(qtbot)
        assert assert_touch_sized(dialog, dialog.windowTitle()) >= 3
