"""Push: exactly-once in effect. The mutation's effect, its processed record and the device's
last seq commit in one transaction; a replay returns the stored result."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select, update
from sqlalchemy.exc import DataError, IntegrityError

from fieldkit.protocol.entities import ENTITY_TABLE
from fieldkit.protocol.mutations import MutationArgs
from fieldkit.protocol.wire import (
    ConflictRecord,
    Mutation,
    MutationResult,
    PushRequest,
    PushResponse,
)
from fieldkit.server import tables as t
from fieldkit.server.auth import Principal
from fieldkit.server.blobstore import want
from fieldkit.server.changes import ChangeWriter
from fieldkit.server.errors import ApiError
from fieldkit.server.handlers.base import visible
from fieldkit.server.mutations import Ctx, Rejected, apply_mutation, parse

log = logging.getLogger(__name__)
EXCERPT_CHARS = 2_000  # of a refused mutation's args, kept for the office with their hash


def _skew(device_time: str, now: datetime) -> int | None:
    try:
        device = datetime.fromisoformat(device_time)
    except ValueError:
        return None
    if device.tzinfo is None:
        return None
    return int((device - now).total_seconds())


def _own_entity(
    conn: Connection, entity_type: str, entity_id: str, engineer: str
) -> list[tuple[str, str]]:
    table = ENTITY_TABLE.get(entity_type)
    if table is None:
        return []
    return [(table, entity_id)] if visible(conn, table, entity_id, engineer) else []


def _stored_value(mutation: Mutation) -> dict[str, Any]:
    """A refused mutation as kept in ``conflicts``: its envelope, a bounded excerpt of its
    args and their hash, so refusals cannot fill the database (the device keeps the whole)."""
    body = json.dumps(mutation.args, sort_keys=True, ensure_ascii=False, default=str)
    return {
        **mutation.model_dump(exclude={"args", "blob_refs"}),
        "blob_refs": mutation.blob_refs[:10],
        "args_excerpt": body[:EXCERPT_CHARS],
        "args_sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(),
        "args_chars": len(body),
    }


def _conflict(
    conn: Connection,
    now: datetime,
    who: Principal,
    mutation: Mutation,
    job_id: str | None,
    kind: str,
    reason: str,
    server_value: Any,
) -> None:
    """Every conflict is stored with the client's version, so none is silently dropped."""
    conn.execute(
        insert(t.conflicts).values(
            at=now,
            engineer=who.username,
            job_id=job_id,
            entity_type=mutation.entity_type,
            entity_id=mutation.entity_id,
            mutation_id=mutation.mutation_id,
            kind=kind,
            reason=reason[:500],
            client_value=_stored_value(mutation),
            server_value=server_value,
        )
    )


def conflicts(engine: Engine, engineer: str | None, limit: int) -> list[ConflictRecord]:
    """The newest conflicts first: one engineer's, or everyone's for ``None`` (the office)."""
    stmt = select(t.conflicts).order_by(t.conflicts.c.id.desc()).limit(limit)
    if engineer is not None:
        stmt = stmt.where(t.conflicts.c.engineer == engineer)
    with engine.connect() as conn:
        return [
            ConflictRecord.model_validate({**r, "at": r["at"].isoformat()})
            for r in conn.execute(stmt).mappings()
        ]


# The statements of every push, built once (see server/prepared.py).
_CD, _PM = t.client_devices.c, t.processed_mutations.c
_DEVICE_SEQ = select(_CD.last_seq).where(_CD.device_id == bindparam("device"))
_DEVICE_SEQ_LOCKED = _DEVICE_SEQ.with_for_update()
_DEVICE_DONE = (
    update(t.client_devices)
    .where(_CD.device_id == bindparam("device"))
    .values(last_seq=bindparam("seq"), last_skew_seconds=bindparam("skew"))
)
_PROCESSED = select(t.processed_mutations).where(
    _PM.device_id == bindparam("device"), _PM.mutation_id == bindparam("mutation")
)
_RECORD = insert(t.processed_mutations)


@dataclass
class _Batch:
    """One push in its one transaction: the device's seq so far and the log to write."""

    conn: Connection
    who: Principal
    now: datetime
    skew: int | None
    source: str
    last_seq: int
    log: ChangeWriter


def process_push(
    engine: Engine, who: Principal, request: PushRequest, source: str = "push"
) -> PushResponse:
    """Apply a batch in one transaction, one savepoint per mutation: one commit (one fsync)
    per batch, each mutation's verdict kept. ``source``: "push" (the device itself) or
    "rescue" (its signed bundle, by the office).

    A refusal (a rule, a malformed payload, a value the database refuses) is a recorded
    verdict for that mutation only. Any other error - a handler bug - rolls the whole batch
    back and answers 500: nothing is half-applied, and the device retries the batch."""
    results: list[MutationResult] = []
    stopped, expected = "", None
    now = datetime.now(UTC)
    skew = _skew(request.device_time, now)
    for mutation in request.mutations:
        if mutation.device_id != who.device_id:
            raise ApiError(403, "sync.device", "Mutations must come from the logged-in device")
    device = {"device": who.device_id}
    if not request.mutations:
        with engine.connect() as conn:
            last_seq = conn.scalar(_DEVICE_SEQ, device) or 0
        return PushResponse(results=[], last_seq=last_seq, server_time=now.isoformat())
    with engine.begin() as conn:
        # The device's row lock first, then the look-ups: a copy of this request that a
        # flaky network delivered twice, processed concurrently, has committed by the time
        # the lock is ours, so this copy sees its mutations as done ("duplicate"), not as
        # used sequence numbers ("rejected") - found by the TCP fault proxy test. (SQLite:
        # the write lock, taken at BEGIN IMMEDIATE.)
        device_row = _DEVICE_SEQ_LOCKED if conn.dialect.name == "postgresql" else _DEVICE_SEQ
        batch = _Batch(
            conn,
            who,
            now,
            skew,
            source,
            conn.scalar(device_row, device) or 0,
            ChangeWriter(conn, now),
        )
        first_seq = batch.last_seq
        for mutation in request.mutations:
            outcome = _one(batch, mutation)
            if isinstance(outcome, str):
                stopped = outcome
                expected = batch.last_seq + 1 if outcome == "gap" else mutation.seq
                break
            results.append(outcome)
        if batch.last_seq != first_seq:
            conn.execute(
                _DEVICE_DONE, {"device": who.device_id, "seq": batch.last_seq, "skew": skew}
            )
        # The change-log lock (PostgreSQL) is taken here, once, and held only to the commit.
        batch.log.flush()
    return PushResponse(
        results=results,
        last_seq=batch.last_seq,
        stopped=stopped,  # type: ignore[arg-type]
        expected_seq=expected,
        server_time=now.isoformat(),
    )


def _one(batch: _Batch, mutation: Mutation) -> MutationResult | str:
    """One mutation of the batch: its result, or why the batch stops here ("gap",
    "blob_missing"), in which case nothing of it was written."""
    conn, who, now = batch.conn, batch.who, batch.now
    done = (
        conn.execute(_PROCESSED, {"device": who.device_id, "mutation": mutation.mutation_id})
        .mappings()
        .first()
    )
    if done is not None:
        return MutationResult(
            mutation_id=mutation.mutation_id,
            seq=mutation.seq,
            status="duplicate" if done["status"] == "applied" else "rejected",
            reason=done["reason"],
            code=done["code"],
        )
    if mutation.seq <= batch.last_seq:
        return MutationResult(
            mutation_id=mutation.mutation_id,
            seq=mutation.seq,
            status="rejected",
            code="sync.stale_seq",
            reason="Sequence number already used by this device",
        )
    if mutation.seq != batch.last_seq + 1:
        return "gap"
    writer = ChangeWriter(conn, now)
    ctx = Ctx(conn, writer, who, now, mutation, [])
    args: MutationArgs | None = None
    with contextlib.suppress(Rejected):  # a malformed one is refused below
        args = parse(ctx)
    # The center derives the blobs a mutation needs from its args, not from the list the
    # device sent alongside.
    refs = {*mutation.blob_refs, *(args.blob_refs() if args is not None else ())}
    missing = [
        sha
        for sha in sorted(refs)
        if not conn.scalar(select(t.blobs.c.complete).where(t.blobs.c.sha256 == sha))
    ]
    if missing and args is not None:
        # The change waits for these files: their bytes are now expected from this user
        # (blobstore.want), so none arrives for a hash nothing of theirs needs.
        want(conn, missing, who.username, who.device_id, mutation.seq, now)
        return "blob_missing"
    status, code, reason = "applied", "", ""
    savepoint = conn.begin_nested()
    try:
        try:
            apply_mutation(ctx, args)
        except (IntegrityError, DataError) as exc:
            # A value the schema refuses (too long, a duplicate number): refuse this
            # mutation, so one bad change never blocks the device's queue.
            log.warning(
                "mutation %s refused by the database: %s", mutation.name, type(exc.orig).__name__
            )
            raise Rejected(
                "mutation.integrity" if isinstance(exc, IntegrityError) else "mutation.data",
                "The service center could not store this change (a value is out of "
                "range or already taken); it is kept for the office to review",
            ) from None
        savepoint.commit()
    except Rejected as rej:
        savepoint.rollback()
        writer = ChangeWriter(conn, now)
        status, code, reason = "rejected", rej.code, rej.reason
        # The client keeps its local version until told otherwise: re-send the server's
        # copy of what it tried to change, so it converges - but only rows the pusher may
        # see (a foreign slip id must not disclose that slip).
        reassert = [
            (table, key) for table, key in rej.reassert if visible(conn, table, key, who.username)
        ] or _own_entity(conn, mutation.entity_type, mutation.entity_id, who.username)
        server_value = rej.server_value if len(reassert) == len(rej.reassert) else None
        for table, key in reassert:
            writer.upsert(table, key, {who.username})
        _conflict(conn, now, who, mutation, rej.job_id, "rejected", reason, server_value)
    for job_id, note in ctx.kept_conflicts if status == "applied" else []:
        _conflict(conn, now, who, mutation, job_id, "reassigned_kept", note, None)
    conn.execute(
        _RECORD,
        {
            "mutation_id": mutation.mutation_id,
            "device_id": who.device_id,
            "seq": mutation.seq,
            "name": mutation.name,
            "status": status,
            "reason": reason,
            "code": code,
            "device_created_at": mutation.created_at,
            "received_at": now,
            "skew_seconds": batch.skew,
            "source": batch.source,
            "entity_type": mutation.entity_type[:40],
            "entity_id": mutation.entity_id[:80],
        },
    )
    batch.last_seq = mutation.seq
    batch.log.absorb(writer)
    return MutationResult(
        mutation_id=mutation.mutation_id,
        seq=mutation.seq,
        status="applied" if status == "applied" else "rejected",
        code=code,
        reason=reason,
    )
