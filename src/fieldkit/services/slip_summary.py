"""What the customer is about to freeze: the slip's content as it would be signed now, for
the confirmation step before locking (read only; signing builds it again in its own
transaction)."""

from __future__ import annotations

from typing import Any

from fieldkit.domain.slip_payload import Satisfaction
from fieldkit.services.context import ServiceContext
from fieldkit.services.slips import slip_content


def content_to_sign(
    ctx: ServiceContext, job_id: str, satisfaction: Satisfaction | None, comments: str
) -> dict[str, Any]:
    with ctx.db.read() as session:
        return slip_content(session, job_id, satisfaction, comments)
