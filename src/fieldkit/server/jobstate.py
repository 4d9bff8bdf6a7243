"""Server view of a job as domain objects, so the server runs the very same rules (through the
same row mapper as the app: ``domain.records``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from fieldkit.domain import records
from fieldkit.domain.checklist import Progress, progress
from fieldkit.domain.job import Job
from fieldkit.domain.quote import Quote
from fieldkit.domain.sla import ContractSla
from fieldkit.domain.workflow import JobContext
from fieldkit.server.prepared import row_by_key
from fieldkit.server.tables import ENTITY as E


def job_row(conn: Connection, job_id: str) -> dict[str, Any] | None:
    row = conn.execute(row_by_key("jobs"), {"k0": job_id}).mappings().first()
    return dict(row) if row else None


def to_job(conn: Connection, row: dict[str, Any]) -> Job:
    esc = E["escalations"]
    escalations = conn.execute(select(esc).where(esc.c.job_id == row["id"])).mappings().all()
    return records.job_from_row(row, escalations)


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
        [records.checklist_item_from_row(i) for i in item_rows],
        [records.evidence_from_row(a) for a in answer_rows],
    )


def job_context(conn: Connection, job_id: str) -> JobContext:
    slips = E["slips"]
    has_slip = conn.scalar(select(slips.c.id).where(slips.c.job_id == job_id).limit(1)) is not None
    return JobContext(backup=backup_progress(conn, job_id), has_signed_slip=has_slip)


def job_quotes(conn: Connection, job_id: str) -> list[Quote]:
    quotes, lines = E["quotes"], E["quote_lines"]
    return [
        records.quote_from_row(
            q, conn.execute(select(lines).where(lines.c.quote_id == q["id"])).mappings().all()
        )
        for q in conn.execute(select(quotes).where(quotes.c.job_id == job_id)).mappings()
    ]


def contract_sla(conn: Connection, contract_id: str | None) -> ContractSla | None:
    if contract_id is None:
        return None
    sla = E["contract_sla"]
    rows = conn.execute(select(sla).where(sla.c.contract_id == contract_id)).mappings().all()
    return records.contract_sla_from_rows(rows)
