"""Rows -> domain objects, one mapper for the app and the center.

Both sides hold the same tables (the center's are copies of the app's definitions), so a row
is the same mapping of column name to value on either side: the app passes ORM rows through
``services.records.as_row``, the center passes SQLAlchemy Core ``.mappings()`` rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from fieldkit.domain.checklist import ChecklistItem, Evidence
from fieldkit.domain.enums import (
    Billing,
    CauseArea,
    CauseOrigin,
    Channel,
    EscalationCategory,
    EvidenceKind,
    JobStatus,
    JobType,
    QuoteLineKind,
    QuoteStatus,
    Severity,
)
from fieldkit.domain.job import Cause, Escalation, Job
from fieldkit.domain.money import Money
from fieldkit.domain.quote import Quote, QuoteLine
from fieldkit.domain.sla import ContractSla, SlaTerms

Row = Mapping[Any, Any]  # a Core RowMapping or a dict of column values


def job_from_row(row: Row, escalations: Iterable[Row] = ()) -> Job:
    cause = None
    if row["cause_area"] and row["cause_origin"]:
        cause = Cause(CauseArea(row["cause_area"]), CauseOrigin(row["cause_origin"]))
    return Job(
        id=row["id"],
        number=row["number"],
        customer_id=row["customer_id"],
        site_id=row["site_id"],
        reported_at=row["reported_at"],
        channel=Channel(row["channel"]),
        fault_description=row["fault_description"],
        severity=Severity(row["severity"]),
        job_type=JobType(row["job_type"]),
        billing=Billing(row["billing"]),
        billing_basis=row["billing_basis"] or "",
        status=JobStatus(row["status"]),
        assigned_engineer=row["assigned_engineer"],
        device_id=row["device_id"],
        contract_id=row["contract_id"],
        cause=cause,
        fault_found=row["fault_found"],
        resolution=row["resolution"],
        confirmed_with=row["confirmed_with"],
        responded_at=row["responded_at"],
        arrived_at=row["arrived_at"],
        escalations=tuple(
            Escalation(
                e["at"], e["by"], e["reason"], e["findings"], EscalationCategory(e["category"])
            )
            for e in sorted(escalations, key=lambda e: e["at"])
        ),
        version=row["version"],
    )


def checklist_item_from_row(row: Row) -> ChecklistItem:
    return ChecklistItem(
        row["id"], row["label"], EvidenceKind(row["evidence_kind"]), row["required"]
    )


def evidence_from_row(row: Row) -> Evidence:
    return Evidence(
        row["run_item_id"],
        EvidenceKind(row["kind"]),
        row["at"],
        row["ticked"],
        row["text"],
        row["blob_sha256"],
    )


def quote_from_row(row: Row, lines: Iterable[Row]) -> Quote:
    return Quote(
        id=row["id"],
        job_id=row["job_id"],
        currency=row["currency"],
        valid_until=row["valid_until"],
        status=QuoteStatus(row["status"]),
        decided_at=row["decided_at"],
        lines=tuple(
            QuoteLine(
                QuoteLineKind(li["kind"]),
                li["description"],
                li["quantity"],
                Money(li["unit_price"], row["currency"]),
                li["tax_rate"],
                li["part_no"],
                li["id"],
            )
            for li in sorted(lines, key=lambda li: li["position"])
        ),
    )


def contract_sla_from_rows(rows: Iterable[Row]) -> ContractSla:
    return {
        Severity(r["severity"]): SlaTerms(
            timedelta(minutes=r["respond_minutes"]),
            timedelta(minutes=r["arrive_minutes"]) if r["arrive_minutes"] is not None else None,
        )
        for r in rows
    }
