"""What every mutation handler shares: the context, the refusal, the registry, and the checks
that keep one engineer's device inside that engineer's scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from fieldkit.domain import rules
from fieldkit.protocol.mutations import MutationArgs
from fieldkit.protocol.wire import Mutation
from fieldkit.server.auth import Principal
from fieldkit.server.blobstore import add_holder, is_holder
from fieldkit.server.changes import ChangeWriter
from fieldkit.server.jobstate import job_row
from fieldkit.server.prepared import row_by_key
from fieldkit.server.scope import scope_clause
from fieldkit.server.tables import ENTITY as E
from fieldkit.server.tables import blobs, job_assignments

REASON_MAX = 500


class Rejected(Exception):
    """A refusal the device is told about and the office can review (a recorded conflict)."""

    def __init__(
        self,
        code: str,
        reason: str,
        reassert: list[tuple[str, str]] | None = None,
        server_value: Any = None,
        job_id: str | None = None,
    ) -> None:
        reason = str(reason)[:REASON_MAX]
        super().__init__(reason)
        self.code, self.reason = code, reason
        self.reassert = reassert or []  # entities to resend so the client converges
        self.server_value = server_value
        self.job_id = job_id


@dataclass
class Ctx:
    conn: Connection
    writer: ChangeWriter
    who: Principal
    now: datetime
    mutation: Mutation
    kept_conflicts: list[tuple[str, str]] = field(default_factory=list)  # (job_id, reason)

    def me(self) -> set[str]:
        return {self.who.username}


A = TypeVar("A", bound=MutationArgs)
Handler = Callable[[Ctx, Any], None]
HANDLERS: dict[str, tuple[type[MutationArgs], Handler]] = {}


def handles(model: type[A]) -> Callable[[Callable[[Ctx, A], None]], Callable[[Ctx, A], None]]:
    """Register the center's handler for one typed mutation contract."""

    def register(fn: Callable[[Ctx, A], None]) -> Callable[[Ctx, A], None]:
        if model.NAME in HANDLERS:
            raise TypeError(f"{model.NAME} has two handlers")
        HANDLERS[model.NAME] = (model, fn)
        return fn

    return register


def job_for(
    ctx: Ctx, job_id: str, append_only: bool = False, done_at: datetime | None = None
) -> dict[str, Any]:
    """The job, if the pusher holds it now; append-only work (dated ``done_at``) of a former
    assignee only for the window in which they held it (``rules.former_assignee_may_append``)."""
    row = job_row(ctx.conn, job_id)
    if row is None:
        raise Rejected("job.unknown", "This job no longer exists at the service center")
    if row["assigned_engineer"] == ctx.who.username:
        return row
    refused = Rejected(
        "job.reassigned",
        "The job was re-assigned to another engineer; this step was not applied",
        job_id=job_id,
    )
    if not append_only or done_at is None:
        raise refused
    ja = job_assignments.c
    held_from = ctx.conn.scalar(
        select(func.max(ja.at)).where(ja.job_id == job_id, ja.engineer == ctx.who.username)
    )
    if held_from is None or done_at < held_from:
        raise refused
    reassigned_at = ctx.conn.scalar(
        select(func.min(ja.at)).where(
            ja.job_id == job_id, ja.engineer != ctx.who.username, ja.at >= held_from
        )
    )
    if not rules.former_assignee_may_append(done_at, reassigned_at, ctx.now):
        raise refused
    ctx.kept_conflicts.append(
        (job_id, "Job was re-assigned; work recorded before the re-assignment is kept")
    )
    return row


def audience(job: dict[str, Any]) -> set[str]:
    """Who receives a job's append-only rows: its current engineer only. Work kept from a
    previous assignee goes to the new one; the previous one no longer has the job."""
    return {job["assigned_engineer"]} - {""}


def existing(conn: Connection, table: str, key: str) -> dict[str, Any] | None:
    tbl = E[table]
    if len(tbl.primary_key.columns) == 1:
        row = conn.execute(row_by_key(table), {"k0": key}).mappings().first()
    else:
        pk = next(iter(tbl.primary_key.columns))
        row = conn.execute(select(tbl).where(pk == key)).mappings().first()
    return dict(row) if row is not None else None


def insert_row(ctx: Ctx, table: str, values: dict[str, Any], to: set[str]) -> bool:
    """Append-only insert, idempotent by id: the same record again is acknowledged once; an
    existing id with other content is refused (a device cannot claim another's record)."""
    old = existing(ctx.conn, table, values["id"])
    if old is not None:
        if all(old.get(k) == v for k, v in values.items()):
            return False
        raise Rejected("entity.exists", "A different record with this id is already on record")
    ctx.conn.execute(insert(E[table]), values)  # parameters: no statement built per row
    ctx.writer.upsert(table, values["id"], to)
    return True


def free_number(ctx: Ctx, table: str, job: dict[str, Any], wanted: str, kind: str) -> str:
    """The center issues slip ("S") and quote ("Q") numbers: the device's number if it is
    under this job and free, else the job's next free one, so a number taken by another
    row never refuses (or wedges) a device's change."""
    rows = E[table]

    def taken(number: str) -> bool:
        return ctx.conn.scalar(select(rows.c.id).where(rows.c.number == number)) is not None

    if rules.number_fits_job(wanted, job["number"], kind) and not taken(wanted):
        return wanted
    numbered = rules.slip_number if kind == "S" else rules.quote_number
    n = (ctx.conn.scalar(select(func.count()).where(rows.c.job_id == job["id"])) or 0) + 1
    while taken(numbered(job["number"], n)):
        n += 1
    return numbered(job["number"], n)


def visible(conn: Connection, table: str, key: str, engineer: str) -> bool:
    tbl = E[table]
    pk = next(iter(tbl.primary_key.columns))
    return conn.scalar(select(pk).where(pk == key, scope_clause(table, engineer))) is not None


_BLOB_REFS = (
    ("documents", "blob_sha256"),
    ("attachments", "blob_sha256"),
    ("checklist_answers", "blob_sha256"),
)


def ensure_own_blob(ctx: Ctx, sha: str) -> None:
    """A referenced blob must be one this user holds (uploaded or proved to hold), or one
    their current scope already references: knowing a hash is not a right to read the file
    behind it. The change, once accepted, makes its engineer a holder (the savepoint of a
    refused change takes that back)."""
    row = ctx.conn.execute(select(blobs).where(blobs.c.sha256 == sha)).mappings().first()
    if row is None or not row["complete"]:
        raise Rejected("blob.missing", "The file this change refers to was not uploaded")
    if is_holder(ctx.conn, sha, ctx.who.username):
        return
    for table, column in _BLOB_REFS:
        col = E[table].c[column]
        hit = ctx.conn.scalar(
            select(col).where(col == sha, scope_clause(table, ctx.who.username)).limit(1)
        )
        if hit is not None:
            add_holder(ctx.conn, sha, ctx.who.username, "reference", ctx.now)
            return
    raise Rejected("blob.foreign", "The file this change refers to was not uploaded by you")
