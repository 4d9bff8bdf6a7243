"""Spans of time as the console says them, in the reader's language: the board's and the
hotline's countdowns ("2 h 05 min left", "overdue by 3 d 4 h"), a contract's commitments
("within 4 h"), an escalation's age and a device's last contact ("3 h ago"). One formatter,
so the units are translated wherever a span is shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from fieldkit.i18n import N_, PLURAL_RULES, plurals_for

Translate = Callable[[str], str]
DAYS_FROM_HOURS = 48  # from two days on, days and hours: minutes no longer matter

# Units in the catalog (their Chinese in resources/locale/zh_CN.po).
UNITS = (
    N_("{minutes} min"),
    N_("{hours} h"),
    N_("{hours} h {minutes:02d} min"),
    N_("{days} d"),
    N_("{days} d {hours} h"),
)


def span(seconds: float, _: Translate) -> str:
    """The length of a span (its sign ignored), to the minute below two days."""
    minutes = int(abs(seconds)) // 60
    hours, rest = divmod(minutes, 60)
    if hours >= DAYS_FROM_HOURS:
        days, hours = divmod(hours, 24)
        if hours == 0:
            return _("{days} d").format(days=days)
        return _("{days} d {hours} h").format(days=days, hours=hours)
    if hours == 0:
        return _("{minutes} min").format(minutes=minutes)
    if rest == 0:
        return _("{hours} h").format(hours=hours)
    return _("{hours} h {minutes:02d} min").format(hours=hours, minutes=rest)


def duration(span_or_none: timedelta | None, _: Translate) -> str:
    """A length of time such as a contract's commitment; '-' when there is none."""
    return "-" if span_or_none is None else span(span_or_none.total_seconds(), _)


def left(seconds: int, _: Translate) -> str:
    """A countdown: '2 h 05 min left', or 'overdue by 35 min' at and after the deadline."""
    text = span(seconds, _)
    if seconds <= 0:
        return _("overdue by {time}").format(time=text)
    return _("{time} left").format(time=text)


def countdown(deadline: datetime | None, now: datetime, _: Translate) -> str:
    """:func:`left` for a deadline; '-' without one."""
    if deadline is None:
        return "-"
    return left(int((deadline - now).total_seconds()), _)


def ago(then: datetime | None, now: datetime, _: Translate) -> str:
    """How long ago a contact was, coarsely ('just now', '12 min ago', '3 h ago',
    '4 days ago'); 'never' without one."""
    if then is None:
        return _("never")
    seconds = int((now - then).total_seconds())
    if seconds < 60:
        return _("just now")
    if seconds < 3600:
        return _("{n} min ago").format(n=seconds // 60)
    if seconds < 2 * 86400:
        return _("{n} h ago").format(n=seconds // 3600)
    return _("{n} days ago").format(n=seconds // 86400)


def ngettext_for(language: str) -> Callable[[str, str, int], str]:
    """The plural form of a message for a count, in ``language`` (the caller formats it)."""
    forms = {} if language == "en" else plurals_for(language)
    rule = PLURAL_RULES.get(language, PLURAL_RULES["en"])

    def ngettext(singular: str, plural: str, n: int) -> str:
        chosen = forms.get(singular)
        if chosen:
            return chosen[min(rule(n), len(chosen) - 1)]
        return singular if n == 1 else plural

    return ngettext
