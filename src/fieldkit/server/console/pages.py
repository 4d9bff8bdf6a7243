"""Sign-in, sign-out, language and the landing redirect."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from fieldkit.i18n import N_, SUPPORTED
from fieldkit.server import auth
from fieldkit.server.console.render import render
from fieldkit.server.console.roles import home_for
from fieldkit.server.console.session import (
    COOKIE,
    SESSION_HOURS,
    CsrfChecked,
    SignedIn,
    close_session,
    open_session,
    session_user,
    set_language,
)
from fieldkit.server.errors import ApiError
from fieldkit.server.roles import OFFICE_ROLES

router = APIRouter()
PRE_COOKIE = "fieldkit_console_login"  # double-submit token of the sign-in form


def _safe_next(target: str | None) -> str | None:
    """Only a console path of this center: never another host (an open redirect)."""
    unsafe = ("//", "\\", "\n", "\r")
    if target and target.startswith("/console/") and not any(u in target for u in unsafe):
        return target
    return None


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _login_page(
    request: Request, error: str = "", status_code: int = 200, username: str = ""
) -> Response:
    token = secrets.token_urlsafe(24)
    lang = request.query_params.get("lang")
    response = render(
        request,
        None,
        "login.html",
        status_code=status_code,
        language=lang if lang in SUPPORTED else None,
        error=error,
        login_token=token,
        username=username,
        next=_safe_next(request.query_params.get("next")) or "",
    )
    response.set_cookie(
        PRE_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/console/login",
    )
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    state = request.app.state
    if session_user(state.engine, request.cookies.get(COOKIE), state.now()):
        return RedirectResponse("/console/", status_code=303)
    return _login_page(request)


@router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=1024)],
    login_token: Annotated[str, Form(max_length=64)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
    language: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    state = request.app.state
    expected = request.cookies.get(PRE_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, login_token):
        return _login_page(
            request, N_("The sign-in form expired. Please sign in again."), 400, username
        )
    info = auth.LoginRequestInfo(
        username=username,
        password=password,
        device_id="",
        device_name="console",
        remote=(request.client.host if request.client else "")[:64],
    )
    try:
        user, attempt = await state.gate.check(info, state.now)
    except ApiError as exc:
        return _login_page(request, exc.message, exc.status, username)
    state.gate.succeeded(attempt)  # the password was right, whatever the role
    if user["role"] not in OFFICE_ROLES:
        return _login_page(
            request,
            N_("Engineers use the FieldKit app; the console is for the service center's staff."),
            403,
            username,
        )
    lang = language if language in SUPPORTED else _accepted(request)
    token = open_session(state.engine, user, lang, state.now())
    target = _safe_next(next) or home_for(user["role"])
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(PRE_COOKIE, path="/console/login")
    return response


def _accepted(request: Request) -> str:
    return "zh_CN" if request.headers.get("accept-language", "").lower().startswith("zh") else "en"


@router.post("/logout")
def logout(request: Request, user: SignedIn, _: CsrfChecked) -> Response:
    close_session(request.app.state.engine, user, request.app.state.now())
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post("/language")
def language(
    request: Request,
    user: SignedIn,
    _: CsrfChecked,
    language: Annotated[str, Form(max_length=10)],
    back: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    set_language(request.app.state.engine, user, language)
    return RedirectResponse(_safe_next(back) or home_for(user.role), status_code=303)


@router.get("/")
def home(user: SignedIn) -> Response:
    return RedirectResponse(home_for(user.role), status_code=303)


@router.get("/account")
def account(request: Request, user: SignedIn) -> Response:
    return render(request, user, "account.html")
