"""A spin box a gloved finger can use: minus on the left and plus on the right, each at
least 9 mm, pressed with the mouse (as a tap arrives) to step the value."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QStyle, QStyleOptionSpinBox
from pytestqt.qtbot import QtBot

from fieldkit.ui.qt import QApplication, QDoubleSpinBox, QRect, Qt
from fieldkit.ui.theme import THEMES, apply_theme
from fieldkit.ui.touch import TARGET_MM, apply_touch_sizes, size_mm

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture(params=THEMES)
def touch(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[int]:
    apply_theme(qapp, request.param)
    yield apply_touch_sizes(qapp)
    qapp.setProperty("fieldkitTouchPx", None)
    apply_theme(qapp, "light")
    qapp.setStyleSheet("")


def button_rect(spin: QDoubleSpinBox, part: QStyle.SubControl) -> QRect:
    option = QStyleOptionSpinBox()
    spin.initStyleOption(option)
    return spin.style().subControlRect(QStyle.ComplexControl.CC_SpinBox, option, part, spin)


def test_minus_left_plus_right_each_a_finger_wide(qtbot: QtBot, touch: int) -> None:
    spin = QDoubleSpinBox()
    spin.setRange(0, 10)
    spin.setValue(1.5)
    spin.setSingleStep(0.5)
    qtbot.addWidget(spin)
    spin.resize(260, 40)
    spin.show()
    qtbot.waitExposed(spin)
    plus = button_rect(spin, QStyle.SubControl.SC_SpinBoxUp)
    minus = button_rect(spin, QStyle.SubControl.SC_SpinBoxDown)
    for what, rect in (("plus", plus), ("minus", minus)):
        assert min(size_mm(rect.width()), size_mm(rect.height())) >= TARGET_MM - 0.5, (what, rect)
    assert minus.right() < spin.width() / 2 < plus.left()  # apart: no tapping the wrong one
    field = spin.lineEdit().geometry()  # where the typed number is: between the two
    assert minus.right() <= field.left() and field.right() <= plus.left(), (minus, field, plus)
    qtbot.mouseClick(spin, Qt.MouseButton.LeftButton, pos=plus.center())
    assert spin.value() == 2.0
    qtbot.mouseClick(spin, Qt.MouseButton.LeftButton, pos=minus.center())
    qtbot.mouseClick(spin, Qt.MouseButton.LeftButton, pos=minus.center())
    assert spin.value() == 1.0
