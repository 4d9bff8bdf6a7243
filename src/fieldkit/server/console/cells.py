"""The board's most repeated cells as plain functions (a respond-by or arrive-by clock, a
level and a status badge): the live board draws some 140 of them per view, and a Jinja macro
call costs more than the cell itself. Every text is escaped here as autoescape would."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from fieldkit import labels
from fieldkit.domain.slip_payload import local_time
from fieldkit.server.board import Clock
from fieldkit.server.console import durations

Translate = Callable[[str], str]


def clock_cell(c: Clock, tz: str, _: Translate) -> Markup:
    """Breached is said in words, not only by colour; the deadline below in the site's zone."""
    if c.state == "breached":
        late = f": {durations.left(c.seconds_left, _)}" if c.seconds_left is not None else ""
        text = (
            '<span class="breach"><span aria-hidden="true">&#9888;</span> '
            f"{escape(_('Breached') + late)}</span>"
        )
    elif c.state == "running" and c.seconds_left is not None:
        css = "soon" if c.seconds_left < 3600 else ""
        text = f'<span class="{css}">{escape(durations.left(c.seconds_left, _))}</span>'
    elif c.state == "met":
        text = f'<span class="ok">{escape(_("Met"))}</span>'
    else:
        text = f'<span class="muted">{escape(_("No SLA"))}</span>'
    if c.deadline is not None:
        text += f'<br><small class="muted">{escape(local_time(c.deadline, tz))}</small>'
    return Markup(text)


def level_badge(n: int, _: Translate) -> Markup:
    name = escape(_(labels.SEVERITY.get(n, str(n))))
    return Markup(f'<span class="badge level-{int(n)}">{int(n)} · {name}</span>')


def status_badge(s: str, _: Translate) -> Markup:
    return Markup(f'<span class="badge status">{escape(_(labels.STATUS.get(s, s)))}</span>')
