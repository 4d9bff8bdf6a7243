"""People: the supervisor creates engineers and office users, resets passwords, sees each
user's devices, revokes or remote-wipes a stolen tablet and lifts a login delay. Every action
is a form post with the session's CSRF token; the use cases are in
:mod:`fieldkit.server.office_people`, the reads in :mod:`fieldkit.server.people`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from fieldkit.i18n import N_
from fieldkit.server import people as people_view
from fieldkit.server.console.render import render
from fieldkit.server.console.session import ConsoleUser, CsrfChecked, require
from fieldkit.server.errors import ApiError
from fieldkit.server.office_people import OfficePeople
from fieldkit.server.roles import ROLES

router = APIRouter()
# Devices have no site: their times show in the center's own zone.
Supervisor = Annotated[ConsoleUser, Depends(require("supervisor"))]
DONE = {
    "created": N_("The account is created."),
    "password": N_("The password is changed; the user's console sessions ended."),
    "revoked": N_("The device's logins are revoked; it cannot sync until it is registered again."),
    "wipe": N_("At its next contact the device erases its synced data and signs out."),
    "revoked_all": N_("Every login of this user is revoked."),
    "unlocked": N_("The login delay is lifted."),
}


def _page(request: Request, user: ConsoleUser, error: str = "", status: int = 200) -> Response:
    state = request.app.state
    now = state.now()
    return render(
        request,
        user,
        "people.html",
        status_code=status,
        people=people_view.people(state.engine, now, now - state.settings.login_window),
        roles=ROLES,
        zone=state.settings.center_timezone,
        error=error,
        done=DONE.get(request.query_params.get("done", ""), ""),
    )


@router.get("/people")
def people(request: Request, user: Supervisor) -> Response:
    return _page(request, user)


def _run(request: Request, user: ConsoleUser, action: str, call: Callable[[], object]) -> Response:
    try:
        call()
    except ApiError as exc:
        return _page(request, user, exc.message, exc.status)
    return RedirectResponse(f"/console/people?done={action}", status_code=303)


def _desk(request: Request) -> OfficePeople:
    return OfficePeople(request.app.state.engine, request.app.state.now)


@router.post("/people")
def create(
    request: Request,
    user: Supervisor,
    _: CsrfChecked,
    username: Annotated[str, Form(max_length=80)],
    role: Annotated[str, Form(max_length=20)],
    password: Annotated[str, Form(max_length=1024)],
    display_name: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    desk = _desk(request)
    return _run(
        request,
        user,
        "created",
        lambda: desk.create_user(username.strip(), display_name, role, password),
    )


@router.post("/people/{username}/password")
def password(
    request: Request,
    username: str,
    user: Supervisor,
    _: CsrfChecked,
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    desk = _desk(request)
    return _run(request, user, "password", lambda: desk.reset_password(username, password))


@router.post("/people/{username}/unlock")
def unlock(request: Request, username: str, user: Supervisor, _: CsrfChecked) -> Response:
    desk = _desk(request)
    return _run(request, user, "unlocked", lambda: desk.unlock(username, user.username))


@router.post("/people/{username}/revoke")
def revoke_all(request: Request, username: str, user: Supervisor, _: CsrfChecked) -> Response:
    desk = _desk(request)
    return _run(request, user, "revoked_all", lambda: desk.revoke_all(username))


@router.post("/people/{username}/devices/{device_id}")
def device(
    request: Request,
    username: str,
    device_id: str,
    user: Supervisor,
    _: CsrfChecked,
    action: Annotated[Literal["revoke", "wipe"], Form()],
) -> Response:
    desk = _desk(request)
    if action == "wipe":
        return _run(request, user, "wipe", lambda: desk.wipe_device(username, device_id))
    return _run(request, user, "revoked", lambda: desk.revoke_device(username, device_id))
