"""The application style sheet of a theme: rules selecting the ``role`` and ``emphasis``
properties widgets carry (see ``theme.mark``), the focus ring and the tick boxes.

Only colours and fonts: sizes a finger needs are the touch rules, appended after these."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fieldkit.ui.theme import Theme

# Font emphasis: (point size or None, weight or None, extra declarations)
EMPHASIS = {
    "headline": (18, 600, ""),
    "title": (14, 600, ""),
    "heading": (13, 600, ""),
    "larger": (13, None, ""),
    "large": (12, None, ""),
    "strong": (None, 600, ""),
    "small": (9, None, "padding-left: 24px;"),
}
_ticks: dict[str, Path] = {}
_folder: Path | None = None


# The marks a styled control draws from a file: a tick, and a spin box's minus and plus.
SHAPES = {
    "tick": "M3 8.5l3.2 3.2L13 4.6",
    "minus": "M3 8h10",
    "plus": "M3 8h10M8 3v10",
}


def mark_image(shape: str, colour: str) -> str:
    """``shape`` in ``colour`` as an SVG file, written once per process: a style sheet draws
    the mark of a styled tick box or spin box from a file."""
    global _folder
    key = f"{shape}-{colour.lstrip('#')}"
    if key not in _ticks:
        if _folder is None:
            _folder = Path(tempfile.mkdtemp(prefix="fieldkit-theme-"))
        path = _folder / f"{key}.svg"
        path.write_text(
            "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'>"
            f"<path d='{SHAPES[shape]}' fill='none' stroke='{colour}' stroke-width='2.6'"
            " stroke-linecap='round' stroke-linejoin='round'/></svg>",
            encoding="utf-8",
        )
        _ticks[key] = path
    return _ticks[key].as_posix()


def _emphasis_rules(text_factor: float) -> str:
    rules = []
    for name, (size, weight, extra) in EMPHASIS.items():
        parts = [f"font-size: {round(size * text_factor, 1)}pt;" if size else "", extra]
        parts.insert(1, f"font-weight: {weight};" if weight else "")
        rules.append(f'*[emphasis="{name}"] {{ {" ".join(p for p in parts if p)} }}')
    return "\n".join(rules)


def theme_style_sheet(theme: Theme, text_factor: float = 1.0) -> str:
    """The theme's rules; emphasised text ``text_factor`` times its size (a size chosen in
    Settings while the app runs, over the one it started with)."""
    colours = theme.palette
    rules = []
    for role, pair in theme.roles.items():
        background = f" background: {pair.bg}; padding: 8px;" if pair.bg else ""
        rules.append(f'*[role="{role}"] {{ color: {pair.fg};{background} }}')
    tick = mark_image("tick", theme.indicator)
    disabled = theme.disabled.get("Text", colours["Text"])
    spin = "QAbstractSpinBox::{0}-button"
    rules += [
        '*[role="focus-ring"] { border: 2px solid transparent; }',
        f'*[role="focus-ring"]:focus {{ border: 2px solid {theme.focus}; }}',
        f"QCheckBox::indicator {{ border: 2px solid {theme.indicator}; border-radius: 3px;"
        f" background: {colours['Base']}; }}",
        f"QCheckBox::indicator:checked {{ image: url({tick}); }}",
        f"QCheckBox::indicator:disabled {{ border-color: {disabled}; }}",
        # A spin box's buttons: minus on the left, plus on the right (sized by the touch
        # rules), big enough for a finger instead of two half-height arrows.
        f"{spin.format('up')}, {spin.format('down')} {{ background: {colours['Button']};"
        f" border: 1px solid {theme.indicator}; border-radius: 3px; }}",
        f"{spin.format('up')}:pressed, {spin.format('down')}:pressed"
        f" {{ background: {colours['Highlight']}; }}",
        *(
            f"QAbstractSpinBox::{part}-arrow{state} {{ image: url({mark_image(shape, c)}); }}"
            for part, shape in (("up", "plus"), ("down", "minus"))
            for state, c in (("", theme.indicator), (":disabled", disabled), (":off", disabled))
        ),
        _emphasis_rules(text_factor),
    ]
    return "\n".join(rules) + "\n"
