"""The archive (``/console/archive``): closed jobs searched by customer, site, device, closing
date range, number and text, newest first, one page at a time (``server.archive``)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from fieldkit.server.archive import ArchiveQuery, search_archive
from fieldkit.server.console.render import render
from fieldkit.server.console.session import SignedIn

router = APIRouter()


@router.get("/archive")
def archive(request: Request, user: SignedIn) -> Response:
    q = ArchiveQuery.parse(dict(request.query_params))
    found = search_archive(request.app.state.engine, q, request.app.state.settings.center_timezone)
    return render(
        request,
        user,
        "archive.html",
        found=found,
        q=q,
        page_link=lambda page: "?" + urlencode(q.params(page=page)),
    )
