"""The office side: hotline intake, job creation, assignment, escalation queue, reference data.

Assignment is where scope changes: the new engineer receives the whole job pack, the previous
one receives removals for the job and for site data no other job of theirs needs.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from fieldkit.domain import record_rows, workflow
from fieldkit.domain.enums import Severity
from fieldkit.domain.errors import DomainError
from fieldkit.domain.sla import job_sla
from fieldkit.domain.warranty import BillingDecision, derive_billing
from fieldkit.protocol.entities import GLOBAL_TABLES, decode_row, key_clause, key_of
from fieldkit.server import tables as t
from fieldkit.server.changes import ChangeWriter
from fieldkit.server.errors import ApiError
from fieldkit.server.jobstate import contract_sla, job_context, job_row, to_job
from fieldkit.server.scope import (
    contract_audience,
    customer_audience,
    engineers,
    site_audience,
)

E = t.ENTITY
SITE_PACK = ("site_contacts", "subsystems", "devices", "documents")
JOB_PACK = (
    "escalations",
    "work_log",
    "attachments",
    "checklist_runs",
    "quotes",
    "part_replacements",
    "slips",
    "slip_emails",
)
EDITABLE = (
    "customers",
    "contracts",
    "contract_sla",
    "sites",
    "site_contacts",
    "subsystems",
    "devices",
    "device_parameters",
    "documents",
    "parts",
    "checklist_templates",
    "checklist_template_items",
)


def _ids(conn: Connection, table: str, column: str, value: Any) -> list[str]:
    tbl = E[table]
    return [str(x) for x in conn.scalars(select(tbl.c.id).where(tbl.c[column] == value))]


def site_pack(conn: Connection, job: dict[str, Any]) -> list[tuple[str, str]]:
    pack: list[tuple[str, str]] = [("customers", job["customer_id"])]
    site = (
        conn.execute(select(E["sites"]).where(E["sites"].c.id == job["site_id"])).mappings().one()
    )
    for contract_id in {job["contract_id"], site["contract_id"]} - {None}:
        pack.append(("contracts", contract_id))
        sla = E["contract_sla"]
        pack += [
            ("contract_sla", f"{contract_id}:{sev}")
            for sev in conn.scalars(select(sla.c.severity).where(sla.c.contract_id == contract_id))
        ]
    pack.append(("sites", job["site_id"]))
    for table in SITE_PACK:
        pack += [(table, i) for i in _ids(conn, table, "site_id", job["site_id"])]
    devices = _ids(conn, "devices", "site_id", job["site_id"])
    params = E["device_parameters"]
    pack += [
        ("device_parameters", str(i))
        for i in conn.scalars(select(params.c.id).where(params.c.device_id.in_(devices)))
    ]
    return pack


def job_children(conn: Connection, job_id: str) -> list[tuple[str, str]]:
    pack: list[tuple[str, str]] = []
    for table in JOB_PACK:
        pack += [(table, i) for i in _ids(conn, table, "job_id", job_id)]
    for run_id in _ids(conn, "checklist_runs", "job_id", job_id):
        for item_id in _ids(conn, "checklist_run_items", "run_id", run_id):
            pack.append(("checklist_run_items", item_id))
            pack += [
                ("checklist_answers", a)
                for a in _ids(conn, "checklist_answers", "run_item_id", item_id)
            ]
    quotes, slips = E["quotes"], E["slips"]
    for quote_id in _ids(conn, "quotes", "job_id", job_id):
        pack += [("quote_lines", i) for i in _ids(conn, "quote_lines", "quote_id", quote_id)]
    sigs = set(
        conn.scalars(select(quotes.c.approval_signature_id).where(quotes.c.job_id == job_id))
    )
    for row in conn.execute(
        select(slips.c.customer_signature_id, slips.c.engineer_signature_id).where(
            slips.c.job_id == job_id
        )
    ):
        sigs |= set(row)
    pack += [("signatures", s) for s in sigs - {None}]
    return pack


def assign(
    conn: Connection,
    writer: ChangeWriter,
    job_id: str,
    engineer: str,
    now: datetime,
    by: str = "",
    reason: str = "",
) -> None:
    job = job_row(conn, job_id)
    if job is None:
        raise ApiError(404, "job.unknown", "No such job")
    role = conn.scalar(
        select(t.users.c.role).where(t.users.c.username == engineer, t.users.c.active.is_(True))
    )
    if role != "engineer":
        raise ApiError(422, "job.engineer", f"{engineer} is not an active engineer")
    previous = job["assigned_engineer"]
    if previous == engineer:
        return
    status = job["status"]
    if previous:
        try:
            status = workflow.apply(
                to_job(conn, job),
                "reassign",
                job_context(conn, job_id),
                now,
                workflow.ActionArgs(engineer=engineer),
            ).status.value
        except DomainError as exc:
            raise ApiError(409, "job.rule", str(exc)) from exc
    conn.execute(
        insert(t.job_assignments).values(
            job_id=job_id, engineer=engineer, at=now, by=by, reason=reason
        )
    )
    conn.execute(
        insert(t.job_events).values(
            job_id=job_id,
            at=now,
            by=by,
            action="reassign" if previous else "assign",
            detail={"engineer": engineer, "previous": previous, "reason": reason},
        )
    )
    conn.execute(
        update(E["jobs"])
        .where(E["jobs"].c.id == job_id)
        .values(
            assigned_engineer=engineer, status=status, version=job["version"] + 1, updated_at=now
        )
    )
    job = job_row(conn, job_id)
    assert job is not None
    for table, key in [*site_pack(conn, job), ("jobs", job_id), *job_children(conn, job_id)]:
        writer.upsert(table, key, {engineer})
    if previous:
        for table, key in [("jobs", job_id), *job_children(conn, job_id)]:
            writer.delete(table, key, {previous})
        remaining = E["jobs"]

        def still(col: str, val: Any) -> int:
            return (
                conn.scalar(
                    select(func.count())
                    .select_from(remaining)
                    .where(remaining.c.assigned_engineer == previous, remaining.c[col] == val)
                )
                or 0
            )

        if not still("site_id", job["site_id"]):
            for table, key in site_pack(conn, job):
                # Reference data still needed by another of their jobs stays on their device.
                if table == "customers" and still("customer_id", key):
                    continue
                if table in ("contracts", "contract_sla") and still(
                    "contract_id", key.split(":")[0]
                ):
                    continue
                writer.delete(table, key, {previous})


def close(conn: Connection, writer: ChangeWriter, job_id: str, now: datetime) -> None:
    """The center closes a job once it has reviewed the signed slip (or remote resolution)."""
    job = job_row(conn, job_id)
    if job is None:
        raise ApiError(404, "job.unknown", "No such job")
    try:
        after = workflow.apply(to_job(conn, job), "close", job_context(conn, job_id), now)
    except DomainError as exc:
        raise ApiError(409, "job.rule", str(exc)) from exc
    conn.execute(
        update(E["jobs"])
        .where(E["jobs"].c.id == job_id)
        .values(status=after.status.value, version=job["version"] + 1, updated_at=now)
    )
    if job["assigned_engineer"]:
        writer.upsert("jobs", job_id, {job["assigned_engineer"]})


def create_job(
    conn: Connection, writer: ChangeWriter, fields: dict[str, Any], now: datetime
) -> str:
    """A new service order with SLA deadlines, billing and (on-site) a backup checklist."""
    site = (
        conn.execute(select(E["sites"]).where(E["sites"].c.id == fields["site_id"]))
        .mappings()
        .first()
    )
    if site is None:
        raise ApiError(404, "site.unknown", "No such site")
    reported: datetime = fields["reported_at"]
    decision = billing_for(conn, site, fields.get("device_id"), reported.date())
    sla = job_sla(contract_sla(conn, site["contract_id"]), Severity(fields["severity"]), reported)
    count = conn.scalar(select(func.count()).select_from(E["jobs"])) or 0
    job_id = fields.get("id") or str(uuid.uuid4())
    number = fields.get("number") or f"SO-{now:%Y%m}-{count + 1:06d}"
    conn.execute(
        insert(E["jobs"]).values(
            **record_rows.new_job_row(job_id, number, site, fields, decision, sla, now)
        )
    )
    if fields["job_type"] != "remote_resolution":
        attach_backup_checklist(conn, job_id)
    if fields["job_type"] == "periodic_inspection":  # check, clean, tune, replace: per device
        for device_id in _ids(conn, "devices", "site_id", site["id"]):
            attach_checklist(conn, job_id, "inspection", device_id)
    if fields.get("engineer"):
        assign(conn, writer, job_id, fields["engineer"], now)
    return job_id


def billing_for(
    conn: Connection, site: Mapping[Any, Any], device_id: str | None, day: date
) -> BillingDecision:
    """In warranty or paid for work at ``site`` (on ``device_id``) reported on ``day``: what a
    job created now records, and what the hotline tells the caller before creating it."""
    contract_end = None
    if site["contract_id"]:
        contract_end = conn.scalar(
            select(E["contracts"].c.warranty_ends_on).where(
                E["contracts"].c.id == site["contract_id"]
            )
        )
    device_end = None
    if device_id:
        device_end = conn.scalar(
            select(E["devices"].c.warranty_ends_on).where(E["devices"].c.id == device_id)
        )
    return derive_billing(day, device_end, contract_end)


def deadlines(
    conn: Connection, contract_id: str | None, severity: int, reported: datetime
) -> tuple[datetime | None, datetime | None]:
    """Respond-by and arrive-by from the contract's terms for this severity (``domain.sla``)."""
    sla = job_sla(contract_sla(conn, contract_id), Severity(severity), reported)
    return sla.respond.deadline, sla.arrive.deadline


def change_severity(
    conn: Connection, writer: ChangeWriter, job_id: str, severity: int, now: datetime
) -> None:
    """The office re-grades a job: its deadlines follow the contract's terms for the new
    level, so the job list and a later slip agree."""
    job = job_row(conn, job_id)
    if job is None:
        raise ApiError(404, "job.unknown", "No such job")
    respond_by, arrive_by = deadlines(conn, job["contract_id"], severity, job["reported_at"])
    conn.execute(
        update(E["jobs"])
        .where(E["jobs"].c.id == job_id)
        .values(
            severity=severity,
            respond_by=respond_by,
            arrive_by=arrive_by,
            version=job["version"] + 1,
            updated_at=now,
        )
    )
    if job["assigned_engineer"]:
        writer.upsert("jobs", job_id, {job["assigned_engineer"]})


def attach_backup_checklist(conn: Connection, job_id: str) -> None:
    attach_checklist(conn, job_id, "backup")


def attach_checklist(
    conn: Connection, job_id: str, purpose: str, device_id: str | None = None
) -> None:
    """Copy the template's items into a run for this job (and device), so later template
    edits never rewrite what the engineer answered."""
    templates, items = E["checklist_templates"], E["checklist_template_items"]
    template = (
        conn.execute(
            select(templates)
            .where(templates.c.purpose == purpose)
            .order_by(templates.c.name)
            .limit(1)
        )
        .mappings()
        .first()
    )
    if template is None:
        return
    template_items = conn.execute(
        select(items).where(items.c.template_id == template["id"])
    ).mappings()
    run, run_items = record_rows.checklist_run_rows(
        str(uuid.uuid4()), job_id, template, template_items, lambda: str(uuid.uuid4()), device_id
    )
    conn.execute(insert(E["checklist_runs"]).values(**run))
    for item in run_items:
        conn.execute(insert(E["checklist_run_items"]).values(**item))


def audience_for(conn: Connection, table: str, row: dict[str, Any]) -> set[str]:
    if table in GLOBAL_TABLES:
        return engineers(conn)
    if table == "customers":
        return customer_audience(conn, row["id"])
    if table == "contracts":
        return contract_audience(conn, row["id"])
    if table == "contract_sla":
        return contract_audience(conn, row["contract_id"])
    if table == "sites":
        return site_audience(conn, row["id"])
    if table in SITE_PACK:
        return site_audience(conn, row["site_id"])
    if table == "device_parameters":
        site = conn.scalar(
            select(E["devices"].c.site_id).where(E["devices"].c.id == row["device_id"])
        )
        return site_audience(conn, str(site))
    raise ApiError(422, "entity.table", f"{table} cannot be edited here")


def upsert_entity(conn: Connection, writer: ChangeWriter, table: str, data: dict[str, Any]) -> str:
    if table not in EDITABLE:
        raise ApiError(422, "entity.table", f"{table} cannot be edited here")
    tbl = E[table]
    try:
        row = decode_row(tbl, data)
        key = key_of(tbl, row)
    except (KeyError, ValueError, ArithmeticError) as exc:
        raise ApiError(422, "entity.invalid", f"Invalid {table} record: {exc}") from exc
    exists = conn.execute(select(tbl).where(key_clause(tbl, key))).first() is not None
    if exists:
        conn.execute(update(tbl).where(key_clause(tbl, key)).values(**row))
    else:
        conn.execute(insert(tbl).values(**row))
    writer.upsert(table, key, audience_for(conn, table, row))
    return key
