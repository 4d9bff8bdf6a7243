"""The escalation queue: open escalations by level and age, with what the engineer brought
back; a supervisor records the analysis and plan, then re-assigns or closes (the use cases in
:mod:`fieldkit.server.office_escalations`, the reads in :mod:`fieldkit.server.escalation_queue`).
Dispatchers may look; only supervisors act."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from fieldkit.domain.enums import EscalationCategory
from fieldkit.i18n import N_, translator
from fieldkit.server import escalation_queue
from fieldkit.server.console.render import message_page, render
from fieldkit.server.console.session import ConsoleUser, CsrfChecked, require
from fieldkit.server.errors import ApiError
from fieldkit.server.office_escalations import OfficeEscalations, ReviewIn

router = APIRouter()
Viewer = Annotated[ConsoleUser, Depends(require("dispatcher", "supervisor"))]
Supervisor = Annotated[ConsoleUser, Depends(require("supervisor"))]
SHA = re.compile(r"[0-9a-f]{64}")
CATEGORIES: dict[str, str] = {  # the app's labels (ui.escalation_panel), same catalog entries
    EscalationCategory.NEEDS_PART.value: N_("Needs a part"),
    EscalationCategory.VENDOR.value: N_("Needs the vendor"),
    EscalationCategory.SPECIALIST.value: N_("Needs a specialist"),
    EscalationCategory.OTHER.value: N_("Other"),
}


def _page(request: Request, user: ConsoleUser, error: str = "", status: int = 200) -> Response:
    engine = request.app.state.engine
    return render(
        request,
        user,
        "escalations.html",
        status_code=status,
        items=escalation_queue.open_escalations(engine),
        engineers=escalation_queue.engineers(engine),
        may_act=user.role == "supervisor",
        categories=CATEGORIES,
        error=error,
        done=request.query_params.get("done", ""),
    )


@router.get("/escalations")
def queue(request: Request, user: Viewer) -> Response:
    return _page(request, user)


@router.post("/escalations/{job_id}")
def review(
    request: Request,
    job_id: str,
    user: Supervisor,
    _: CsrfChecked,
    action: Annotated[Literal["note", "reassign", "close"], Form()],
    analysis: Annotated[str, Form(max_length=20000)] = "",
    plan: Annotated[str, Form(max_length=20000)] = "",
    engineer: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    tr = translator(user.language)
    body = ReviewIn(analysis, plan, (str(tr("Analysis")), str(tr("Plan"))))
    desk = OfficeEscalations(request.app.state.engine, request.app.state.now)
    try:
        if action == "reassign":
            if not engineer:
                raise ApiError(422, "escalation.engineer", N_("Choose the engineer to assign"))
            desk.reassign(job_id, engineer, body, user.username)
        elif action == "close":
            desk.close(job_id, body, user.username)
        else:
            desk.note(job_id, body, user.username)
    except ApiError as exc:
        return _page(request, user, exc.message, exc.status)
    return RedirectResponse(f"/console/escalations?done={action}", status_code=303)


@router.get("/escalations/{job_id}/files/{sha256}")
def file(request: Request, job_id: str, sha256: str, user: Viewer) -> Response:
    """A file the engineer sent with an escalation of this job (nothing else by hash)."""
    item = escalation_queue.escalation(request.app.state.engine, job_id)
    records = [item.latest, *item.earlier] if item else []
    found = next((f for r in records for f in r.files if f.sha256 == sha256), None)
    blobs = request.app.state.blobs
    if found is None or not SHA.fullmatch(sha256) or not blobs.status(sha256)[0]:
        return message_page(
            request,
            user,
            status_code=404,
            title=N_("Not found"),
            message=N_(
                "This file is not at the service center (yet): the device may not have uploaded it."
            ),
        )
    return FileResponse(
        blobs.store.path(sha256),
        media_type="application/octet-stream",
        filename=found.filename,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"},
    )
