"""The public slip check at ``/v/<slip id>`` (no sign-in, outside /console): the page the
slip's QR code opens. The verification code travels in the URL's fragment, which browsers
never send; a few lines of script (``static/verify.js``) move it into the form, and without
script the customer types the code printed on the paper. Both languages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from fieldkit.i18n import SUPPORTED
from fieldkit.server.console.render import render
from fieldkit.server.slip_check import check_slip

router = APIRouter(include_in_schema=False)


@router.get("/v/{slip_id}")
def slip_check_page(
    request: Request,
    slip_id: str,
    code: Annotated[str, Query(max_length=64)] = "",
    lang: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    state = request.app.state
    result = check_slip(state.engine, slip_id[:64], code)
    response = render(
        request,
        None,
        "verify.html",
        language=lang if lang in SUPPORTED else None,
        slip_id=slip_id[:64],
        code=code,
        result=result,
        company=state.settings.company,
        status_code=404 if result.state == "unknown" else 200,
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
