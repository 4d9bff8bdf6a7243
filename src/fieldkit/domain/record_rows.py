"""Domain records -> rows: the one shape in which the app's services, the center's mutation
handlers and the demo data set write a record (the inverse of :mod:`fieldkit.domain.records`).

Each function returns the full column mapping of one row of a synced table (the app's and
the center's tables hold the same columns), so a record written by any of the three has the
same columns filled and maps back to the same domain object."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fieldkit.domain.checklist import Evidence
from fieldkit.domain.enums import JobStatus, QuoteStatus
from fieldkit.domain.job import Escalation, Job
from fieldkit.domain.quote import Quote, QuoteLine
from fieldkit.domain.sla import JobSla
from fieldkit.domain.slip import SignedSlip
from fieldkit.domain.warranty import BillingDecision

Row = dict[str, Any]


def new_job_row(
    job_id: str,
    number: str,
    site: Mapping[Any, Any],
    fields: Mapping[Any, Any],
    decision: BillingDecision,
    sla: JobSla,
    at: datetime,
) -> Row:
    """A service order as the center creates it: not yet assigned, its billing and SLA
    deadlines derived (``domain.warranty``, ``domain.sla``). ``fields``: device_id,
    reported_at, channel, fault_description, severity, job_type."""
    return {
        "id": job_id,
        "number": number,
        "customer_id": site["customer_id"],
        "site_id": site["id"],
        "device_id": fields.get("device_id"),
        "contract_id": site["contract_id"],
        "reported_at": fields["reported_at"],
        "channel": fields["channel"],
        "fault_description": fields["fault_description"],
        "severity": int(fields["severity"]),
        "job_type": fields["job_type"],
        "status": JobStatus.ASSIGNED.value,
        "billing": decision.billing.value,
        "billing_basis": decision.basis,
        "assigned_engineer": "",
        "cause_area": None,
        "cause_origin": None,
        "fault_found": "",
        "resolution": "",
        "confirmed_with": "",
        "respond_by": sla.respond.deadline,
        "arrive_by": sla.arrive.deadline,
        "responded_at": None,
        "arrived_at": None,
        "updated_at": at,
        "version": 1,
    }


def checklist_run_rows(
    run_id: str,
    job_id: str,
    template: Mapping[Any, Any],
    template_items: Iterable[Mapping[Any, Any]],
    new_id: Callable[[], str],
    device_id: str | None = None,
) -> tuple[Row, list[Row]]:
    """A template copied into a run for one job (and device): later template edits never
    rewrite what the engineer answered."""
    run = {
        "id": run_id,
        "job_id": job_id,
        "template_id": template["id"],
        "purpose": template["purpose"],
        "device_id": device_id,
    }
    items = [
        {
            "id": new_id(),
            "run_id": run_id,
            "position": item["position"],
            "label": item["label"],
            "evidence_kind": item["evidence_kind"],
            "required": item["required"],
        }
        for item in sorted(template_items, key=lambda i: i["position"])
    ]
    return run, items


def job_step_fields(after: Job, at: datetime) -> Row:
    """What a state-machine step changes on the job's row (``workflow.apply``'s result)."""
    return {
        "status": after.status.value,
        "version": after.version,
        "updated_at": at,
        "responded_at": after.responded_at,
        "arrived_at": after.arrived_at,
        "confirmed_with": after.confirmed_with,
        "resolution": after.resolution,
        "assigned_engineer": after.assigned_engineer,
    }


def classify_fields(area: str, origin: str, fault_found: str, version: int, at: datetime) -> Row:
    """The diagnosis on the job's row; ``version`` is the version before it."""
    return {
        "cause_area": area,
        "cause_origin": origin,
        "fault_found": fault_found,
        "version": version + 1,
        "updated_at": at,
    }


def work_log_row(
    entry_id: str, job_id: str, kind: str, at: datetime, by: str, note: str = ""
) -> Row:
    return {"id": entry_id, "job_id": job_id, "kind": kind, "at": at, "by": by, "note": note}


def escalation_row(escalation_id: str, job_id: str, esc: Escalation) -> Row:
    return {
        "id": escalation_id,
        "job_id": job_id,
        "at": esc.at,
        "by": esc.by,
        "reason": esc.reason,
        "findings": esc.findings,
        "category": esc.category.value,
    }


def answer_row(answer_id: str, evidence: Evidence, by: str, filename: str = "") -> Row:
    return {
        "id": answer_id,
        "run_item_id": evidence.item_id,
        "at": evidence.recorded_at,
        "by": by,
        "kind": evidence.kind.value,
        "ticked": evidence.ticked,
        "text": evidence.text,
        "blob_sha256": evidence.blob_sha256,
        "filename": filename,
    }


def attachment_row(
    attachment_id: str,
    job_id: str,
    kind: str,
    filename: str,
    mime: str,
    sha256: str,
    size_bytes: int,
    at: datetime,
    escalation_id: str | None = None,
) -> Row:
    return {
        "id": attachment_id,
        "job_id": job_id,
        "kind": kind,
        "escalation_id": escalation_id,
        "filename": filename,
        "mime": mime,
        "blob_sha256": sha256,
        "size_bytes": size_bytes,
        "created_at": at,
    }


def draft_quote_row(
    quote_id: str,
    job_id: str,
    number: str,
    currency: str,
    valid_until: date,
    created_at: datetime,
) -> Row:
    return {
        "id": quote_id,
        "job_id": job_id,
        "number": number,
        "status": QuoteStatus.DRAFT.value,
        "currency": currency,
        "valid_until": valid_until,
        "created_at": created_at,
        "decided_at": None,
        "decided_by_name": "",
        "decline_reason": "",
        "approval_signature_id": None,
        "version": 1,
    }


def quote_line_row(
    line_id: str, quote_id: str, position: int, line: QuoteLine, part_id: str | None
) -> Row:
    return {
        "id": line_id,
        "quote_id": quote_id,
        "position": position,
        "kind": line.kind.value,
        "part_id": part_id,
        "part_no": line.part_no,
        "description": line.description,
        "quantity": line.quantity,
        "unit_price": line.unit_price.amount,
        "tax_rate": line.tax_rate,
    }


def approval_fields(decided: Quote, signer_name: str, signature_id: str, version: int) -> Row:
    """The customer's approval on the quote's row; ``version`` is the version before it."""
    return {
        "status": decided.status.value,
        "decided_at": decided.decided_at,
        "decided_by_name": signer_name.strip(),
        "approval_signature_id": signature_id,
        "version": version + 1,
    }


def part_replacement_row(
    replacement_id: str,
    job_id: str,
    part_no: str,
    quantity: Decimal,
    serial_removed: str,
    serial_installed: str,
    paid: bool,
    at: datetime,
    by: str,
) -> Row:
    return {
        "id": replacement_id,
        "job_id": job_id,
        "part_no": part_no,
        "quantity": quantity,
        "serial_removed": serial_removed.strip(),
        "serial_installed": serial_installed.strip(),
        "paid": paid,
        "at": at,
        "by": by,
    }


def slip_row(
    signed: SignedSlip,
    number: str,
    customer_signature_id: str | None,
    engineer_signature_id: str | None,
    device_signature: str | None,
    device_public_key: str | None,
) -> Row:
    return {
        "id": signed.id,
        "job_id": signed.job_id,
        "number": number,
        "canonical": signed.canonical,
        "content_sha256": signed.sha256,
        "signed_at": signed.signed_at,
        "supersedes_id": signed.supersedes_id,
        "customer_signature_id": customer_signature_id,
        "engineer_signature_id": engineer_signature_id,
        "pdf_sha256": None,
        "device_signature": device_signature,
        "device_public_key": device_public_key,
    }
