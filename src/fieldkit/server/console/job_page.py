"""The job record (``/console/jobs/<id>``): everything the engineer recorded as it reached the
center, the files behind it (streamed to office users only, and only files the job
references), and closing the job once the signed slip is reviewed."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from fieldkit import labels
from fieldkit.i18n import N_
from fieldkit.server.console.dispatch_board import refusal
from fieldkit.server.console.render import message_page, render
from fieldkit.server.console.session import ConsoleUser, CsrfChecked, SignedIn, require
from fieldkit.server.errors import ApiError
from fieldkit.server.job_record import job_blob, load_job_record, signature_path, slip_pdf

router = APIRouter()
Closer = Annotated[ConsoleUser, Depends(require("dispatcher", "supervisor"))]
INLINE = ("image/jpeg", "image/png", "application/pdf")  # shown in the browser; others download
CLOSABLE = ("signed", "resolved_remotely")
WORK_LOG = {
    "accepted": N_("Accepted"),
    "departed": N_("Departed for site"),
    "arrived": N_("Arrived on site"),
    "started": N_("Repair started"),
    "finished": N_("Finished"),
    "note": N_("Note"),
}


def quote_total(lines: list[dict[str, Any]]) -> Decimal:
    return sum(
        (
            Decimal(str(line["quantity"]))
            * Decimal(str(line["unit_price"]))
            * (1 + Decimal(str(line["tax_rate"])))
            for line in lines
        ),
        Decimal(0),
    ).quantize(Decimal("0.01"))


def _page(
    request: Request, user: ConsoleUser, job_id: str, error: str = "", status_code: int = 200
) -> Response:
    state = request.app.state
    record = load_job_record(state.engine, job_id, state.now())
    if record is None:
        return message_page(
            request,
            user,
            status_code=404,
            title=N_("No such job"),
            message=N_("This job does not exist (any more)."),
        )
    return render(
        request,
        user,
        "job_record.html",
        status_code=status_code,
        record=record,
        job=record.job,
        L=labels,
        size_label=labels.size_label,
        signature=signature_path,
        quote_total=quote_total,
        may_close=user.role in ("dispatcher", "supervisor") and record.job["status"] in CLOSABLE,
        error=error,
        closed=request.query_params.get("closed") == "1",
        inline=INLINE,
        work_log_kinds=WORK_LOG,
    )


@router.get("/jobs/{job_id}")
def job_record(request: Request, user: SignedIn, job_id: str) -> Response:
    return _page(request, user, job_id)


@router.post("/jobs/{job_id}/close")
def close_job(request: Request, user: Closer, _: CsrfChecked, job_id: str) -> Response:
    try:
        request.app.state.office.close(job_id, by=user.username)
    except ApiError as exc:
        return _page(request, user, job_id, refusal(exc), 404 if exc.status == 404 else 409)
    return RedirectResponse(f"/console/jobs/{quote(job_id)}?closed=1", status_code=303)


@router.get("/jobs/{job_id}/files/{sha256}")
def job_file(request: Request, user: SignedIn, job_id: str, sha256: str) -> Response:
    """A file the job record links to, for office users: evidence, photos, the slip PDF."""
    state = request.app.state
    known = job_blob(state.engine, job_id, sha256.lower()) if len(sha256) == 64 else None
    complete, _, size = state.blobs.status(sha256.lower()) if known else (False, 0, None)
    if known is None or not complete or size is None:
        return message_page(
            request,
            user,
            status_code=404,
            title=N_("File not at the center"),
            message=N_(
                "The service center does not hold this file (yet): it may still be on the "
                "engineer's device."
            ),
        )
    name, mime = known
    inline = request.query_params.get("inline") == "1" and mime in INLINE
    path = state.blobs.store.path(sha256.lower())

    def stream() -> Iterator[bytes]:
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                yield block

    disposition = "inline" if inline else "attachment"
    headers = {
        "Content-Length": str(size),
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(name, safe='')}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=3600",
        "Content-Security-Policy": "default-src 'none'; img-src 'self'; object-src 'self'",
    }
    return StreamingResponse(
        stream(), headers=headers, media_type=mime if inline else "application/octet-stream"
    )


@router.get("/jobs/{job_id}/slips/{slip_id}/pdf")
def slip_document(
    request: Request, job_id: str, slip_id: str, user: SignedIn, download: int = 0
) -> Response:
    """The slip as the customer holds it, rendered by the center from what it verified."""
    state = request.app.state
    found = slip_pdf(state.engine, job_id, slip_id, state.settings.public_url)
    if found is None:
        return message_page(
            request,
            user,
            status_code=404,
            title=N_("No such slip"),
            message=N_("This job has no such slip."),
        )
    name, pdf = found
    disposition = "attachment" if download else "inline"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
