"""The demo's signed slips and the approved quotes of its paid jobs, made by the code the app
signs with: the record's facts, the domain payload and totals, the same signature rows."""

from __future__ import annotations

import hashlib
import math
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fieldkit.demo import vocabulary as v
from fieldkit.domain.enums import Billing, QuoteLineKind, SignerRole
from fieldkit.domain.money import Money
from fieldkit.domain.quote import Quote, QuoteLine, ensure_part_replacement_allowed
from fieldkit.domain.signature import SignatureCapture
from fieldkit.domain.sla import SlaClock
from fieldkit.domain.slip_payload import BackupFact, PartFact, SlipFacts
from fieldkit.services.device_key import sign_with
from fieldkit.services.signatures import signature_row
from fieldkit.services.slips import SlipIds, signed_slip
from fieldkit.store import models as m
from fieldkit.store.blobs import BlobStore


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


@dataclass(frozen=True)
class DemoJob:
    """What a demo job's slip reports, as rows generated so far."""

    job: dict[str, Any]
    site: dict[str, Any]
    customer: dict[str, Any]
    device: dict[str, Any] | None
    engineer: str
    currency: str
    now: datetime
    times: dict[str, datetime | None]
    backup: list[BackupFact]
    thumbnails: dict[tuple[Any, ...], str]  # signature thumbnails stored so far, by strokes


def _strokes(x0: float, seed: float) -> tuple[tuple[tuple[float, float, float, float], ...], ...]:
    """A plausible three-stroke signature on a 600 x 240 pad."""
    strokes = []
    for _ in range(3):
        stroke = []
        for k in range(24):
            t = k / 23
            stroke.append(
                (x0 + 120 * t, 120 + 40 * math.sin(t * 6 + x0 + seed), 0.5 + 0.3 * t, k * 12.0)
            )
        strokes.append(tuple(stroke))
        x0 += 150
    return tuple(strokes)


def demo_key(seed: int) -> Ed25519PrivateKey:
    """The demo data set's issuing device key: fixed per seed, so a demo stays reproducible."""
    return Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(f"fieldkit-demo-device-{seed}".encode()).digest()
    )


def _demo_quote(
    add: Any, rng: random.Random, job: dict[str, Any], currency: str, at: datetime, sig_id: str
) -> tuple[Quote, str]:
    """The approved quote a paid repair needs before its part is fitted (domain totals)."""
    part_no, zh, en, price, rate = v.PARTS[0]
    quote = Quote(
        _uuid(rng),
        job["id"],
        currency,
        at.date() + timedelta(days=14),
        lines=(
            QuoteLine(
                QuoteLineKind.PART,
                f"{zh} {en}",
                Decimal(1),
                Money.of(price, currency),
                Decimal(rate),
                part_no,
            ),
            QuoteLine(
                QuoteLineKind.LABOUR,
                v.LABOUR,
                Decimal("1.5"),
                Money.of("180", currency),
                Decimal("0.06"),
            ),
            QuoteLine(
                QuoteLineKind.TRAVEL,
                v.TRAVEL,
                Decimal(1),
                Money.of("120", currency),
                Decimal("0.06"),
            ),
        ),
    ).approved(at, at.date())
    number = f"{job['number']}-Q1"
    add(
        m.Quote,
        id=quote.id,
        job_id=job["id"],
        number=number,
        status=quote.status.value,
        currency=currency,
        valid_until=quote.valid_until,
        created_at=at - timedelta(minutes=20),
        decided_at=at,
        decided_by_name=v.CUSTOMER_SIGNER,
        decline_reason="",
        approval_signature_id=sig_id,
        version=2,
    )
    for pos, line in enumerate(quote.lines, 1):
        add(
            m.QuoteLine,
            id=_uuid(rng),
            quote_id=quote.id,
            position=pos,
            kind=line.kind.value,
            part_id=None,
            part_no=line.part_no,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price.amount,
            tax_rate=line.tax_rate,
        )
    return quote, number


def demo_slip(
    add: Any,
    rng: random.Random,
    blobs: BlobStore,
    key: Ed25519PrivateKey,
    record: DemoJob,
) -> None:
    """The signed slip of a job already past signing, made as the app signs one: its facts
    from the job's records, the domain's payload, the same signature rows and device key."""
    job, site, customer, engineer = record.job, record.site, record.customer, record.engineer
    finished = record.times.get("finished") or record.now - timedelta(hours=2)
    signed_at = finished + timedelta(minutes=rng.randint(5, 40))
    captures = [
        SignatureCapture(SignerRole.CUSTOMER, v.CUSTOMER_SIGNER, 600, 240, _strokes(40.0, 0.0)),
        SignatureCapture(SignerRole.ENGINEER, engineer, 600, 240, _strokes(50.0, 1.3)),
    ]
    sig_ids = []
    for capture in captures:
        row = {**signature_row(capture, signed_at, blobs, record.thumbnails), "id": _uuid(rng)}
        add(m.Signature, **row)
        sig_ids.append(row["id"])
    quote, quote_number, parts = None, None, []
    if job["billing"] == "paid":
        approval = {
            **signature_row(
                captures[0], signed_at - timedelta(hours=1), blobs, record.thumbnails
            ),
            "id": _uuid(rng),
        }
        add(m.Signature, **approval)
        quote, quote_number = _demo_quote(
            add, rng, job, record.currency, signed_at - timedelta(hours=1), approval["id"]
        )
        line = quote.lines[0]
        assert line.part_no is not None
        ensure_part_replacement_allowed(Billing.PAID, line.part_no, Decimal(1), [quote])
        part = add(
            m.PartReplacement,
            id=_uuid(rng),
            job_id=job["id"],
            part_no=line.part_no,
            quantity=Decimal(1),
            serial_removed=f"PS-{rng.randint(1000, 9999)}",
            serial_installed=f"PS-{rng.randint(1000, 9999)}",
            paid=True,
            at=signed_at - timedelta(minutes=50),
            by=engineer,
        )
        parts.append(
            PartFact(
                part["part_no"],
                part["quantity"],
                True,
                line.unit_price.amount,
                part["serial_removed"],
                part["serial_installed"],
            )
        )
    device = record.device
    facts = SlipFacts(
        job_number=job["number"],
        job_type=job["job_type"],
        severity=job["severity"],
        reported_at=job["reported_at"],
        channel=job["channel"],
        billing=job["billing"],
        customer_name=customer["name"],
        customer_name_en=customer["name_en"],
        site_name=site["name"],
        site_address=site["address"],
        site_timezone=site["timezone"],
        device=(device["name"], device["model"], device["serial"]) if device else None,
        fault_reported=job["fault_description"],
        fault_found=job["fault_found"],
        cause_area=job["cause_area"],
        cause_origin=job["cause_origin"],
        work_performed=job["resolution"],
        confirmed_with=job["confirmed_with"],
        sla_respond=SlaClock(job["respond_by"], job["responded_at"]).state(record.now).value,
        sla_arrive=SlaClock(job["arrive_by"], job["arrived_at"]).state(record.now).value,
        engineer_username=engineer,
        engineer_name=engineer,
        arrived_at=record.times.get("arrived"),
        started_at=record.times.get("started"),
        finished_at=record.times.get("finished"),
        backup=tuple(record.backup),
        parts=tuple(parts),
        quote_number=quote_number,
        quote=quote,
    )
    number = f"{job['number']}-S1"
    signed = signed_slip(facts, 5, "", captures, signed_at, SlipIds(_uuid(rng), job["id"], number))
    device_signature, device_public = sign_with(key, signed.sha256)
    add(
        m.Slip,
        id=signed.id,
        job_id=job["id"],
        number=number,
        canonical=signed.canonical,
        content_sha256=signed.sha256,
        signed_at=signed_at,
        supersedes_id=None,
        customer_signature_id=sig_ids[0],
        engineer_signature_id=sig_ids[1],
        pdf_sha256=None,
        device_signature=device_signature,
        device_public_key=device_public,
    )
