"""Switching the theme at run time, as the engineer does it (Settings, the theme box, Save),
light -> sunlight -> light: every visible widget of the open job then paints with the
current theme's colours only, at that theme's contrast, and the job's headline and a tick
box, rendered, show the current theme's text and window colours (the review: a white
headline left on white after switching back, tick boxes black on black)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from fieldkit.demo.generator import DemoSize, generate
from fieldkit.services import queries
from fieldkit.services.context import ServiceContext
from fieldkit.ui.job_list_model import JobIdRole
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import (
    QApplication,
    QCheckBox,
    QColor,
    QDialog,
    QLabel,
    QPushButton,
    Qt,
    QWidget,
)
from fieldkit.ui.settings_dialog import SettingsDialog
from fieldkit.ui.theme import Theme, apply_theme, contrast_ratio, current_theme
from fieldkit.ui.touch import apply_touch_sizes
from tests.conftest import NOW

pytestmark = pytest.mark.qt_log_ignore(
    "does not support propagateSizeHints", "does not support raise", "does not support grabbing"
)


@pytest.fixture
def demo(ctx: ServiceContext) -> ServiceContext:
    generate(ctx.db, ctx.blobs, DemoSize(jobs=40, devices_per_site=4), now=NOW)
    return ctx


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[None]:
    apply_theme(qapp, "light")
    apply_touch_sizes(qapp)
    yield
    qapp.setProperty("fieldkitTouchPx", None)
    apply_theme(qapp, "light")
    qapp.setStyleSheet("")


def colours_of(theme: Theme) -> set[str]:
    named = set(theme.palette.values()) | set(theme.disabled.values()) | {theme.indicator}
    for pair in theme.roles.values():
        named |= {pair.fg} | ({pair.bg} if pair.bg else set())
    return {c.lower() for c in named}


def tap_job(qtbot: QtBot, window: MainWindow, job_id: str) -> None:
    model, table = window.model, window.table
    while model.canFetchMore():
        model.fetchMore()
    row = next(
        r for r in range(model.rowCount()) if model.data(model.index(r, 0), JobIdRole) == job_id
    )
    table.scrollTo(model.index(row, 1))
    rect = table.visualRect(model.index(row, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.workspace.job_id == job_id)
    qtbot.wait(100)  # rows added to a shown panel show from the event loop


def choose_theme(qtbot: QtBot, window: MainWindow, opened: list[QDialog], label: str) -> None:
    """Ctrl+, opens Settings; the theme box is tapped open, the theme tapped, Save tapped."""
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialog = opened[-1]
    assert isinstance(dialog, SettingsDialog)
    qtbot.waitExposed(dialog)
    combo = dialog.theme
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    qtbot.wait(QApplication.doubleClickInterval() + 50)  # a popup ignores a release at once
    row = next(r for r in range(combo.count()) if combo.itemText(r) == label)
    rect = view.visualRect(combo.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: not view.isVisible())
    assert combo.currentText() == label
    save = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Save")
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.wait(50)


def mixed(top: QWidget, theme: Theme) -> list[str]:
    """Every visible widget whose text or background colour is not the theme's, or whose
    text is below the theme's contrast on its background."""
    own = colours_of(theme)
    found = []
    for widget in [top, *top.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        palette = widget.palette()
        fg = palette.color(widget.foregroundRole()).name()
        bg = palette.color(widget.backgroundRole()).name()
        what = f"{type(widget).__name__} {widget.objectName() or getattr(widget, 'text', str)()!r}"
        if fg not in own or bg not in own:
            found.append(f"{what}: {fg} on {bg} (not the {theme.name} theme's)")
        elif (
            isinstance(widget, QLabel | QAbstractButton)
            and widget.text()
            and contrast_ratio(fg, bg) < theme.least_contrast
        ):
            found.append(f"{what}: {fg} on {bg} is {contrast_ratio(fg, bg):.2f}:1")
    return found


def pixels(widget: QWidget) -> dict[str, int]:
    image = widget.grab().toImage()
    counts: dict[str, int] = {}
    for y in range(0, image.height()):
        for x in range(0, image.width()):
            name = QColor(image.pixel(x, y)).name()
            counts[name] = counts.get(name, 0) + 1
    return counts


def assert_painted_in(window: MainWindow, theme: Theme) -> None:
    title = window.workspace.title
    assert title.isVisible() and title.text()
    seen = pixels(title)
    ground = max(seen, key=lambda c: seen[c])
    assert ground == theme.palette["Window"], f"the headline's background is {ground}"
    assert seen.get(theme.palette["WindowText"], 0) > 20, f"the headline's text: {seen}"
    # The open job's row: selected, its severity cell still in its severity colour.
    table, row = window.table, window.table.currentIndex().row()
    assert table.selectionModel().isRowSelected(row)
    for column, expected in (
        (0, window.model.data(window.model.index(row, 0), Qt.ItemDataRole.BackgroundRole)),
        (1, theme.palette["Highlight"]),
    ):
        rect = table.visualRect(window.model.index(row, column))
        cell = table.viewport().grab(rect).toImage()
        counts: dict[str, int] = {}
        for y in range(cell.height()):
            for x in range(cell.width()):
                name = QColor(cell.pixel(x, y)).name()
                counts[name] = counts.get(name, 0) + 1
        colour = QColor(expected if isinstance(expected, str) else expected.color())
        seen = QColor(max(counts, key=lambda c: counts[c]))
        # Fusion shades a selection a little (a gradient): the same colour within a few steps
        assert max(abs(a - b) for a, b in zip(seen.getRgb(), colour.getRgb(), strict=True)) <= 32, (
            seen.name(),
            colour.name(),
        )
    boxes = [b for b in window.workspace.backup.findChildren(QCheckBox) if b.isVisible()]
    assert boxes, "the backup checklist's tick boxes show"
    box = pixels(boxes[0])
    assert box.get(theme.indicator, 0) > 20, f"the tick box's edge is not drawn: {box}"
    assert box.get(theme.palette["Base"], 0) > 20, "the inside of the tick box"


def test_light_sunlight_light_leaves_no_mixed_styles(
    qtbot: QtBot, demo: ServiceContext, themed: None, tmp_path: Path
) -> None:
    window = MainWindow(demo)
    qtbot.addWidget(window)
    opened: list[QDialog] = []
    window.present = lambda dialog: (opened.append(dialog), dialog.show())
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.workspace.backup.cameras_present = lambda: True  # as on a tablet
    job = next(
        j
        for j in queries.job_ids(demo, queries.JobFilter(statuses=frozenset({"diagnosing"})))
        if queries.job_detail(demo, j).backup_total
    )
    tap_job(qtbot, window, job)
    assert current_theme().name == "light"
    assert not mixed(window, current_theme())
    assert_painted_in(window, current_theme())
    for label, name in (("Dark, high contrast (sunlight)", "dark"), ("Light", "light")):
        choose_theme(qtbot, window, opened, label)
        theme = current_theme()
        assert theme.name == name
        assert not (problems := mixed(window, theme)), f"after switching to {name}: {problems}"
        assert_painted_in(window, theme)
        banner = window.workspace.banner
        if banner.isVisible():
            assert (
                banner.palette().color(banner.backgroundRole()).name() == theme.roles["banner"].bg
            )
