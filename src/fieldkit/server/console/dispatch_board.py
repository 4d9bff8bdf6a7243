"""The dispatch board (``/console/board``): open jobs with their clocks, the unassigned lane,
filters as GET parameters, each engineer's load and last sync; the assign page of one job
(assign, re-assign with a reason, change the severity). The page polls ``/board/version``
(a small change counter) and redraws its live part from ``/board/live`` when it moves."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from fieldkit import labels
from fieldkit.i18n import N_
from fieldkit.server.board import (
    JOB_TYPES,
    OPEN_STATUSES,
    BoardFilter,
    current_version,
    load_board,
    load_engineers,
)
from fieldkit.server.console.render import message_page, render
from fieldkit.server.console.session import ConsoleUser, CsrfChecked, require
from fieldkit.server.errors import ApiError
from fieldkit.server.job_record import load_job_record

router = APIRouter()
Dispatch = Annotated[ConsoleUser, Depends(require("dispatcher", "supervisor"))]

# The office's refusals, in words the console translates (the API's are English only).
REFUSALS = {
    "job.reason": N_("Say why the job changes hands, then re-assign it."),
    "job.engineer": N_("Choose an active engineer from the list."),
    "job.unknown": N_("This job does not exist (any more)."),
    "job.rule": N_("The job's current step does not allow this."),
}


def refusal(exc: ApiError) -> str:
    return REFUSALS.get(exc.code, N_("The service center refused this change."))


def _board_context(request: Request) -> dict[str, Any]:
    state = request.app.state
    f = BoardFilter.parse(dict(request.query_params))
    board = load_board(state.engine, f, state.now())
    return {
        "board": board,
        "statuses": OPEN_STATUSES,
        "job_types": JOB_TYPES,
        "query": urlencode(f.query()),
        "page_link": lambda page: "?" + urlencode(f.query(page=page)),
        "user_zone": request.app.state.settings.center_timezone,
        "L": labels,
    }


@router.get("/board")
def board_page(request: Request, user: Dispatch) -> Response:
    return render(request, user, "board.html", **_board_context(request))


@router.get("/board/live")
def board_live(request: Request, user: Dispatch) -> Response:
    """The live part of the board alone (the page swaps it in when the counter moves)."""
    context = _board_context(request)
    response = render(request, user, "board_live.html", **context)
    response.headers["X-Board-Version"] = context["board"].version
    return response


@router.get("/board/version")
def board_version(request: Request, user: Dispatch) -> Response:
    version = current_version(request.app.state.engine)
    return JSONResponse({"version": version}, headers={"Cache-Control": "no-store"})


def _assign_page(
    request: Request,
    user: ConsoleUser,
    job_id: str,
    error: str = "",
    status_code: int = 200,
    reason: str = "",
    back: str = "",
) -> Response:
    state = request.app.state
    record = load_job_record(state.engine, job_id, state.now())
    if record is None:
        return message_page(
            request,
            user,
            status_code=404,
            title=N_("No such job"),
            message=REFUSALS["job.unknown"],
        )
    return render(
        request,
        user,
        "assign.html",
        status_code=status_code,
        record=record,
        engineers=load_engineers(state.engine),
        error=error,
        reason=reason,
        back=back or request.query_params.get("back", ""),
        L=labels,
    )


@router.get("/board/jobs/{job_id}")
def assign_page(request: Request, user: Dispatch, job_id: str) -> Response:
    return _assign_page(request, user, job_id)


def _back(back: str) -> str:
    """Back to the board with its filters (only a board query, never another address)."""
    if back.startswith("?") and "\n" not in back and "//" not in back:
        return "/console/board" + back
    return "/console/board"


@router.post("/board/jobs/{job_id}/assign")
def assign(
    request: Request,
    user: Dispatch,
    _: CsrfChecked,
    job_id: str,
    engineer: Annotated[str, Form(max_length=80)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
    back: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    office = request.app.state.office
    try:
        if not engineer:
            raise ApiError(422, "job.engineer", "Choose an engineer")
        office.assign(job_id, engineer, by=user.username, reason=reason, require_reason=True)
    except ApiError as exc:
        status = 404 if exc.status == 404 else 422
        return _assign_page(request, user, job_id, refusal(exc), status, reason, back)
    return RedirectResponse(_back(back), status_code=303)


@router.post("/board/jobs/{job_id}/severity")
def change_severity(
    request: Request,
    user: Dispatch,
    _: CsrfChecked,
    job_id: str,
    severity: Annotated[int, Form(ge=1, le=4)],
    reason: Annotated[str, Form(max_length=4000)] = "",
    back: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    office = request.app.state.office
    try:
        office.change_severity(job_id, severity, by=user.username, reason=reason)
    except ApiError as exc:
        status = 404 if exc.status == 404 else 422
        return _assign_page(request, user, job_id, refusal(exc), status, back=back)
    return RedirectResponse(_back(back), status_code=303)
