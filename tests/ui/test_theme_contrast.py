"""Every text/background pair of both themes, computed from what is installed: the
application palette Qt paints with and the rules of the application style sheet (parsed, so
a rule added to the sheet is checked without being listed here), plus the colours the job
list, the drawing canvas and the tick boxes paint. WCAG AA: 4.5:1 for the light theme, 7:1
for the sunlight theme; 3:1 for marks that are not text (a focus ring, a tick box's edge)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from fieldkit.ui.qt import QApplication, QPalette
from fieldkit.ui.theme import THEMES, apply_theme, contrast_ratio, current_theme
from fieldkit.ui.touch import apply_touch_sizes

Role, Group = QPalette.ColorRole, QPalette.ColorGroup
TEXT_ON = (
    (Role.WindowText, Role.Window),
    (Role.Text, Role.Base),
    (Role.Text, Role.AlternateBase),
    (Role.ButtonText, Role.Button),
    (Role.PlaceholderText, Role.Base),
    (Role.HighlightedText, Role.Highlight),
    (Role.ToolTipText, Role.ToolTipBase),
    (Role.Link, Role.Base),
    (Role.Link, Role.Window),
)
NON_TEXT = 3.0
RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


@pytest.fixture(params=THEMES)
def themed(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    apply_theme(qapp, request.param)
    apply_touch_sizes(qapp)
    yield request.param
    apply_theme(qapp, "light")
    qapp.setStyleSheet("")


def sheet_rules(sheet: str) -> Iterator[tuple[str, dict[str, str]]]:
    for selector, body in RULE.findall(sheet):
        declarations = {}
        for item in body.split(";"):
            name, _, value = item.partition(":")
            if value.strip():
                declarations[name.strip()] = value.strip()
        yield selector.strip(), declarations


def text_pairs(qapp: QApplication) -> Iterator[tuple[str, str, str]]:
    """(what, text colour, background colour) of everything the installed theme paints."""
    palette = qapp.palette()
    for group in (Group.Active, Group.Inactive, Group.Disabled):
        for fg, bg in TEXT_ON:
            yield (
                f"{group.name} {fg.name} on {bg.name}",
                palette.color(group, fg).name(),
                palette.color(group, bg).name(),
            )
    under = [palette.color(r).name() for r in (Role.Window, Role.Base, Role.AlternateBase)]
    for selector, rule in sheet_rules(qapp.styleSheet()):
        if "color" not in rule:
            continue
        for bg in [rule["background"]] if "background" in rule else under:
            yield f"style sheet {selector}", rule["color"], bg
    theme = current_theme()
    for severity, cell in theme.severity.items():
        assert cell.bg is not None
        yield f"job list severity {severity}", cell.fg, cell.bg
    for bg in (Role.Base, Role.AlternateBase):
        yield f"a missed deadline on {bg.name}", theme.breached, palette.color(bg).name()
    assert theme.canvas.bg is not None
    yield "a message on the drawing canvas", theme.canvas.fg, theme.canvas.bg
    yield "the tick in a tick box", theme.indicator, palette.color(Role.Base).name()


def test_every_text_pair_has_the_themes_contrast(qapp: QApplication, themed: str) -> None:
    least = {"light": 4.5, "dark": 7.0}[themed]
    assert current_theme().least_contrast == least
    pairs = list(text_pairs(qapp))
    roles = [what for what, _, _ in pairs if "role=" in what]
    # the semantic roles the widgets carry are in the sheet, each with a colour
    for role in ("error", "ok", "warning", "muted", "banner"):
        assert any(f'role="{role}"' in what for what in roles), role
    low = [
        f"{what}: {fg} on {bg} is {contrast_ratio(fg, bg):.2f}:1"
        for what, fg, bg in pairs
        if contrast_ratio(fg, bg) < least
    ]
    assert not low, f"{themed}: below {least}:1: " + "; ".join(low)


def test_marks_that_are_not_text_stand_out(qapp: QApplication, themed: str) -> None:
    palette, theme = qapp.palette(), current_theme()
    window, base = palette.color(Role.Window).name(), palette.color(Role.Base).name()
    focus = [r for s, r in sheet_rules(qapp.styleSheet()) if ":focus" in s and "border" in r]
    assert focus, "the sheet draws a focus ring"
    for rule in focus:
        ring = rule["border"].split()[-1]
        assert contrast_ratio(ring, window) >= NON_TEXT, (ring, window)
        assert contrast_ratio(ring, base) >= NON_TEXT, (ring, base)
    boxes = [r for s, r in sheet_rules(qapp.styleSheet()) if s == "QCheckBox::indicator"]
    assert boxes and boxes[0]["border"].split()[-1] == theme.indicator
    # the box's edge on the window it sits on (the review: black on black in sunlight)
    assert contrast_ratio(theme.indicator, window) >= least_for(themed)
    assert contrast_ratio(theme.indicator, base) >= least_for(themed)


def least_for(theme: str) -> float:
    return {"light": 4.5, "dark": 7.0}[theme]


def test_the_contrast_formula_is_wcags() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # the review's figure: the old error red on the sunlight window
    assert contrast_ratio("#8a1c1c", "#101418") == pytest.approx(2.0, abs=0.1)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
