"""The demo's signed slips and the approved quotes of its paid jobs, made by the code the app
signs with: the record's facts, the domain payload and totals, the same signature rows."""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fieldkit.demo import vocabulary as v
from fieldkit.demo.work import JobWork, new_id
from fieldkit.domain import record_rows, records, rules, workflow
from fieldkit.domain.enums import QuoteLineKind, QuoteStatus, Severity, SignerRole
from fieldkit.domain.money import Money
from fieldkit.domain.quote import Quote, QuoteLine, ensure_quote_step_allowed
from fieldkit.domain.signature import SignatureCapture
from fieldkit.domain.sla import ContractSla, job_sla
from fieldkit.domain.slip_payload import SlipFacts
from fieldkit.domain.workflow import JobContext
from fieldkit.protocol.mutations import (
    JobTransitionV1,
    QuoteAddLineV1,
    QuoteApproveV1,
    QuoteCreateV1,
    SlipSignV1,
)
from fieldkit.services.device_key import sign_with
from fieldkit.services.quotes import DEFAULT_VALIDITY
from fieldkit.services.signatures import signature_row
from fieldkit.services.slips import SlipIds, signed_slip
from fieldkit.store import models as m
from fieldkit.store.blobs import BlobStore


@dataclass(frozen=True)
class DemoJob:
    """What a demo job's slip reports besides its own work: where, for whom, when."""

    site: dict[str, Any]
    customer: dict[str, Any]
    device: dict[str, Any] | None
    currency: str
    thumbnails: dict[tuple[Any, ...], str]  # signature thumbnails stored so far, by strokes
    contract_sla: ContractSla | None = None


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


CUSTOMER = SignatureCapture(SignerRole.CUSTOMER, v.CUSTOMER_SIGNER, 600, 240, _strokes(40.0, 0.0))


def demo_device_id(seed: int) -> str:
    """The id of the device that made the demo's changes and signed its slips (its key is
    :func:`demo_key`): fixed per seed, never the id of the installation holding the demo."""
    digest = hashlib.sha256(f"fieldkit-demo-device-id-{seed}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def engineer_capture(engineer: str) -> SignatureCapture:
    """The demo engineer's signature on a slip."""
    return SignatureCapture(SignerRole.ENGINEER, engineer, 600, 240, _strokes(50.0, 1.3))


def _signature(
    work: JobWork, capture: SignatureCapture, at: datetime, blobs: BlobStore, record: DemoJob
) -> dict[str, Any]:
    row = {**signature_row(capture, at, blobs, record.thumbnails), "id": new_id(work.rng)}
    return work.add(m.Signature, **row)


def _wire_signature(row: dict[str, Any]) -> dict[str, Any]:
    """The signature as a mutation carries it (``services.signatures.signature_payload``)."""
    keys = ("id", "role", "signer_name", "signed_at", "canvas_width", "canvas_height", "strokes")
    return {k: row[k] for k in keys}


def demo_quote(
    work: JobWork,
    blobs: BlobStore,
    record: DemoJob,
    part_ids: dict[str, str],
    created: datetime,
    approved: datetime,
) -> Quote:
    """The quote of a paid repair, as ``services.quotes`` writes it: a draft, its lines
    (the part's price and tax from the price list), then the customer's signed approval."""
    job, currency = work.job, record.currency
    number = rules.quote_number(job["number"], len(work.quotes) + 1)
    quote_id = new_id(work.rng)
    valid_until = (created + DEFAULT_VALIDITY).date()
    row = work.add(
        m.Quote,
        **record_rows.draft_quote_row(quote_id, job["id"], number, currency, valid_until, created),
    )
    create = partial(
        QuoteCreateV1.checked,
        id=quote_id,
        number=number,
        currency=currency,
        valid_until=valid_until,
        job_id=job["id"],
        created_at=created,
    )
    work.record(create, quote_id, None, created, "quote.create", "quote")
    part_no, zh, _en, price, rate = v.PARTS[0]
    lines = (
        QuoteLine(
            QuoteLineKind.PART, zh, Decimal(1), Money.of(price, currency), Decimal(rate), part_no
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
    )
    line_rows = []
    for pos, line in enumerate(lines, 1):
        at = created + timedelta(minutes=pos)
        line_row = record_rows.quote_line_row(
            new_id(work.rng), quote_id, pos, line, part_ids.get(line.part_no or "")
        )
        line_rows.append(work.add(m.QuoteLine, **line_row))
        base = row["version"]
        row["version"] = base + 1
        line_args = partial(
            QuoteAddLineV1.checked,
            line_id=line_row["id"],
            kind=line.kind,
            part_no=line.part_no,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price.amount,
            tax_rate=line.tax_rate,
        )
        work.record(line_args, quote_id, base, at, "quote.add_line", "quote")
    quote = records.quote_from_row(row, line_rows)
    ensure_quote_step_allowed("approve", False)
    decided = quote.approved(approved, approved.date())
    sig = _signature(work, CUSTOMER, approved, blobs, record)
    base = row["version"]
    row.update(record_rows.approval_fields(decided, CUSTOMER.signer_name, sig["id"], base))
    approve = partial(
        QuoteApproveV1.checked,
        signature=_wire_signature(sig),
        signature_id=sig["id"],
        signer_name=row["decided_by_name"],
        at=approved,
        total=str(decided.totals().total.amount),
    )
    work.record(approve, quote_id, base, approved, "quote.approve", "quote")
    work.quotes.append(decided)
    return decided


def demo_slip(
    work: JobWork,
    blobs: BlobStore,
    key: Ed25519PrivateKey,
    record: DemoJob,
    signed_at: datetime,
) -> None:
    """The signed slip of a resolved job, made as the app signs one: its facts from the
    job's records, the domain's payload, the same signature rows and device key, then the
    job's ``sign`` step."""
    job, site, customer, engineer = work.job, record.site, record.customer, work.engineer
    captures = [CUSTOMER, engineer_capture(engineer)]
    backup = work.backup_facts()
    workflow.check(work.domain(), "sign", JobContext(work.context().backup, has_signed_slip=True))
    device = record.device
    quote = next((q for q in reversed(work.quotes) if q.status is QuoteStatus.APPROVED), None)
    quote_number = (
        rules.quote_number(job["number"], work.quotes.index(quote) + 1) if quote else None
    )
    sla = job_sla(
        record.contract_sla,
        Severity(job["severity"]),
        job["reported_at"],
        job["responded_at"],
        job["arrived_at"],
    )
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
        sla_respond=sla.respond.state(job["updated_at"]).value,
        sla_arrive=sla.arrive.state(job["updated_at"]).value,
        engineer_username=job["assigned_engineer"],
        engineer_name=engineer,
        arrived_at=work.times.get("arrived") or job["arrived_at"],
        started_at=work.times.get("started"),
        finished_at=work.times.get("finished"),
        backup=tuple(backup),
        parts=tuple(work.parts),
        quote_number=quote_number,
        quote=quote,
    )
    number = rules.slip_number(job["number"], 1)
    ids = SlipIds(new_id(work.rng), job["id"], number)
    signed = signed_slip(facts, 5, "", captures, signed_at, ids)
    sigs = [_signature(work, c, signed_at, blobs, record) for c in captures]
    device_signature, device_public = sign_with(key, signed.sha256)
    work.add(
        m.Slip,
        **record_rows.slip_row(
            signed, number, sigs[0]["id"], sigs[1]["id"], device_signature, device_public
        ),
    )
    args = partial(
        SlipSignV1.checked,
        slip_id=signed.id,
        number=number,
        canonical=signed.canonical,
        sha256=signed.sha256,
        supersedes=None,
        customer_signature_id=sigs[0]["id"],
        engineer_signature_id=sigs[1]["id"],
        signatures=[_wire_signature(s) for s in sigs],
        job_id=job["id"],
        signed_at=signed_at,
        device_signature=device_signature,
        device_public_key=device_public,
    )
    audit = {"sha256": signed.sha256, "number": number}
    work.record(args, signed.id, None, signed_at, "slip.sign", "slip", audit)
    before = work.domain()
    after = workflow.apply(before, "sign", work.context(signed=True), signed_at)
    work.job.update(status=after.status.value, version=after.version, updated_at=signed_at)
    t_args = partial(
        JobTransitionV1.checked,
        action="sign",
        at=signed_at,
        to=after.status.value,
        slip_id=signed.id,
    )
    work.record(
        t_args,
        job["id"],
        before.version,
        signed_at,
        "job.sign",
        "job",
        {"from": before.status.value, "to": after.status.value},
    )
