"""What the center vouches for when someone holding a slip's PDF asks about it: the content
hash, when it was signed, the issuing key's fingerprint and whether a later slip replaced
it. Never the content itself."""

from __future__ import annotations

from sqlalchemy import Engine, select

from fieldkit.domain.slip import key_fingerprint
from fieldkit.protocol.wire import SlipRecord
from fieldkit.server import tables as t


def slip_record(engine: Engine, slip_id: str) -> SlipRecord | None:
    """The center's record of one slip, or ``None`` if it has none."""
    slips = t.ENTITY["slips"]
    with engine.connect() as conn:
        row = conn.execute(
            select(
                slips.c.content_sha256,
                slips.c.signed_at,
                slips.c.device_public_key,
                slips.c.supersedes_id,
            ).where(slips.c.id == slip_id)
        ).first()
        superseded = conn.scalar(select(slips.c.id).where(slips.c.supersedes_id == slip_id))
    if row is None:
        return None
    return SlipRecord(
        slip_id=slip_id,
        sha256=row.content_sha256,
        signed_at=row.signed_at.isoformat(),
        device_key=key_fingerprint(row.device_public_key) if row.device_public_key else None,
        superseded_by=superseded,
    )
