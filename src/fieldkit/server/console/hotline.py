"""The hotline's pages: intake of a call in progress (find the customer, the kind of call, a
fault's level, site, device and warranty, then the job or the phone resolution), and the
follow-ups of complaints and suggestions. Reads come from ``server.hotline``, writes go
through ``server.office_hotline``; no SQL here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from fieldkit.domain.errors import DomainError
from fieldkit.domain.hotline import REPORT_KINDS
from fieldkit.i18n import N_, translator
from fieldkit.labels import BILLING, CAUSE, JOB_TYPE, SEVERITY, STATUS
from fieldkit.server import hotline
from fieldkit.server.console import durations
from fieldkit.server.console.render import render
from fieldkit.server.console.roles import ALL
from fieldkit.server.console.session import ConsoleUser, CsrfChecked, require
from fieldkit.server.errors import ApiError
from fieldkit.server.office_hotline import CallIn, Hotline, Outcome

router = APIRouter()
Operator = Annotated[ConsoleUser, Depends(require(*ALL))]

KIND_LABELS = {
    "fault_report": N_("Fault"),
    "complaint": N_("Complaint"),
    "praise": N_("Praise"),
    "suggestion": N_("Suggestion"),
    "consultation": N_("Consultation"),
    "project_info": N_("Project information"),
    "customer_need": N_("Customer need"),
}
RECORDED_KINDS = ("praise", "consultation", "project_info", "customer_need")
OUTCOMES: tuple[Outcome, ...] = ("job", "remote", "record")
FORM_FIELDS = tuple(CallIn.model_fields)
UNKNOWN_CALLER = "none"  # ?customer=none: a caller who is not a customer on record


def say(_: Callable[[str], str], message: Any) -> str:
    """A domain message (template + parameters) or plain text, in the user's language."""
    template = getattr(message, "template", None)
    if template is None:
        return _(str(message))
    try:
        return _(template).format(**getattr(message, "params", {}))
    except (KeyError, IndexError, ValueError):
        return str(message)


def duration(_: Callable[[str], str], span: timedelta | None) -> str:
    """A contract's commitment ("within 4 h"), in the operator's language."""
    return durations.duration(span, _)


def _hotline(request: Request) -> Hotline:
    return Hotline(request.app.state.office)


def _labels() -> dict[str, Any]:
    return {
        "kinds": [(k, KIND_LABELS[k]) for k in REPORT_KINDS],
        "kind_label": KIND_LABELS,
        "severity_label": SEVERITY,
        "billing_label": BILLING,
        "cause_label": CAUSE,
        "status_label": STATUS,
        "job_type_label": JOB_TYPE,
        "say": say,
        "duration": duration,
    }


def _intake(
    request: Request,
    user: ConsoleUser,
    q: str = "",
    customer: str = "",
    site: str = "",
    values: dict[str, Any] | None = None,
    error: str = "",
    done: str = "",
    status_code: int = 200,
) -> Response:
    engine, now = request.app.state.engine, request.app.state.now()
    unknown_caller = customer == UNKNOWN_CALLER
    card = hotline.customer_card(engine, customer, now) if customer and not unknown_caller else None
    chosen = None
    if card and card.sites:
        chosen = next((s for s in card.sites if s.id == site), card.sites[0])
    finished = None
    if done:
        report = hotline.report(engine, done)
        if report is not None:
            finished = {"report": report, "job": hotline.job_brief(engine, report["job_id"])}
    return render(
        request,
        user,
        "hotline.html",
        status_code=status_code,
        q=q,
        hits=hotline.search_customers(engine, q) if q else [],
        card=card,
        unknown_caller=unknown_caller,
        site=chosen,
        values=values or {"kind": "consultation" if unknown_caller else "fault_report"},
        error=error,
        finished=finished,
        **_labels(),
    )


@router.get("/hotline")
def intake(
    request: Request,
    user: Operator,
    q: Annotated[str, Query(max_length=200)] = "",
    customer: Annotated[str, Query(max_length=36)] = "",
    site: Annotated[str, Query(max_length=36)] = "",
    done: Annotated[str, Query(max_length=36)] = "",
) -> Response:
    return _intake(request, user, q, customer, site, done=done)


@router.post("/hotline")
async def take_call(
    request: Request,
    user: Operator,
    _: CsrfChecked,
    outcome: Annotated[str, Form(max_length=10)] = "job",
) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in FORM_FIELDS}
    customer, site = values["customer_id"], values["site_id"]
    translate = _translator(user)
    try:
        if outcome not in OUTCOMES:
            raise DomainError(N_("Choose what to do with the call"))
        call = CallIn.model_validate(
            {
                **values,
                "severity": int(values["severity"]) if values["severity"].isdigit() else None,
                "customer_id": customer or None,
                "site_id": site or None,
                "device_id": values["device_id"] or None,
            }
        )
        result = _hotline(request).take_call(call, outcome, user.username, translate)
    except ValidationError:
        error = translate("A field is too long or not valid: shorten it and send again")
    except DomainError as exc:
        error = say(translate, exc)
    except ApiError as exc:
        error = translate(exc.message)
    else:
        return RedirectResponse(f"/console/hotline?done={result.report_id}", status_code=303)
    again = customer or UNKNOWN_CALLER
    return _intake(request, user, "", again, site, values=values, error=error, status_code=422)


def _translator(user: ConsoleUser) -> Callable[[str], str]:
    return translator(user.language)


@router.get("/followups")
def followups(request: Request, user: Operator) -> Response:
    return _followups(request, user)


def _followups(
    request: Request,
    user: ConsoleUser,
    error: str = "",
    draft: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    engine = request.app.state.engine
    return render(
        request,
        user,
        "followups.html",
        status_code=status_code,
        draft=draft or {},
        open_items=hotline.followups(engine, closed=False),
        closed_items=hotline.followups(engine, closed=True),
        recorded=hotline.report_lines(engine, RECORDED_KINDS),
        people=hotline.office_people(engine),
        error=error,
        **_labels(),
    )


@router.post("/followups/{report_id}")
async def follow_up(
    request: Request,
    report_id: str,
    user: Operator,
    _: CsrfChecked,
    owner: Annotated[str, Form(max_length=80)] = "",
    response: Annotated[str, Form(max_length=20000)] = "",
    action: Annotated[str, Form(max_length=10)] = "save",
) -> Response:
    try:
        _hotline(request).follow_up(report_id, owner, response, action == "close", user.username)
    except DomainError as exc:
        error = say(_translator(user), exc)
    except ApiError as exc:
        error = _translator(user)(exc.message)
    else:
        return RedirectResponse(f"/console/followups#r-{report_id}", status_code=303)
    draft = {"id": report_id, "owner": owner, "response": response}
    return _followups(request, user, error, draft, status_code=422)
