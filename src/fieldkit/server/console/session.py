"""Console sign-in: cookie sessions and CSRF.

The cookie holds a random token (HttpOnly, SameSite=Strict, Secure when the center serves
TLS); the database keeps only its SHA-256, the user, the session's own CSRF token and the
chosen language. Every state-changing request carries the CSRF token in a hidden form field
(or the ``X-CSRF-Token`` header for the few script calls) and is refused without it. The
accounts are the API's; engineers have no console access."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from sqlalchemy import Engine, insert, select, update

from fieldkit.i18n import SUPPORTED
from fieldkit.server import tables as t
from fieldkit.server.roles import OFFICE_ROLES

COOKIE = "fieldkit_console"
SESSION_HOURS = 12  # one working day; a new sign-in the next morning


@dataclass(frozen=True)
class ConsoleUser:
    user_id: int
    username: str
    display_name: str
    role: str
    language: str
    csrf: str
    token_sha256: str


class NotSignedIn(Exception):
    """The request has no valid console session: pages redirect to the sign-in."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class Forbidden(Exception):
    """Signed in, but the user's role may not open this page or do this."""


class CsrfRefused(Exception):
    """A state-changing request without this session's CSRF token (a forged form)."""


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(engine: Engine, user: dict[str, Any], language: str, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(
            insert(t.console_sessions).values(
                token_sha256=_sha(token),
                user_id=user["id"],
                csrf=secrets.token_urlsafe(32),
                language=language if language in SUPPORTED else "en",
                created_at=now,
                expires_at=now + timedelta(hours=SESSION_HOURS),
            )
        )
    return token


def close_session(engine: Engine, user: ConsoleUser, now: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(t.console_sessions)
            .where(t.console_sessions.c.token_sha256 == user.token_sha256)
            .values(revoked_at=now)
        )


def set_language(engine: Engine, user: ConsoleUser, language: str) -> None:
    if language not in SUPPORTED:
        return
    with engine.begin() as conn:
        conn.execute(
            update(t.console_sessions)
            .where(t.console_sessions.c.token_sha256 == user.token_sha256)
            .values(language=language)
        )


def session_user(engine: Engine, token: str | None, now: datetime) -> ConsoleUser | None:
    if not token:
        return None
    s, u = t.console_sessions, t.users
    with engine.connect() as conn:
        row = conn.execute(
            select(
                s.c.token_sha256,
                s.c.csrf,
                s.c.language,
                s.c.expires_at,
                s.c.revoked_at,
                u.c.id,
                u.c.username,
                u.c.display_name,
                u.c.role,
                u.c.active,
            )
            .join(u, u.c.id == s.c.user_id)
            .where(s.c.token_sha256 == _sha(token))
        ).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now or not row.active:
        return None
    if row.role not in OFFICE_ROLES:  # an engineer's row, or a role changed since sign-in
        return None
    return ConsoleUser(
        user_id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=row.role,
        language=row.language,
        csrf=row.csrf,
        token_sha256=row.token_sha256,
    )


def current_user(request: Request) -> ConsoleUser:
    state = request.app.state
    user = session_user(state.engine, request.cookies.get(COOKIE), state.now())
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise NotSignedIn(quote(target, safe="/?=&"))
    return user


def require(*roles: str) -> Any:
    """A dependency: the signed-in office user, if their role is one of ``roles``."""
    allowed = roles or OFFICE_ROLES

    def dependency(user: Annotated[ConsoleUser, Depends(current_user)]) -> ConsoleUser:
        if user.role not in allowed:
            raise Forbidden()
        return user

    return dependency


async def csrf_checked(
    request: Request, user: Annotated[ConsoleUser, Depends(current_user)]
) -> None:
    """Refuses a state-changing request whose CSRF token is not this session's."""
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf")
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, user.csrf):
        raise CsrfRefused()


SignedIn = Annotated[ConsoleUser, Depends(require())]
CsrfChecked = Annotated[None, Depends(csrf_checked)]
