"""Light and a dark high-contrast theme (for bright sunlight and night work), on Fusion so the
look is the same on every platform.

Every colour the app shows is here, named for what it means: a palette (window, text, base,
buttons, selection) and semantic roles (error, ok, warning, banner, muted, focus ring, the
severity cells of the job list, the drawing canvas). Widgets never carry a colour: they carry
a ``role`` (and a font ``emphasis``) dynamic property, set with :func:`mark`, and one
application style sheet per theme selects them (``theme_sheet.py``). The touch-size rules
(``touch.py``) are appended to that sheet, so switching the theme keeps the sizes and
recomputing the sizes keeps the theme.

Each theme states the least contrast its text must have on its background (WCAG AA 4.5:1
for light, 7:1 for sunlight); ``tests/ui/test_theme_contrast.py`` computes every pair.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldkit.ui.qt import QApplication, QColor, QPalette, QStyleFactory, QWidget

THEMES = ("light", "dark")


@dataclass(frozen=True)
class Colours:
    """Text colour ``fg`` on ``bg``; ``bg`` None: on whatever the widget sits on (the
    window, a text field's base or a list's alternate rows)."""

    fg: str
    bg: str | None = None


@dataclass(frozen=True)
class Theme:
    name: str
    least_contrast: float  # text on its background, WCAG ratio
    palette: dict[str, str]  # QPalette.ColorRole name -> colour, active and inactive
    disabled: dict[str, str]  # the same for disabled widgets
    roles: dict[str, Colours]  # semantic role -> colours, selected by the style sheet
    focus: str  # the focus ring round lists, fields and buttons
    indicator: str  # the border and tick of a tick box
    severity: dict[int, Colours] = field(default_factory=dict)  # job list severity cells
    breached: str = ""  # a deadline already missed, in the job list
    canvas: Colours = Colours("#ffffff", "#3a434b")  # round a drawing page, and its messages
    paper: str = "#ffffff"  # a drawing page and the signature pad: always paper-white
    ink: str = "#0b1f5c"  # a signature
    guide: str = "#c0c6cc"  # the signature pad's dashed line
    viewfinder: str = "#000000"  # round a camera's picture

    def colour(self, role: str) -> str:
        """The text colour of ``role`` (the window text for an unknown role)."""
        found = self.roles.get(role)
        return found.fg if found else self.palette["WindowText"]


LIGHT = Theme(
    name="light",
    least_contrast=4.5,
    palette={
        "Window": "#f0f0f0",
        "WindowText": "#111111",
        "Base": "#ffffff",
        "AlternateBase": "#f5f5f5",
        "Text": "#111111",
        "Button": "#e8e8e8",
        "ButtonText": "#111111",
        "BrightText": "#ffffff",
        "Highlight": "#1f5fa8",
        "HighlightedText": "#ffffff",
        "ToolTipBase": "#ffffdc",
        "ToolTipText": "#111111",
        "PlaceholderText": "#595959",
        "Link": "#0b4fa0",
    },
    disabled={
        "WindowText": "#595959",
        "Text": "#595959",
        "ButtonText": "#595959",
        "Button": "#f0f0f0",
        "Base": "#f0f0f0",
    },
    roles={
        "error": Colours("#8a1c1c"),
        "ok": Colours("#1b5e20"),
        "warning": Colours("#664d03"),
        "muted": Colours("#595959"),
        "banner": Colours("#664d03", "#fff3cd"),
    },
    focus="#1565c0",
    indicator="#111111",
    severity={
        1: Colours("#ffffff", "#b71c1c"),
        2: Colours("#000000", "#ef6c00"),
        3: Colours("#000000", "#f9a825"),
        4: Colours("#ffffff", "#1b5e20"),
        0: Colours("#ffffff", "#595959"),
    },
    breached="#b71c1c",
    canvas=Colours("#ffffff", "#5f6b76"),
)

SUNLIGHT = Theme(
    name="dark",
    least_contrast=7.0,
    palette={
        "Window": "#101418",
        "WindowText": "#ffffff",
        "Base": "#000000",
        "AlternateBase": "#1b2127",
        "Text": "#ffffff",
        "Button": "#1f272e",
        "ButtonText": "#ffffff",
        "BrightText": "#000000",
        "Highlight": "#ffd400",  # yellow on black: readable in direct sunlight
        "HighlightedText": "#000000",
        "ToolTipBase": "#ffffff",
        "ToolTipText": "#000000",
        "PlaceholderText": "#b8c2cc",
        "Link": "#7cc4ff",
    },
    disabled={
        "WindowText": "#b8c2cc",
        "Text": "#b8c2cc",
        "ButtonText": "#b8c2cc",
        "Button": "#101418",
        "Base": "#101418",
    },
    roles={
        "error": Colours("#ff8a80"),
        "ok": Colours("#69f0ae"),
        "warning": Colours("#ffd54f"),
        "muted": Colours("#c0c8d0"),
        "banner": Colours("#000000", "#ffd54f"),
    },
    focus="#ffd400",
    indicator="#ffffff",
    severity={
        1: Colours("#ffffff", "#a30000"),
        2: Colours("#000000", "#ff9e40"),
        3: Colours("#000000", "#ffe082"),
        4: Colours("#000000", "#69f0ae"),
        0: Colours("#000000", "#c0c8d0"),
    },
    breached="#ff8a80",
    canvas=Colours("#ffffff", "#2a3138"),
)

BY_NAME = {LIGHT.name: LIGHT, SUNLIGHT.name: SUNLIGHT}
_current = LIGHT


def theme_named(name: str) -> Theme:
    return BY_NAME.get(name, LIGHT)


def current_theme() -> Theme:
    return _current


def palette_for(theme: Theme) -> QPalette:
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    colours = theme.palette
    # Bevels, frames and shadows (Light, Mid, Dark, Shadow) derived from button and window.
    palette = QPalette(QColor(colours["Button"]), QColor(colours["Window"]))
    for name, colour in colours.items():
        for g in (group.Active, group.Inactive, group.Disabled):
            palette.setColor(g, getattr(role, name), QColor(colour))
    for name, colour in theme.disabled.items():
        palette.setColor(group.Disabled, getattr(role, name), QColor(colour))
    return palette


def apply_theme(app: QApplication, theme: str) -> None:
    """Install ``theme`` (``light`` or ``dark``) on the running app: its palette and its
    style sheet, with the touch sizes already computed kept."""
    global _current
    _current = theme_named(theme)
    if app.style().name().lower() != "fusion":  # a new style re-creates every widget's look
        app.setStyle(QStyleFactory.create("Fusion"))
    app.setPalette(palette_for(_current))
    install_style_sheet(app)


def install_style_sheet(app: QApplication) -> None:
    """The current theme's rules, then the touch sizes (when computed): one sheet."""
    from fieldkit.ui.theme_sheet import theme_style_sheet
    from fieldkit.ui.touch import touch_style_sheet

    px = app.property("fieldkitTouchPx")
    sheet = theme_style_sheet(_current, float(app.property("fieldkitLiveFactor") or 1.0))
    if px:
        sheet += touch_style_sheet(int(px))
    app.setStyleSheet(sheet)


def mark(widget: QWidget, role: str | None = None, emphasis: str | None = None) -> None:
    """Give ``widget`` a semantic ``role`` (error, ok, warning, muted, banner) and/or a font
    ``emphasis`` (headline, title, heading, larger, large, strong, small); "" clears one.
    Re-polished at once, so a label that turns from error to ok shows it."""
    if role is not None:
        widget.setProperty("role", role)
    if emphasis is not None:
        widget.setProperty("emphasis", emphasis)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    value = colour.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    high, low = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)
