"""In the pseudo-locale (every message about 40 % longer and accented) the job window at
1280x800, with a job open and each tab tapped, cuts off no label, button, combo box or
placeholder text; nor in English or Chinese."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from pytestqt.exceptions import TimeoutError as WaitTimeout
from pytestqt.qtbot import QtBot

from fieldkit.demo.generator import DemoSize, generate
from fieldkit.i18n import set_language
from fieldkit.i18n_pseudo import install
from fieldkit.services.context import ServiceContext
from fieldkit.ui.clipping import clipped_texts
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QWidget,
)
from fieldkit.ui.theme import apply_theme
from fieldkit.ui.touch import apply_touch_sizes
from tests.conftest import NOW
from tests.services.fixtures import seed_job

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture(params=["pseudo", "en", "zh_CN"])
def pseudo(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[None]:
    if request.param == "pseudo":
        install()
    else:
        set_language(request.param)
    apply_theme(qapp, "light")
    apply_touch_sizes(qapp)
    yield
    set_language("en")
    qapp.setProperty("fieldkitTouchPx", None)
    apply_theme(qapp, "light")
    qapp.setStyleSheet("")


def uncut(qtbot: QtBot, window: MainWindow, what: str) -> None:
    """Once laid out (a status bar lays out after its texts are set), nothing is cut."""
    with contextlib.suppress(WaitTimeout):  # then the assertion says what is cut
        qtbot.waitUntil(lambda: not clipped_texts(window), timeout=3000)
    assert not (cut := clipped_texts(window)), f"{what}: {cut}"


def test_the_check_sees_a_cut_label_and_a_cut_button(qtbot: QtBot, pseudo: None) -> None:
    top = QWidget()
    qtbot.addWidget(top)
    row = QHBoxLayout(top)
    label, button = QLabel("A label far too long for forty pixels"), QPushButton("Save")
    label.setFixedWidth(40)
    button.setFixedWidth(20)
    row.addWidget(label)
    row.addWidget(button)
    top.show()
    found = clipped_texts(top)
    assert len(found) == 2 and "label" in found[0] and "button" in found[1], found


def test_the_check_sees_a_cut_combo_and_a_cut_placeholder(qtbot: QtBot, pseudo: None) -> None:
    top = QWidget()
    qtbot.addWidget(top)
    row = QHBoxLayout(top)
    combo, edit = QComboBox(), QLineEdit()
    combo.addItems(["A choice far too long for its field", "Short"])
    edit.setPlaceholderText("A placeholder far too long for eighty pixels")
    combo.setFixedWidth(90)
    edit.setFixedWidth(80)
    row.addWidget(combo)
    row.addWidget(edit)
    top.show()
    found = clipped_texts(top)
    assert len(found) == 2 and "combo" in found[0] and "placeholder" in found[1], found
    # what fits is not reported: a short choice, a typed text instead of the placeholder
    qtbot.keyClicks(combo, "S")
    assert combo.currentText() == "Short"
    qtbot.keyClicks(edit, "x")
    assert clipped_texts(top) == []


def test_no_text_is_cut_in_the_pseudo_locale(
    qtbot: QtBot, ctx: ServiceContext, pseudo: None
) -> None:
    generate(ctx.db, ctx.blobs, DemoSize(jobs=30, devices_per_site=4), now=NOW)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    uncut(qtbot, window, "the job list")
    rect = window.table.visualRect(window.model.index(0, 1))
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.workspace.job_id is not None)
    bar = window.tabs.tabBar()
    for tab in range(window.tabs.count()):
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(tab).center())
        uncut(qtbot, window, window.tabs.tabText(tab))


def test_the_diagnosis_questions_are_not_cut(
    qtbot: QtBot, ctx: ServiceContext, pseudo: None
) -> None:
    """The diagnosis form's two questions (combo boxes) and its fault field's placeholder,
    in the job's pane at 1280x800 beside the list."""
    seed_job(ctx, status="diagnosing")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    rect = window.table.visualRect(window.model.index(0, 1))
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    form = window.workspace.diagnosis
    qtbot.waitUntil(lambda: form.isVisibleTo(window))
    assert form.area.currentIndex() == 0 and not form.found.text()  # the questions show
    uncut(qtbot, window, "the diagnosis form")
