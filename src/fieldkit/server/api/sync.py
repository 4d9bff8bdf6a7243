"""Sync: push a device's mutations, pull the changes in its engineer's scope, and list the
conflicts the center recorded."""

# No `from __future__ import annotations`: FastAPI must evaluate the dependency aliases.
from typing import Annotated

from fastapi import APIRouter, Header, Query
from starlette.concurrency import run_in_threadpool

from fieldkit.protocol import HEADER_PENDING
from fieldkit.protocol.wire import ConflictRecord, PullResponse, PushRequest, PushResponse
from fieldkit.server import changes, push
from fieldkit.server.api.deps import (
    ERRORS,
    ContactsDep,
    EngineDep,
    MailDep,
    PrincipalDep,
    now,
)
from fieldkit.server.contact import pending_from
from fieldkit.server.database import writer_slot

router = APIRouter(prefix="/sync", tags=["sync"], responses=ERRORS)
# The device's outbox length (display only): anything but a plain bounded count is ignored.
Pending = Annotated[str | None, Header(alias=HEADER_PENDING)]


@router.post("/push")
async def push_mutations(
    body: PushRequest,
    who: PrincipalDep,
    engine: EngineDep,
    mail: MailDep,
    seen: ContactsDep,
    pending: Pending = None,
) -> PushResponse:
    """Apply a batch of mutations exactly once, in the device's sequence order."""

    def apply() -> PushResponse:
        response = push.process_push(engine, who, body)
        seen.touch(who.device_id, now(), pending_from(pending))  # the board's "last sync"
        return response

    async with writer_slot(engine):  # queued without a thread while SQLite has its writer
        response = await run_in_threadpool(apply)
    mail.wake()  # committed: queued slip e-mails are sent off the request path
    return response


@router.get("/pull")
def pull(
    who: PrincipalDep,
    engine: EngineDep,
    seen: ContactsDep,
    cursor: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
    snapshot: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=2000)] = 1000,
    pending: Pending = None,
) -> PullResponse:
    """One page of changes: a snapshot of the whole scope without a cursor, else the log."""
    # A read: written later, off the request path.
    seen.note(who.device_id, now(), pending_from(pending))
    return changes.pull(engine, who.username, cursor, snapshot, limit, now())


@router.get("/conflicts")
def list_conflicts(
    who: PrincipalDep, engine: EngineDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[ConflictRecord]:
    """Newest first: an engineer sees their own, the office everyone's."""
    return push.conflicts(engine, None if who.is_office else who.username, limit)
