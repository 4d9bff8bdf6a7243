"""One transaction = rule + write + outbox row + audit entry."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import update
from sqlalchemy.orm import Session

from fieldkit.domain.errors import InvalidValue
from fieldkit.protocol.mutations import MUTATIONS, MutationArgs
from fieldkit.services.context import ServiceContext
from fieldkit.store.models import AuditEntry, LocalDevice, OutboxMutation, new_id


@dataclass
class Tx:
    session: Session
    ctx: ServiceContext
    mutation_ids: list[str] = field(default_factory=list)

    def emit(self, args: MutationArgs, entity_id: str, base_version: int | None = None) -> str:
        """Queue a mutation for the server; it commits or rolls back with the change.

        ``args`` is the typed contract (``protocol.mutations``): it names the mutation and
        its entity type and lists the blobs it needs, so no hand-written dict can disagree
        with what the center parses."""
        return self._queue(
            args.NAME, args.ENTITY, entity_id, base_version, args.wire(), args.blob_refs()
        )

    def emit_stored(
        self, name: str, entity_id: str, base_version: int | None, args: dict[str, Any]
    ) -> str:
        """Queue stored args again (keep mine): checked against today's contract first."""
        model = MUTATIONS.get(name)
        if model is None:
            raise InvalidValue("This change can no longer be sent; update the app")
        try:
            typed = model.model_validate(args)
        except ValidationError:
            raise InvalidValue("This change can no longer be sent; update the app") from None
        return self.emit(typed, entity_id, base_version)

    def _queue(
        self,
        name: str,
        entity_type: str,
        entity_id: str,
        base_version: int | None,
        args: dict[str, Any],
        blob_refs: Sequence[str],
    ) -> str:
        seq = (
            self.session.execute(
                update(LocalDevice)
                .where(LocalDevice.id == 1)
                .values(next_seq=LocalDevice.next_seq + 1)
                .returning(LocalDevice.next_seq)
            ).scalar_one()
            - 1
        )
        mutation_id = new_id()
        self.session.add(
            OutboxMutation(
                mutation_id=mutation_id,
                device_id=self.ctx.device_id,
                seq=seq,
                name=name,
                entity_type=entity_type,
                entity_id=entity_id,
                base_version=base_version,
                args=args,
                created_at=self.ctx.clock.now(),
                state="pending",
                attempts=0,
                last_error="",
                blob_refs=list(blob_refs),
            )
        )
        self.mutation_ids.append(mutation_id)
        return mutation_id

    def audit(
        self,
        action: str,
        entity_type: str,
        entity_id: str,
        details: dict[str, Any] | None = None,
        mutation_id: str | None = None,
    ) -> None:
        self.session.add(
            AuditEntry(
                at=self.ctx.clock.now(),
                actor=self.ctx.actor,
                device_id=self.ctx.device_id,
                action=action,
                entity_type=entity_type,
                entity_id=entity_id,
                details=details or {},
                mutation_id=mutation_id,
            )
        )
        self.session.flush()


@contextmanager
def transaction(ctx: ServiceContext) -> Iterator[Tx]:
    with ctx.db.write() as session:
        yield Tx(session=session, ctx=ctx)


@dataclass(frozen=True)
class Changed:
    """What a use case changed, so the UI refreshes only that."""

    job_ids: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()  # "job", "checklist", "quote", "slip", "outbox"
    mutation_ids: tuple[str, ...] = ()
    entity_id: str | None = None  # the id of a created record, when one was created
