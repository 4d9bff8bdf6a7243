"""Who may see what: an engineer sees their assigned jobs, those jobs' children, the sites,
customers, contracts and devices they touch, and the global price list and templates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ColumnElement, Select, or_, select, true, union, union_all
from sqlalchemy.engine import Connection

from fieldkit.protocol.entities import GLOBAL_TABLES
from fieldkit.server import tables as t

E = t.ENTITY
JOB_CHILDREN = (
    "escalations",
    "work_log",
    "attachments",
    "checklist_runs",
    "quotes",
    "part_replacements",
    "slips",
    "slip_emails",
)
SITE_CHILDREN = ("site_contacts", "subsystems", "devices", "documents")


def _jobs(engineer: str) -> Select[Any]:
    return select(E["jobs"].c.id).where(E["jobs"].c.assigned_engineer == engineer)


def _sites(engineer: str) -> Select[Any]:
    return select(E["jobs"].c.site_id).where(E["jobs"].c.assigned_engineer == engineer)


def _contracts(engineer: str, distinct: bool = True) -> Any:
    jobs, sites = E["jobs"], E["sites"]
    return (union if distinct else union_all)(
        select(jobs.c.contract_id).where(jobs.c.assigned_engineer == engineer),
        select(sites.c.contract_id).where(sites.c.id.in_(_sites(engineer))),
    )


def scope_clause(table: str, engineer: str) -> ColumnElement[bool]:
    """WHERE clause selecting the rows of ``table`` that ``engineer`` may see."""
    c = E[table].c
    if table in GLOBAL_TABLES:
        return true()
    if table == "jobs":
        return c.assigned_engineer == engineer
    if table == "signatures":
        q, s = E["quotes"], E["slips"]
        mine = _jobs(engineer)
        return or_(
            c.id.in_(select(q.c.approval_signature_id).where(q.c.job_id.in_(mine))),
            c.id.in_(select(s.c.customer_signature_id).where(s.c.job_id.in_(mine))),
            c.id.in_(select(s.c.engineer_signature_id).where(s.c.job_id.in_(mine))),
        )
    column, values = scope_walk(table, engineer)
    return column.in_(values)


def scope_walk(table: str, engineer: str) -> tuple[Column[Any], Select[Any]]:
    """The column of ``table`` that decides who sees a row, and the values of it that
    ``engineer`` may see: the rows in scope are ``column IN values``. The snapshot walks a
    table in (column, primary key) order, one in-scope value after the other."""
    c = E[table].c
    if table in JOB_CHILDREN:
        return c.job_id, _jobs(engineer)
    if table == "customers":
        return c.id, select(E["jobs"].c.customer_id).where(
            E["jobs"].c.assigned_engineer == engineer
        )
    if table == "contracts":
        return c.id, select(_contracts(engineer, distinct=False).subquery().c[0])
    if table == "contract_sla":
        return c.contract_id, select(_contracts(engineer, distinct=False).subquery().c[0])
    if table == "sites":
        return c.id, _sites(engineer)
    if table in SITE_CHILDREN:
        return c.site_id, _sites(engineer)
    if table == "device_parameters":
        return c.device_id, select(E["devices"].c.id).where(
            E["devices"].c.site_id.in_(_sites(engineer))
        )
    runs = select(E["checklist_runs"].c.id).where(E["checklist_runs"].c.job_id.in_(_jobs(engineer)))
    if table == "checklist_run_items":
        return c.run_id, runs
    if table == "checklist_answers":
        return c.run_item_id, select(E["checklist_run_items"].c.id).where(
            E["checklist_run_items"].c.run_id.in_(runs)
        )
    if table == "quote_lines":
        return c.quote_id, select(E["quotes"].c.id).where(E["quotes"].c.job_id.in_(_jobs(engineer)))
    if table == "signatures":
        q, s = E["quotes"], E["slips"]
        mine = _jobs(engineer)
        signed = union_all(  # IN needs no duplicates removed
            select(q.c.approval_signature_id.label("id")).where(q.c.job_id.in_(mine)),
            select(s.c.customer_signature_id).where(s.c.job_id.in_(mine)),
            select(s.c.engineer_signature_id).where(s.c.job_id.in_(mine)),
        )
        return c.id, select(signed.subquery().c[0])
    raise ValueError(f"no scope rule for {table}")


def engineers(conn: Connection) -> set[str]:
    return set(
        conn.scalars(
            select(t.users.c.username).where(
                t.users.c.role == "engineer", t.users.c.active.is_(True)
            )
        )
    )


def job_engineer(conn: Connection, job_id: str) -> str | None:
    return conn.scalar(select(E["jobs"].c.assigned_engineer).where(E["jobs"].c.id == job_id))


def site_audience(conn: Connection, site_id: str) -> set[str]:
    jobs = E["jobs"]
    return set(
        conn.scalars(select(jobs.c.assigned_engineer).where(jobs.c.site_id == site_id).distinct())
    ) - {""}


def customer_audience(conn: Connection, customer_id: str) -> set[str]:
    jobs = E["jobs"]
    return set(
        conn.scalars(
            select(jobs.c.assigned_engineer).where(jobs.c.customer_id == customer_id).distinct()
        )
    ) - {""}


def contract_audience(conn: Connection, contract_id: str) -> set[str]:
    jobs, sites = E["jobs"], E["sites"]
    return set(
        conn.scalars(
            select(jobs.c.assigned_engineer)
            .where(
                or_(
                    jobs.c.contract_id == contract_id,
                    jobs.c.site_id.in_(
                        select(sites.c.id).where(sites.c.contract_id == contract_id)
                    ),
                )
            )
            .distinct()
        )
    ) - {""}


def can_see(conn: Connection, engineer: str, table: str, key_clause: ColumnElement[bool]) -> bool:
    return (
        conn.scalar(
            select(E[table].c[next(iter(E[table].primary_key.columns)).name])
            .where(key_clause, scope_clause(table, engineer))
            .limit(1)
        )
        is not None
    )


BLOB_REFERENCES = (  # the synced columns that name a blob
    ("documents", "blob_sha256"),
    ("attachments", "blob_sha256"),
    ("checklist_answers", "blob_sha256"),
)


def can_read_blob(conn: Connection, engineer: str, sha: str) -> bool:
    """Engineers read the blobs they hold (uploaded, or proved they have the bytes of) and
    those their scope references (drawings, evidence, attachments)."""
    for table, name in BLOB_REFERENCES:
        column = E[table].c[name]
        hit = conn.scalar(
            select(column).where(column == sha, scope_clause(table, engineer)).limit(1)
        )
        if hit is not None:
            return True
    h = t.blob_holders.c
    held = conn.scalar(select(h.sha256).where(h.sha256 == sha, h.username == engineer))
    return held is not None
