"""Server view of a job as domain objects, so the server runs the very same rules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from fieldkit.domain.checklist import ChecklistItem, Evidence, Progress, progress
from fieldkit.domain.enums import (
    Billing,
    CauseArea,
    CauseOrigin,
    Channel,
    EvidenceKind,
    JobStatus,
    JobType,
    QuoteLineKind,
    QuoteStatus,
    Severity,
)
from fieldkit.domain.job import Cause, Job
from fieldkit.domain.money import Money
from fieldkit.domain.quote import Quote, QuoteLine
from fieldkit.domain.workflow import JobContext
from fieldkit.server.tables import ENTITY as E


def job_row(conn: Connection, job_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(E["jobs"]).where(E["jobs"].c.id == job_id)).mappings().first()
    return dict(row) if row else None


def to_job(row: dict[str, Any]) -> Job:
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
        version=row["version"],
    )


def backup_progress(conn: Connection, job_id: str) -> Progress:
    runs, items, answers = E["checklist_runs"], E["checklist_run_items"], E["checklist_answers"]
    run_id = conn.scalar(
        select(runs.c.id).where(runs.c.job_id == job_id, runs.c.purpose == "backup").limit(1)
    )
    if run_id is None:
        return Progress(0, 0, ())
    item_rows = (
        conn.execute(select(items).where(items.c.run_id == run_id).order_by(items.c.position))
        .mappings()
        .all()
    )
    answer_rows = (
        conn.execute(select(answers).where(answers.c.run_item_id.in_([i["id"] for i in item_rows])))
        .mappings()
        .all()
    )
    return progress(
        [
            ChecklistItem(i["id"], i["label"], EvidenceKind(i["evidence_kind"]), i["required"])
            for i in item_rows
        ],
        [
            Evidence(
                a["run_item_id"],
                EvidenceKind(a["kind"]),
                a["at"],
                a["ticked"],
                a["text"],
                a["blob_sha256"],
            )
            for a in answer_rows
        ],
    )


def job_context(conn: Connection, job_id: str) -> JobContext:
    slips = E["slips"]
    has_slip = conn.scalar(select(slips.c.id).where(slips.c.job_id == job_id).limit(1)) is not None
    return JobContext(backup=backup_progress(conn, job_id), has_signed_slip=has_slip)


def job_quotes(conn: Connection, job_id: str) -> list[Quote]:
    quotes, lines = E["quotes"], E["quote_lines"]
    out = []
    for q in conn.execute(select(quotes).where(quotes.c.job_id == job_id)).mappings():
        ls = (
            conn.execute(
                select(lines).where(lines.c.quote_id == q["id"]).order_by(lines.c.position)
            )
            .mappings()
            .all()
        )
        out.append(
            Quote(
                id=q["id"],
                job_id=job_id,
                currency=q["currency"],
                valid_until=q["valid_until"],
                status=QuoteStatus(q["status"]),
                decided_at=q["decided_at"],
                lines=tuple(
                    QuoteLine(
                        QuoteLineKind(li["kind"]),
                        li["description"],
                        li["quantity"],
                        Money(li["unit_price"], q["currency"]),
                        li["tax_rate"],
                        li["part_no"],
                        li["id"],
                    )
                    for li in ls
                ),
            )
        )
    return out
