"""What happened to each local change, and the conflict inbox.

A record is *saved on device* (pending), *sent* (awaiting the server's answer), *received by
server* (acked) or *rejected* (with the reason). For a rejected change the engineer may keep
theirs (send it again as a new change on top of the server's current state), use the
server's version (dismiss), or decide later. The rejected version stays in the audit log
whatever they choose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from fieldkit.domain.errors import GuardFailed
from fieldkit.domain.messages import N_
from fieldkit.services.context import ServiceContext
from fieldkit.services.records import NotFound
from fieldkit.services.transaction import Changed, transaction
from fieldkit.store import models as m

STATE_LABELS = {
    "pending": "saved on device",
    "sent": "sent",
    "acked": "received by server",
    "rejected": "rejected",
    "dismissed": "server version kept",
}


# What became of refused work, in one sentence, for the refusals whose outcome is known.
OUTCOME = {
    "job.reassigned": N_(
        "The office gave this job to another engineer before this change reached the center, "
        "so it was not applied to the job and is kept at the center for the office to review."
    ),
}


@dataclass(frozen=True)
class ChangeState:
    mutation_id: str
    name: str
    entity_id: str
    state: str
    label: str
    reason: str
    created_at: datetime
    code: str = ""  # the center's refusal code, e.g. "job.reassigned"

    @property
    def outcome(self) -> str | None:
        """What happened to this work, in one plain sentence (a catalog message)."""
        return OUTCOME.get(self.code)


def changes_for(ctx: ServiceContext, entity_id: str) -> list[ChangeState]:
    with ctx.db.read() as session:
        rows = session.scalars(
            select(m.OutboxMutation)
            .where(m.OutboxMutation.entity_id == entity_id)
            .order_by(m.OutboxMutation.seq)
        )
        return [_state(r) for r in rows]


def inbox(ctx: ServiceContext) -> list[ChangeState]:
    """Rejected changes awaiting a decision, oldest first."""
    with ctx.db.read() as session:
        rows = session.scalars(
            select(m.OutboxMutation)
            .where(m.OutboxMutation.state == "rejected")
            .order_by(m.OutboxMutation.seq)
        )
        return [_state(r) for r in rows]


def _state(r: m.OutboxMutation) -> ChangeState:
    # The sync engine stores a refusal as "reason [code]".
    found = re.search(r"\[([a-z_.]+)\]\s*$", r.last_error or "")
    return ChangeState(
        r.mutation_id,
        r.name,
        r.entity_id,
        r.state,
        STATE_LABELS[r.state],
        r.last_error,
        r.created_at,
        found.group(1) if found else "",
    )


def _rejected(ctx: ServiceContext, session: object, mutation_id: str) -> m.OutboxMutation:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    row = session.get(m.OutboxMutation, mutation_id)
    if row is None:
        raise NotFound("That change is not on this device")
    if row.state != "rejected":
        raise GuardFailed("resolve_conflict", "Only a rejected change can be resolved")
    return row


def keep_mine(ctx: ServiceContext, mutation_id: str) -> Changed:
    """Send the rejected change again, as a new change (new id, next seq)."""
    with transaction(ctx) as tx:
        row = _rejected(ctx, tx.session, mutation_id)
        row.state = "dismissed"
        new_id = tx.emit_stored(row.name, row.entity_id, None, dict(row.args))
        tx.audit(
            "conflict.keep_mine",
            row.entity_type,
            row.entity_id,
            {"rejected": mutation_id, "reason": row.last_error, "args": row.args},
            new_id,
        )
    return Changed(kinds=frozenset({"outbox"}), mutation_ids=tuple(tx.mutation_ids))


def use_server(ctx: ServiceContext, mutation_id: str) -> Changed:
    """Accept the server's version; the rejected change is kept in the audit log."""
    with transaction(ctx) as tx:
        row = _rejected(ctx, tx.session, mutation_id)
        row.state = "dismissed"
        tx.audit(
            "conflict.use_server",
            row.entity_type,
            row.entity_id,
            {"rejected": mutation_id, "reason": row.last_error, "args": row.args},
        )
    return Changed(kinds=frozenset({"outbox"}))
