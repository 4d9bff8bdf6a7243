"""Applying pushed mutations with the conflict policy of ARCHITECTURE.md.

- status moves only through the domain state machine, run here on the server's state;
- notes, checklist answers, escalations, part replacements and signed slips are append-only
  and are kept even if the job was re-assigned meanwhile (recorded as a conflict);
- quotes use optimistic versions; a signed slip with the same id and another hash is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from fieldkit.domain import workflow
from fieldkit.domain.checklist import ChecklistItem, Evidence, validate_evidence
from fieldkit.domain.enums import (
    Billing,
    CauseArea,
    CauseOrigin,
    EvidenceKind,
    JobStatus,
    QuoteLineKind,
    QuoteStatus,
)
from fieldkit.domain.errors import DomainError
from fieldkit.domain.money import Money
from fieldkit.domain.quote import QuoteLine, Replacement, ensure_part_replacement_allowed
from fieldkit.domain.slip import SignedSlip
from fieldkit.domain.slip_payload import check_payload
from fieldkit.protocol.wire import Mutation
from fieldkit.server.auth import Principal
from fieldkit.server.changes import ChangeWriter
from fieldkit.server.jobstate import job_context, job_quotes, job_row, to_job
from fieldkit.server.tables import ENTITY as E
from fieldkit.server.tables import client_devices, job_assignments
from fieldkit.services.device_key import verify as device_key_ok

# What an engineer may do is exactly what the app offers them (the office closes, re-assigns).
ENGINEER_ACTIONS = frozenset(workflow.FLOW_ORDER)
CLASSIFIABLE = {"diagnosing", "backed_up", "repairing"}


class Rejected(Exception):
    def __init__(
        self,
        code: str,
        reason: str,
        reassert: list[tuple[str, str]] | None = None,
        server_value: Any = None,
    ) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason
        self.reassert = reassert or []  # entities to resend so the client converges
        self.server_value = server_value


@dataclass
class Ctx:
    conn: Connection
    writer: ChangeWriter
    who: Principal
    now: datetime
    mutation: Mutation
    kept_conflicts: list[tuple[str, str]]  # (job_id, reason) for append-only work kept

    @property
    def args(self) -> dict[str, Any]:
        return self.mutation.args

    def me(self) -> set[str]:
        return {self.who.username}


def _at(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise Rejected("mutation.invalid", f"Not a timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        raise Rejected("mutation.invalid", "Timestamps must carry a time zone")
    return parsed


def _job(ctx: Ctx, job_id: str, append_only: bool = False) -> dict[str, Any]:
    row = job_row(ctx.conn, job_id)
    if row is None:
        raise Rejected("job.unknown", "This job no longer exists at the service center")
    if row["assigned_engineer"] != ctx.who.username:
        was_assigned = (
            ctx.conn.scalar(
                select(job_assignments.c.id)
                .where(
                    job_assignments.c.job_id == job_id,
                    job_assignments.c.engineer == ctx.who.username,
                )
                .limit(1)
            )
            is not None
        )
        if not append_only or not was_assigned:
            raise Rejected(
                "job.reassigned",
                "The job was re-assigned to another engineer; this step was not applied",
            )
        ctx.kept_conflicts.append(
            (job_id, "Job was re-assigned; work recorded before the re-assignment is kept")
        )
    return row


def _exists(conn: Connection, table: str, key: str) -> bool:
    tbl = E[table]
    pk = next(iter(tbl.primary_key.columns))
    return conn.scalar(select(pk).where(pk == key)) is not None


def _insert(ctx: Ctx, table: str, values: dict[str, Any], audience: set[str]) -> bool:
    """Append-only insert, idempotent by id. Returns False if it was already there."""
    if _exists(ctx.conn, table, values["id"]):
        return False
    ctx.conn.execute(insert(E[table]).values(**values))
    ctx.writer.upsert(table, values["id"], audience)
    return True


def _audience(ctx: Ctx, job: dict[str, Any]) -> set[str]:
    """Who receives a job's append-only rows: its current engineer only. Work kept from a
    previous assignee goes to the new one; the previous one no longer has the job."""
    return {job["assigned_engineer"]} - {""}


def job_transition(ctx: Ctx) -> None:
    a = ctx.args
    action = str(a.get("action", ""))
    if action not in ENGINEER_ACTIONS:
        raise Rejected("job.action", f"'{action}' is not an engineer action")
    row = _job(ctx, ctx.mutation.entity_id)
    at = _at(a.get("at"))
    args = workflow.ActionArgs(
        confirmed_with=a.get("confirmed_with", ""),
        resolution=a.get("resolution", ""),
        reason=a.get("reason", ""),
        findings=a.get("findings", ""),
        actor=ctx.who.username,
    )
    try:
        after = workflow.apply(to_job(row), action, job_context(ctx.conn, row["id"]), at, args)
    except DomainError as exc:
        raise Rejected("job.rule", str(exc), [("jobs", row["id"])], row["status"]) from exc
    ctx.conn.execute(
        update(E["jobs"])
        .where(E["jobs"].c.id == row["id"])
        .values(
            status=after.status.value,
            version=row["version"] + 1,
            responded_at=after.responded_at,
            arrived_at=after.arrived_at,
            confirmed_with=after.confirmed_with,
            resolution=after.resolution,
            updated_at=ctx.now,
        )
    )
    ctx.writer.upsert("jobs", row["id"], ctx.me())
    if a.get("escalation_id") and len(after.escalations) > len(to_job(row).escalations):
        esc = after.escalations[-1]
        _insert(
            ctx,
            "escalations",
            {
                "id": a["escalation_id"],
                "job_id": row["id"],
                "at": at,
                "by": esc.by,
                "reason": esc.reason,
                "findings": esc.findings,
            },
            ctx.me(),
        )
    if a.get("work_log_id"):
        from fieldkit.services.jobs import WORK_LOG

        _insert(
            ctx,
            "work_log",
            {
                "id": a["work_log_id"],
                "job_id": row["id"],
                "kind": WORK_LOG.get(action, action),
                "at": at,
                "by": ctx.who.username,
                "note": "",
            },
            ctx.me(),
        )


def job_classify(ctx: Ctx) -> None:
    row = _job(ctx, ctx.mutation.entity_id)
    if row["status"] not in CLASSIFIABLE:
        raise Rejected(
            "job.rule",
            "The cause is classified while diagnosing or repairing",
            [("jobs", row["id"])],
        )
    try:
        area, origin = CauseArea(ctx.args["cause_area"]), CauseOrigin(ctx.args["cause_origin"])
    except (KeyError, ValueError):
        raise Rejected("mutation.invalid", "Unknown cause classification") from None
    ctx.conn.execute(
        update(E["jobs"])
        .where(E["jobs"].c.id == row["id"])
        .values(
            cause_area=area.value,
            cause_origin=origin.value,
            fault_found=str(ctx.args.get("fault_found", ""))[:20000],
            version=row["version"] + 1,
            updated_at=ctx.now,
        )
    )
    ctx.writer.upsert("jobs", row["id"], ctx.me())


def worklog_add(ctx: Ctx) -> None:
    job = _job(ctx, ctx.mutation.entity_id, append_only=True)
    a = ctx.args
    _insert(
        ctx,
        "work_log",
        {
            "id": a["id"],
            "job_id": job["id"],
            "kind": "note",
            "at": _at(a["at"]),
            "by": ctx.who.username,
            "note": str(a.get("note", ""))[:20000],
        },
        _audience(ctx, job),
    )


def checklist_answer(ctx: Ctx) -> None:
    a = ctx.args
    items, runs = E["checklist_run_items"], E["checklist_runs"]
    item = (
        ctx.conn.execute(select(items).where(items.c.id == a.get("run_item_id"))).mappings().first()
    )
    if item is None:
        raise Rejected("checklist.unknown", "This checklist item is unknown at the service center")
    job_id = ctx.conn.scalar(select(runs.c.job_id).where(runs.c.id == item["run_id"]))
    job = _job(ctx, str(job_id), append_only=True)
    kind = EvidenceKind(item["evidence_kind"])
    evidence = Evidence(
        item["id"],
        EvidenceKind(a.get("kind", "")),
        _at(a["at"]),
        bool(a.get("ticked")),
        str(a.get("text", "")),
        a.get("blob_sha256"),
    )
    try:
        validate_evidence(
            ChecklistItem(item["id"], item["label"], kind, item["required"]), evidence
        )
    except DomainError as exc:
        raise Rejected("checklist.evidence", str(exc)) from exc
    audience = _audience(ctx, job)
    _insert(
        ctx,
        "checklist_answers",
        {
            "id": a["answer_id"],
            "run_item_id": item["id"],
            "at": evidence.recorded_at,
            "by": ctx.who.username,
            "kind": kind.value,
            "ticked": evidence.ticked,
            "text": evidence.text,
            "blob_sha256": evidence.blob_sha256,
            "filename": str(a.get("filename", ""))[:255],
        },
        audience,
    )
    if a.get("attachment_id") and evidence.blob_sha256:
        _insert(
            ctx,
            "attachments",
            {
                "id": a["attachment_id"],
                "job_id": job["id"],
                "kind": "photo" if kind is EvidenceKind.PHOTO else "backup_file",
                "filename": str(a.get("filename", ""))[:255],
                "mime": str(a.get("mime", "")),
                "blob_sha256": evidence.blob_sha256,
                "size_bytes": int(a.get("size", 0)),
                "created_at": evidence.recorded_at,
            },
            audience,
        )


def _quote(ctx: Ctx, check_version: bool = True) -> dict[str, Any]:
    quotes = E["quotes"]
    q = (
        ctx.conn.execute(select(quotes).where(quotes.c.id == ctx.mutation.entity_id))
        .mappings()
        .first()
    )
    if q is None:
        raise Rejected("quote.unknown", "This quote is unknown at the service center")
    _job(ctx, q["job_id"])
    if check_version and ctx.mutation.base_version != q["version"]:
        raise Rejected(
            "quote.version",
            "The quote was changed elsewhere; reload it and retry",
            [("quotes", q["id"])],
            {"version": q["version"]},
        )
    return dict(q)


def quote_create(ctx: Ctx) -> None:
    a = ctx.args
    job = _job(ctx, str(a.get("job_id") or ""), append_only=False) if a.get("job_id") else None
    if job is None:
        raise Rejected("mutation.invalid", "quote.create needs job_id")
    _insert(
        ctx,
        "quotes",
        {
            "id": a["id"],
            "job_id": job["id"],
            "number": a["number"],
            "status": "draft",
            "currency": a.get("currency", "CNY"),
            "valid_until": date.fromisoformat(a["valid_until"]),
            "created_at": _at(a["created_at"]),
            "decided_at": None,
            "decided_by_name": "",
            "decline_reason": "",
            "approval_signature_id": None,
            "version": 1,
        },
        ctx.me(),
    )


def quote_add_line(ctx: Ctx) -> None:
    q = _quote(ctx)
    if q["status"] != QuoteStatus.DRAFT.value:
        raise Rejected("quote.locked", "The quote was already decided", [("quotes", q["id"])])
    a = ctx.args
    lines = E["quote_lines"]
    position = (
        len(ctx.conn.execute(select(lines.c.id).where(lines.c.quote_id == q["id"])).all()) + 1
    )
    try:
        QuoteLine(
            QuoteLineKind(a["kind"]),
            a["description"],
            Decimal(a["quantity"]),
            Money.of(a["unit_price"], q["currency"]),
            Decimal(a["tax_rate"]),
            a.get("part_no"),
        )
    except (DomainError, KeyError, ValueError, ArithmeticError) as exc:
        raise Rejected("quote.line", f"Invalid quote line: {exc}") from exc
    _insert(
        ctx,
        "quote_lines",
        {
            "id": a["line_id"],
            "quote_id": q["id"],
            "position": position,
            "kind": a["kind"],
            "part_id": None,
            "part_no": a.get("part_no"),
            "description": a["description"],
            "quantity": Decimal(a["quantity"]),
            "unit_price": Decimal(a["unit_price"]),
            "tax_rate": Decimal(a["tax_rate"]),
        },
        ctx.me(),
    )
    ctx.conn.execute(
        update(E["quotes"]).where(E["quotes"].c.id == q["id"]).values(version=q["version"] + 1)
    )
    ctx.writer.upsert("quotes", q["id"], ctx.me())


def _store_signature(ctx: Ctx, sig: dict[str, Any], audience: set[str]) -> str:
    _insert(
        ctx,
        "signatures",
        {
            "id": sig["id"],
            "role": sig["role"],
            "signer_name": sig["signer_name"],
            "signed_at": _at(sig["signed_at"]),
            "device_id": sig["device_id"],
            "canvas_width": int(sig["canvas_width"]),
            "canvas_height": int(sig["canvas_height"]),
            "strokes": sig["strokes"],
            "thumbnail_sha256": None,
        },
        audience,
    )
    return str(sig["id"])


def quote_decide(ctx: Ctx, approve: bool) -> None:
    q = _quote(ctx)
    if q["status"] != QuoteStatus.DRAFT.value:
        raise Rejected("quote.locked", "The quote was already decided", [("quotes", q["id"])])
    a = ctx.args
    at = _at(a["at"])
    values: dict[str, Any] = {"decided_at": at, "version": q["version"] + 1}
    if approve:
        domain = next(x for x in job_quotes(ctx.conn, q["job_id"]) if x.id == q["id"])
        try:
            domain.approved(at, at.date())
        except DomainError as exc:
            raise Rejected("quote.rule", str(exc), [("quotes", q["id"])]) from exc
        values |= {
            "status": "approved",
            "decided_by_name": a.get("signer_name", ""),
            "approval_signature_id": _store_signature(ctx, a["signature"], ctx.me()),
        }
    else:
        values |= {
            "status": "declined",
            "decided_by_name": a.get("by", ""),
            "decline_reason": a.get("reason", ""),
        }
    ctx.conn.execute(update(E["quotes"]).where(E["quotes"].c.id == q["id"]).values(**values))
    ctx.writer.upsert("quotes", q["id"], ctx.me())


def part_replace(ctx: Ctx) -> None:
    job = _job(ctx, ctx.mutation.entity_id, append_only=True)
    a = ctx.args
    reps = E["part_replacements"]
    if _exists(ctx.conn, "part_replacements", a["id"]):
        return
    done = [
        Replacement(r.part_no, r.quantity)
        for r in ctx.conn.execute(
            select(reps.c.part_no, reps.c.quantity).where(reps.c.job_id == job["id"])
        )
    ]
    try:
        ensure_part_replacement_allowed(
            Billing(job["billing"]),
            a["part_no"],
            a["quantity"],
            job_quotes(ctx.conn, job["id"]),
            done,
        )
    except DomainError as exc:
        raise Rejected("part.rule", str(exc)) from exc
    _insert(
        ctx,
        "part_replacements",
        {
            "id": a["id"],
            "job_id": job["id"],
            "part_no": a["part_no"],
            "quantity": Decimal(a["quantity"]),
            "serial_removed": a.get("serial_removed", ""),
            "serial_installed": a.get("serial_installed", ""),
            "paid": bool(a.get("paid")),
            "at": _at(a["at"]),
            "by": ctx.who.username,
        },
        _audience(ctx, job),
    )


def slip_sign(ctx: Ctx) -> None:
    a = ctx.args
    slip = SignedSlip(
        a["slip_id"],
        a["job_id"],
        a["canonical"],
        a["sha256"],
        _at(a["signed_at"]),
        a.get("supersedes"),
    )
    if not slip.verify():
        raise Rejected("slip.hash", "The slip's content does not match its hash; refused")
    try:
        check_payload(slip.content())  # the rule the app signed by, for every payload version
    except DomainError as exc:
        raise Rejected("slip.content", str(exc)) from exc
    registered = ctx.conn.scalar(
        select(client_devices.c.public_key).where(client_devices.c.device_id == ctx.who.device_id)
    )
    device_sig = a.get("device_signature")
    if (
        not registered
        or not device_sig
        or a.get("device_public_key") != registered
        or not (device_key_ok(registered, slip.sha256, str(device_sig)))
    ):
        raise Rejected(
            "slip.device_signature",
            "The slip is not signed by this device's registered key; refused",
        )
    slips = E["slips"]
    existing = ctx.conn.execute(select(slips).where(slips.c.id == slip.id)).mappings().first()
    if existing is not None:
        if existing["content_sha256"] == slip.sha256:
            return  # the same signed slip again: acknowledged once
        raise Rejected(
            "slip.conflict",
            "A different slip with this id is already on record",
            [("slips", slip.id)],
            {"sha256": existing["content_sha256"]},
        )
    job = _job(ctx, slip.job_id, append_only=True)
    audience = _audience(ctx, job)
    for sig in a.get("signatures", []):
        _store_signature(ctx, sig, audience)
    _insert(
        ctx,
        "slips",
        {
            "id": slip.id,
            "job_id": slip.job_id,
            "number": a["number"],
            "canonical": slip.canonical,
            "content_sha256": slip.sha256,
            "signed_at": slip.signed_at,
            "supersedes_id": slip.supersedes_id,
            "customer_signature_id": a.get("customer_signature_id"),  # none: customer absent
            "engineer_signature_id": a.get("engineer_signature_id"),
            "device_signature": device_sig,
            "device_public_key": registered,
            "pdf_sha256": None,
        },
        audience,
    )


HANDLERS: dict[str, Callable[[Ctx], None]] = {
    "job.transition.v1": job_transition,
    "job.classify.v1": job_classify,
    "worklog.add.v1": worklog_add,
    "checklist.answer.v1": checklist_answer,
    "quote.create.v1": quote_create,
    "quote.add_line.v1": quote_add_line,
    "quote.approve.v1": lambda ctx: quote_decide(ctx, approve=True),
    "quote.decline.v1": lambda ctx: quote_decide(ctx, approve=False),
    "part.replace.v1": part_replace,
    "slip.sign.v1": slip_sign,
}


def apply_mutation(ctx: Ctx) -> None:
    handler = HANDLERS.get(ctx.mutation.name)
    if handler is None:
        raise Rejected(
            "mutation.unknown", f"Unknown change type {ctx.mutation.name}; update the app"
        )
    try:
        handler(ctx)
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        if isinstance(exc, Rejected):
            raise
        raise Rejected("mutation.invalid", f"Malformed change: {exc!r}") from exc


__all__ = ["HANDLERS", "Ctx", "JobStatus", "Rejected", "apply_mutation"]
