"""The service center's web console under ``/console``: server-rendered pages for the
hotline, dispatchers and supervisors, with cookie sessions and CSRF (``session``), one
Jinja2 environment (``render``) and the role table (``roles``)."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from fieldkit.i18n import N_
from fieldkit.server.console import (
    archive_page,
    dispatch_board,
    escalations,
    hotline,
    job_page,
    pages,
    people,
    slip_page,
)
from fieldkit.server.console.render import message_page
from fieldkit.server.console.session import CsrfRefused, Forbidden, NotSignedIn, current_user


def console_router() -> APIRouter:
    router = APIRouter(prefix="/console", include_in_schema=False)
    router.include_router(pages.router)
    router.include_router(hotline.router)
    router.include_router(escalations.router)
    router.include_router(people.router)
    router.include_router(dispatch_board.router)
    router.include_router(job_page.router)
    router.include_router(archive_page.router)
    return router


def install(app: FastAPI) -> None:
    """Mount the console on the center's app: its routes, static files and error pages."""
    app.include_router(console_router())
    app.include_router(slip_page.router)  # the public slip check, /v/<slip id>
    static = files("fieldkit.server.console") / "static"
    app.mount("/console/static", StaticFiles(directory=str(static)), name="console-static")

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(_: Request, exc: NotSignedIn) -> Response:
        return RedirectResponse(f"/console/login?next={exc.next_path}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, _: Forbidden) -> Response:
        return message_page(
            request,
            current_user(request),
            status_code=403,
            title=N_("Not for your role"),
            message=N_("Your role cannot open this page or do this. Ask a supervisor."),
        )

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _: CsrfRefused) -> Response:
        return message_page(
            request,
            current_user(request),
            status_code=403,
            title=N_("Form expired"),
            message=N_(
                "This form was not sent from this console session (it may be old, "
                "or from another site). Nothing was changed: open the page again and retry."
            ),
        )
