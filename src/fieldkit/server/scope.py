"""Who may see what: an engineer sees their assigned jobs, those jobs' children, the sites,
customers, contracts and devices they touch, and the global price list and templates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Select,
    any_,
    func,
    or_,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

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


class InScope(ColumnElement[bool]):
    """``column IN (values)``, written for each database's planner to follow the engineer's
    share. PostgreSQL estimates ``IN (SELECT site_id FROM jobs WHERE engineer = ?)`` at one
    site per job (a hundred where there are ten) and then reads a per-engineer table whole;
    ``= ANY(ARRAY(subquery))`` runs the subquery first and is estimated at a few values, so
    the plan is an index read per value, in index order. SQLite plans ``IN`` that way
    already."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a comparison: no "= 1" after it on SQLite
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's own declaration
        ("column", InternalTraversal.dp_clauseelement),
        ("values", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any], values: Select[Any]) -> None:
        self.column, self.values = column, values


@compiles(InScope)
def _in_scope_default(element: InScope, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.column.in_(element.values), **kw))


@compiles(InScope, "postgresql")
def _in_scope_postgresql(element: InScope, compiler: Any, **kw: Any) -> str:
    values = func.array(element.values.scalar_subquery())
    return str(compiler.process(element.column == any_(values), **kw))


def in_scope(column: ColumnElement[Any], values: Select[Any]) -> ColumnElement[bool]:
    return InScope(column, values)


def _jobs(engineer: str) -> Select[Any]:
    return select(E["jobs"].c.id).where(E["jobs"].c.assigned_engineer == engineer)


def _sites(engineer: str) -> Select[Any]:
    return select(E["jobs"].c.site_id).where(E["jobs"].c.assigned_engineer == engineer)


def _contracts(engineer: str, distinct: bool = True) -> Any:
    jobs, sites = E["jobs"], E["sites"]
    return (union if distinct else union_all)(
        select(jobs.c.contract_id).where(jobs.c.assigned_engineer == engineer),
        select(sites.c.contract_id).where(in_scope(sites.c.id, _sites(engineer))),
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
            in_scope(c.id, select(q.c.approval_signature_id).where(in_scope(q.c.job_id, mine))),
            in_scope(c.id, select(s.c.customer_signature_id).where(in_scope(s.c.job_id, mine))),
            in_scope(c.id, select(s.c.engineer_signature_id).where(in_scope(s.c.job_id, mine))),
        )
    column, values = scope_walk(table, engineer)
    return in_scope(column, values)


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
            in_scope(E["devices"].c.site_id, _sites(engineer))
        )
    runs = select(E["checklist_runs"].c.id).where(
        in_scope(E["checklist_runs"].c.job_id, _jobs(engineer))
    )
    if table == "checklist_run_items":
        return c.run_id, runs
    if table == "checklist_answers":
        return c.run_item_id, select(E["checklist_run_items"].c.id).where(
            in_scope(E["checklist_run_items"].c.run_id, runs)
        )
    if table == "quote_lines":
        return c.quote_id, select(E["quotes"].c.id).where(
            in_scope(E["quotes"].c.job_id, _jobs(engineer))
        )
    if table == "signatures":
        q, s = E["quotes"], E["slips"]
        mine = _jobs(engineer)
        signed = union_all(  # IN needs no duplicates removed
            select(q.c.approval_signature_id.label("id")).where(in_scope(q.c.job_id, mine)),
            select(s.c.customer_signature_id).where(in_scope(s.c.job_id, mine)),
            select(s.c.engineer_signature_id).where(in_scope(s.c.job_id, mine)),
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
