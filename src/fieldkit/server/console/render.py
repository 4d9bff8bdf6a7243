"""Server-rendered console pages: one Jinja2 environment with autoescape on, the one
translation catalog in the signed-in user's language, and times in the site's zone."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from fieldkit.domain.slip_payload import local_time
from fieldkit.i18n import translator
from fieldkit.server.console import cells, durations
from fieldkit.server.console.roles import nav_for
from fieldkit.server.console.session import ConsoleUser

# '2 h 10 min left' or 'overdue by 35 min' (translated), for a respond-by or arrive-by.
countdown = durations.countdown


def seen(
    last_seen_at: datetime | None,
    pending: int | None,
    now: datetime,
    _: Callable[[str], str],
    ngettext: Callable[[str, str, int], str],
) -> str:
    """'last seen 3 h ago; 2 changes pending on the device' (the count when the device said
    it at that contact): the board, the job record and the people page say it alike."""
    text = _("last seen {ago}").format(ago=durations.ago(last_seen_at, now, _))
    if pending is None or last_seen_at is None:
        return text
    if pending == 0:
        return _("{seen}; nothing pending on the device").format(seen=text)
    held = ngettext(
        "{count} change pending on the device", "{count} changes pending on the device", pending
    ).format(count=pending)
    return _("{seen}; {pending}").format(seen=text, pending=held)


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("fieldkit.server.console", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local_time"] = local_time
    return env


def render(
    request: Request,
    user: ConsoleUser | None,
    template: str,
    status_code: int = 200,
    language: str | None = None,
    **context: Any,
) -> HTMLResponse:
    lang = language or (user.language if user else _browser_language(request))
    _ = translator(lang)
    plural = durations.ngettext_for(lang)
    now: datetime = request.app.state.now()

    def csrf_field() -> Markup:
        token = user.csrf if user else ""
        return Markup('<input type="hidden" name="csrf" value="{}">').format(escape(token))

    page = (
        environment()
        .get_template(template)
        .render(
            request=request,
            user=user,
            lang=lang,
            _=_,
            now=now,
            nav=nav_for(user.role) if user else [],
            csrf_field=csrf_field,
            countdown=lambda deadline: countdown(deadline, now, _),
            time_left=lambda seconds: durations.left(seconds, _),
            span=lambda seconds: durations.span(seconds, _),
            clock_cell=lambda c, tz: cells.clock_cell(c, tz, _),
            level_badge=lambda n: cells.level_badge(n, _),
            status_badge=lambda s: cells.status_badge(s, _),
            since=lambda then: durations.ago(then, now, _),
            seen=lambda c: seen(c.last_seen_at, c.pending_changes, now, _, plural),
            ngettext=plural,
            **context,
        )
    )
    response = HTMLResponse(page, status_code=status_code)
    # Pages hold customers' data: never cached, never framed, no inline script from elsewhere.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )
    return response


def message_page(
    request: Request, user: ConsoleUser | None, status_code: int, title: str, message: str
) -> HTMLResponse:
    """A page of one sentence: what happened and what to do (not found, not allowed...)."""
    return render(
        request, user, "message.html", status_code=status_code, title=title, message=message
    )


def _browser_language(request: Request) -> str:
    accepted = request.headers.get("accept-language", "").lower()
    return "zh_CN" if accepted.startswith("zh") else "en"
