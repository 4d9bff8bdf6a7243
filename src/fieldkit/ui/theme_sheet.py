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


def tick_image(colour: str) -> Path:
    """A tick mark in ``colour`` (an SVG file, written once per process and colour): a style
    sheet draws a styled tick box's mark from a file."""
    global _folder
    if colour not in _ticks:
        if _folder is None:
            _folder = Path(tempfile.mkdtemp(prefix="fieldkit-theme-"))
        path = _folder / f"tick-{colour.lstrip('#')}.svg"
        path.write_text(
            "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'>"
            f"<path d='M3 8.5l3.2 3.2L13 4.6' fill='none' stroke='{colour}' stroke-width='2.6'"
            " stroke-linecap='round' stroke-linejoin='round'/></svg>",
            encoding="utf-8",
        )
        _ticks[colour] = path
    return _ticks[colour]


def _emphasis_rules() -> str:
    rules = []
    for name, (size, weight, extra) in EMPHASIS.items():
        parts = [f"font-size: {size}pt;" if size else "", extra]
        parts.insert(1, f"font-weight: {weight};" if weight else "")
        rules.append(f'*[emphasis="{name}"] {{ {" ".join(p for p in parts if p)} }}')
    return "\n".join(rules)


def theme_style_sheet(theme: Theme) -> str:
    colours = theme.palette
    rules = []
    for role, pair in theme.roles.items():
        background = f" background: {pair.bg}; padding: 8px;" if pair.bg else ""
        rules.append(f'*[role="{role}"] {{ color: {pair.fg};{background} }}')
    tick = tick_image(theme.indicator).as_posix()
    disabled = theme.disabled.get("Text", colours["Text"])
    rules += [
        '*[role="focus-ring"] { border: 2px solid transparent; }',
        f'*[role="focus-ring"]:focus {{ border: 2px solid {theme.focus}; }}',
        f"QCheckBox::indicator {{ border: 2px solid {theme.indicator}; border-radius: 3px;"
        f" background: {colours['Base']}; }}",
        f"QCheckBox::indicator:checked {{ image: url({tick}); }}",
        f"QCheckBox::indicator:disabled {{ border-color: {disabled}; }}",
        _emphasis_rules(),
    ]
    return "\n".join(rules) + "\n"
