"""The public check of a service slip (``/v/<slip id>``): what a customer holding the paper
may learn, and no more. Given the slip id and the short verification code printed on it (the
QR code's URL carries it in the fragment), the answer is valid, modified (the code is not the
one this slip was signed with), superseded (a correction replaced it) or unknown; with it
only the job number, the signing date in the site's zone and the issuing company."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Engine, select

from fieldkit.domain.slip import SignedSlip, verification_code
from fieldkit.domain.slip_payload import zone
from fieldkit.server import tables as t

E = t.ENTITY
SLIP_ID = re.compile(r"[0-9a-fA-F-]{36}")


class SlipState(StrEnum):
    VALID = "valid"
    MODIFIED = "modified"
    SUPERSEDED = "superseded"
    UNKNOWN = "unknown"
    UNCHECKED = "unchecked"  # the slip exists, no code was given yet


@dataclass(frozen=True)
class SlipCheck:
    state: SlipState
    job_number: str = ""
    signed_on: str = ""  # the date in the site's zone, YYYY-MM-DD
    replaced_on: str = ""  # superseded: when the correction was signed


def normalise_code(code: str) -> str:
    """The code as printed ("ABCD-EFGH-IJKL") or typed any which way."""
    return re.sub(r"[^A-Z2-7]", "", code.upper())


def check_slip(engine: Engine, slip_id: str, code: str) -> SlipCheck:
    if not SLIP_ID.fullmatch(slip_id):
        return SlipCheck(SlipState.UNKNOWN)
    slips, jobs, sites = E["slips"], E["jobs"], E["sites"]
    with engine.connect() as conn:
        row = conn.execute(
            select(
                slips.c.id,
                slips.c.job_id,
                slips.c.canonical,
                slips.c.content_sha256,
                slips.c.signed_at,
                slips.c.supersedes_id,
                jobs.c.number,
                sites.c.timezone,
            )
            .join(jobs, jobs.c.id == slips.c.job_id)
            .join(sites, sites.c.id == jobs.c.site_id)
            .where(slips.c.id == slip_id.lower())
        ).first()
        newer = (
            conn.scalar(
                select(slips.c.signed_at)
                .where(slips.c.supersedes_id == row.id)
                .order_by(slips.c.signed_at.desc())
                .limit(1)
            )
            if row is not None
            else None
        )
    if row is None:
        return SlipCheck(SlipState.UNKNOWN)
    tz = zone(row.timezone)
    facts = {"job_number": row.number, "signed_on": f"{row.signed_at.astimezone(tz):%Y-%m-%d}"}
    record = SignedSlip(
        row.id, row.job_id, row.canonical, row.content_sha256, row.signed_at, row.supersedes_id
    )
    given = normalise_code(code)
    # Nothing about the job until the code proves the asker holds this slip.
    if not given:
        return SlipCheck(SlipState.UNCHECKED)
    if not record.verify() or given != normalise_code(verification_code(row.content_sha256)):
        return SlipCheck(SlipState.MODIFIED)
    if newer is not None:
        return SlipCheck(
            SlipState.SUPERSEDED, replaced_on=f"{newer.astimezone(tz):%Y-%m-%d}", **facts
        )
    return SlipCheck(SlipState.VALID, **facts)
