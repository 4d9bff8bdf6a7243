"""What a service slip says, in one shape: the canonical payload the customer signs
(``fieldkit.slip/2``), built from plain facts by the app, the demo and the center alike, the
rule a payload must meet before it is signed or accepted, and a normaliser that reads every
payload ever signed (``fieldkit.slip/1`` in its app and early-demo shapes) as the current one.

Times stay UTC in the payload (the canonical form converts them); the site's IANA zone travels
with it, so every document prints the site's local time with its offset.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fieldkit.domain.checklist import (
    ChecklistItem,
    Evidence,
    ItemState,
    Progress,
    item_state,
    latest_answers,
    tally,
)
from fieldkit.domain.enums import QuoteLineKind, SignerRole
from fieldkit.domain.errors import InvalidValue
from fieldkit.domain.quote import Quote

SCHEMA_V1 = "fieldkit.slip/1"
SCHEMA_V2 = "fieldkit.slip/2"
SCHEMAS = (SCHEMA_V1, SCHEMA_V2)
DEFAULT_ZONE = "UTC"
# The customer was asked to rate the service and chose not to: said so on the slip, never
# read as a score.
DECLINED = "declined"
Satisfaction = int | str  # 1 to 5, or DECLINED


def check_satisfaction(value: object) -> Satisfaction:
    """A rating the customer actively chose: 1 to 5, or declined. Nothing is assumed."""
    if value == DECLINED:
        return DECLINED
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise InvalidValue("Customer satisfaction is rated 1 to 5, or the customer declines")
    return value


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone ``name``; UTC when it is empty or unknown to this device."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def local_time(value: Any, timezone: str | None) -> str:
    """An ISO moment (or datetime) as local time in ``timezone`` with its UTC offset; text
    that is not a moment comes back as it is."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return str(value or "-")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(zone(timezone))
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"


def check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidValue(f"Unknown time zone: {name}") from exc
    return name


@dataclass(frozen=True, slots=True)
class BackupFact:
    item: str
    at: datetime | None
    sha256: str | None
    note: str = ""
    kind: str = ""  # the evidence the item asks for (tick, text, photo, file)
    required: bool = True
    state: ItemState | None = None  # what happened to it; None only in old payloads


def backup_facts(items: Iterable[ChecklistItem], answers: Iterable[Evidence]) -> list[BackupFact]:
    """The backup as a slip reports it: each item with its latest answer and its state."""
    latest = latest_answers(answers)
    facts = []
    for item in items:
        ans = latest.get(item.id)
        facts.append(
            BackupFact(
                item.label,
                ans.recorded_at if ans else None,
                ans.blob_sha256 if ans else None,
                ans.text if ans else "",
                kind=item.evidence_kind.value,
                required=item.required,
                state=item_state(item, ans),
            )
        )
    return facts


def backup_state(entry: Mapping[str, Any]) -> ItemState | None:
    """A slip's backup entry's state; None for a payload signed before states were kept."""
    try:
        return ItemState(str(entry.get("state")))
    except ValueError:
        return None


def backup_progress(entries: Sequence[Mapping[str, Any]]) -> Progress:
    """A slip's backup entries counted as the workspace counts them (required items done).
    An entry without a state (an older payload) counts as required, done when answered."""
    return tally(
        (
            str(e.get("item", "")),
            bool(e.get("required", True)),
            backup_state(e) is ItemState.DONE if backup_state(e) is not None else bool(e.get("at")),
        )
        for e in entries
    )


@dataclass(frozen=True, slots=True)
class PartFact:
    part_no: str
    quantity: Decimal
    paid: bool
    unit_price: Decimal | None
    serial_removed: str = ""
    serial_installed: str = ""


@dataclass(frozen=True, slots=True)
class SignatureFact:
    role: SignerRole
    name: str
    at: datetime
    strokes_sha256: str


@dataclass(frozen=True, slots=True)
class SlipFacts:
    """Everything on the record the slip reports, gathered at signing time."""

    job_number: str
    job_type: str
    severity: int
    reported_at: datetime
    channel: str
    billing: str
    customer_name: str
    customer_name_en: str
    site_name: str
    site_address: str
    site_timezone: str
    device: tuple[str, str, str] | None  # name, model, serial
    fault_reported: str
    fault_found: str
    cause_area: str | None
    cause_origin: str | None
    work_performed: str
    confirmed_with: str
    sla_respond: str
    sla_arrive: str
    engineer_username: str
    engineer_name: str
    arrived_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    backup: Sequence[BackupFact] = field(default_factory=tuple)
    parts: Sequence[PartFact] = field(default_factory=tuple)
    quote_number: str | None = None
    quote: Quote | None = None  # the approved quote of a paid job


def charges(quote: Quote, number: str) -> dict[str, Any]:
    """The approved quote's charges as the slip prints them: lines, subtotals by kind, tax."""
    totals = quote.totals()
    by_kind = {kind: Decimal(0) for kind in QuoteLineKind}
    for line in quote.lines:
        by_kind[line.kind] += line.net.amount
    return {
        "quote": number,
        "currency": quote.currency,
        "lines": [
            {
                "kind": line.kind,
                "description": line.description,
                "part_no": line.part_no,
                "quantity": line.quantity,
                "unit_price": line.unit_price.amount,
                "tax_rate": line.tax_rate,
                "net": line.net.amount,
            }
            for line in quote.lines
        ],
        "parts": by_kind[QuoteLineKind.PART],
        "labour": by_kind[QuoteLineKind.LABOUR],
        "travel": by_kind[QuoteLineKind.TRAVEL],
        "subtotal": totals.subtotal.amount,
        "tax": totals.tax.amount,
        "total": totals.total.amount,
    }


def slip_payload(
    facts: SlipFacts,
    satisfaction: Satisfaction | None,
    comments: str,
    signatures: Sequence[SignatureFact] = (),
    customer_absent: str | None = None,
) -> dict[str, Any]:
    """The ``fieldkit.slip/2`` payload (without the ids ``SlipDraft.sign`` adds)."""
    check_zone(facts.site_timezone)
    return {
        "job": {
            "number": facts.job_number,
            "type": facts.job_type,
            "severity": facts.severity,
            "reported_at": facts.reported_at,
            "channel": facts.channel,
            "billing": facts.billing,
        },
        "customer": {"name": facts.customer_name, "name_en": facts.customer_name_en},
        "site": {
            "name": facts.site_name,
            "address": facts.site_address,
            "timezone": facts.site_timezone,
        },
        "device": (
            dict(zip(("name", "model", "serial"), facts.device, strict=True))
            if facts.device
            else None
        ),
        "engineer": {"username": facts.engineer_username, "name": facts.engineer_name.strip()},
        "times": {
            "arrived": facts.arrived_at,
            "started": facts.started_at,
            "finished": facts.finished_at,
        },
        "fault_reported": facts.fault_reported,
        "fault_found": facts.fault_found,
        "cause": {"area": facts.cause_area, "origin": facts.cause_origin},
        "work_performed": facts.work_performed,
        "confirmed_with": facts.confirmed_with,
        "backup": [
            {
                "item": b.item,
                "at": b.at,
                "sha256": b.sha256,
                "note": b.note,
                "kind": b.kind,
                "required": b.required,
                "state": b.state.value if b.state is not None else None,
            }
            for b in facts.backup
        ],
        "parts": [
            {
                "part_no": p.part_no,
                "quantity": p.quantity,
                "paid": p.paid,
                "unit_price": p.unit_price if p.paid else None,
                "serial_removed": p.serial_removed,
                "serial_installed": p.serial_installed,
            }
            for p in facts.parts
        ],
        "charges": (
            charges(facts.quote, facts.quote_number or "")
            if facts.quote is not None and facts.billing == "paid"
            else None
        ),
        "sla": {"respond": facts.sla_respond, "arrive": facts.sla_arrive},
        "satisfaction": satisfaction,
        "comments": comments.strip(),
        "customer_absent": {"reason": customer_absent.strip()} if customer_absent else None,
        "signatures": [
            {
                "role": s.role.value,
                "name": s.name.strip(),
                "at": s.at,
                "strokes_sha256": s.strokes_sha256,
            }
            for s in signatures
        ],
    }


def check_payload(content: Mapping[str, Any]) -> None:
    """The rule a slip meets before it is signed, and again before the center accepts it.
    A ``fieldkit.slip/1`` payload is judged by its own (older) rules: only its hash counts."""
    schema = content.get("schema")
    if schema not in SCHEMAS:
        raise InvalidValue(f"Unknown slip format: {schema}")
    if schema == SCHEMA_V1:
        return
    for key in ("job", "customer", "site", "engineer", "times", "signatures"):
        if not isinstance(content.get(key), Mapping | list):
            raise InvalidValue(f"The slip has no {key} section")
    check_zone(str(content["site"].get("timezone") or ""))
    if not str(content["engineer"].get("name") or "").strip():
        raise InvalidValue("The slip needs the engineer's name")
    roles = [s.get("role") for s in content["signatures"]]
    if SignerRole.ENGINEER.value not in roles:
        raise InvalidValue("The engineer signs the slip too")
    absent = content.get("customer_absent")
    if absent is None:
        if SignerRole.CUSTOMER.value not in roles:
            raise InvalidValue("The slip must be signed by the customer")
        check_satisfaction(content.get("satisfaction"))
    else:
        if not str(absent.get("reason") or "").strip():
            raise InvalidValue("Say why the customer does not sign")
        if SignerRole.CUSTOMER.value in roles:
            raise InvalidValue("A slip the customer signed is not a slip without the customer")


_V2_DEFAULTS: dict[str, Any] = {
    "job": {},
    "customer": {},
    "site": {},
    "device": None,
    "engineer": {},
    "times": {},
    "fault_reported": "",
    "fault_found": "",
    "cause": {},
    "work_performed": "",
    "confirmed_with": "",
    "backup": [],
    "parts": [],
    "charges": None,
    "sla": {},
    "satisfaction": None,
    "comments": "",
    "customer_absent": None,
    "signatures": [],
    "number": "",
    "slip_id": "-",
    "supersedes": None,
}


def normalise(content: Mapping[str, Any]) -> dict[str, Any]:
    """Any signed payload read as ``fieldkit.slip/2``: missing sections become empty ones, so
    a renderer has one shape to print. The stored canonical text is never touched."""
    out: dict[str, Any] = {
        key: (dict(value) if isinstance(value, dict) else value)
        for key, value in _V2_DEFAULTS.items()
    }
    for key, value in content.items():
        if value is not None or key not in out:
            out[key] = value
    for key in ("job", "customer", "site", "engineer", "times", "cause", "sla"):
        if not isinstance(out[key], Mapping):
            out[key] = {}
    engineer = content.get("engineer")
    if isinstance(engineer, str):  # the early demo wrote the engineer's login name alone
        out["engineer"] = {"username": engineer, "name": engineer}
    if not out["engineer"].get("name"):
        names = [s.get("name") for s in out["signatures"] if s.get("role") == "engineer"]
        if names:
            out["engineer"] = {**out["engineer"], "name": names[0]}
    out["schema"] = content.get("schema") or SCHEMA_V1
    return out
