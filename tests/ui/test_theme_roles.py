"""Colours live in the theme only: no widget in ``ui/`` sets its own style sheet or names a
colour; every role a widget is given has a rule in both themes' sheets; and the theme's
rules and the touch sizes are one sheet, whichever is installed last."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldkit.ui.qt import QApplication, QCheckBox
from fieldkit.ui.theme import THEMES, apply_theme, theme_named
from fieldkit.ui.theme_sheet import theme_style_sheet
from fieldkit.ui.touch import apply_touch_sizes, touch_style_sheet

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
UI = Path(__file__).parents[2] / "src" / "fieldkit" / "ui"
# The colour source itself, and the screenshot tool's stand-in camera picture (a drawn
# photo of a rack, not a part of the app's look).
COLOUR_HOMES = {"theme.py", "theme_sheet.py"}
PICTURES = {"screenshots.py"}
COLOUR = re.compile(
    r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?\b(?!['\"]?\s*\w)"  # "#8a1c1c"
    r"|\brgba?\("  # rgb(…)
    r"|GlobalColor\.(?!transparent)\w+"  # Qt.GlobalColor.gray
    r"|\bcolor\s*:\s*[#\w]"  # a CSS colour in a style sheet or rich text (not a theme's)
    r"|QColor\(\s*['\"]"  # QColor("red")
)


def ui_sources() -> Iterator[tuple[str, int, str]]:
    for path in sorted(UI.glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("  #")[0]  # a comment may name a colour
            yield path.name, number, code


def test_no_widget_carries_its_own_colour_or_style_sheet() -> None:
    sheets = [
        f"{name}:{number}: {line.strip()}"
        for name, number, line in ui_sources()
        if ".setStyleSheet(" in line and name not in COLOUR_HOMES
    ]
    assert not sheets, "a widget's own style sheet (use theme.mark): " + "; ".join(sheets)
    colours = [
        f"{name}:{number}: {line.strip()}"
        for name, number, line in ui_sources()
        if COLOUR.search(line) and name not in COLOUR_HOMES | PICTURES
    ]
    assert not colours, "a colour outside the theme: " + "; ".join(colours)
    # the scan does see a colour where there is one
    assert any(COLOUR.search(line) for name, _, line in ui_sources() if name == "theme.py")


def test_every_role_a_widget_takes_has_a_rule_in_both_themes() -> None:
    used: set[str] = set()
    for _, _, line in ui_sources():
        used.update(re.findall(r"\brole=\"([\w-]+)\"", line))
    status = (UI / "status_bar.py").read_text(encoding="utf-8")
    used.update(re.findall(r':\s*"([\w-]+)",', status.split("ROLES = {")[1].split("}")[0]))
    assert {"error", "ok", "warning", "muted", "banner", "focus-ring"} <= used
    emphases = set()
    for _, _, line in ui_sources():
        emphases.update(re.findall(r"\bemphasis=\"([\w-]+)\"", line))
    assert {"headline", "title", "strong"} <= emphases
    for name in THEMES:
        sheet = theme_style_sheet(theme_named(name))
        missing = [r for r in used if f'[role="{r}"]' not in sheet]
        assert not missing, f"{name}: no rule for the roles {missing}"
        missing = [e for e in emphases if f'[emphasis="{e}"]' not in sheet]
        assert not missing, f"{name}: no rule for the emphases {missing}"


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    yield qapp
    qapp.setProperty("fieldkitTouchPx", None)
    apply_theme(qapp, "light")
    qapp.setStyleSheet("")


def test_theme_and_touch_sizes_merge_into_one_sheet(app: QApplication) -> None:
    apply_theme(app, "dark")
    px = apply_touch_sizes(app)  # the sizes after the theme keep the theme
    dark = theme_style_sheet(theme_named("dark"))
    assert dark in app.styleSheet() and touch_style_sheet(px) in app.styleSheet()
    apply_theme(app, "light")  # the theme after the sizes keeps the sizes
    assert theme_style_sheet(theme_named("light")) in app.styleSheet()
    assert dark not in app.styleSheet()
    assert touch_style_sheet(px) in app.styleSheet()
    box = QCheckBox("Photograph the rack")  # a tick box takes both: size and colours
    box.show()
    assert box.height() >= px
    box.close()
