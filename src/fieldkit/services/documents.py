"""Slip PDFs: rendered once after signing, stored by hash, never re-rendered; and verifying a
PDF someone hands back against the record."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pypdfium2 import PdfDocument, PdfiumError
from sqlalchemy import select, update

from fieldkit.domain.slip import SignedSlip
from fieldkit.domain.slip_payload import Satisfaction
from fieldkit.reports.layout import SignatureImage
from fieldkit.reports.slip_pdf import render_slip
from fieldkit.services import device_key
from fieldkit.services.context import ServiceContext
from fieldkit.services.records import NotFound
from fieldkit.store import models as m

LANGUAGES = {"zh": "zh_CN", "zh_CN": "zh_CN", "en": "en"}
SERVER_URL_SETTING = "sync.server_url"  # the account's center (fieldkit.sync.center)


def slip_preview_pdf(
    ctx: ServiceContext, job_id: str, satisfaction: Satisfaction | None, comments: str
) -> bytes:
    """The slip as it would be signed now, marked as an unsigned preview (nothing stored)."""
    from fieldkit.services.slips import slip_content

    with ctx.db.read() as session:
        content = slip_content(session, job_id, satisfaction, comments)
        job = session.get(m.Job, job_id)
        customer = session.get(m.Customer, job.customer_id) if job else None
        language = LANGUAGES.get(customer.language if customer else "en", "en")
    content = {**content, "slip_id": "-", "number": ""}
    return render_slip(content, "", [], language, preview=True)


def latest_slip_id(ctx: ServiceContext, job_id: str) -> str | None:
    """The job's current slip: the newest one (a correction supersedes the one before)."""
    with ctx.db.read() as session:
        return session.scalars(
            select(m.Slip.id).where(m.Slip.job_id == job_id).order_by(m.Slip.signed_at.desc())
        ).first()


def slip_pdf(ctx: ServiceContext, slip_id: str) -> str:
    """SHA-256 of the slip's PDF blob, rendering it the first time. A signed slip's PDF is
    fixed from then on: reprints and exports return the very same bytes."""
    with ctx.db.read() as session:
        slip = session.get(m.Slip, slip_id)
        if slip is None:
            raise NotFound(f"Slip {slip_id} is not on this device")
        if slip.pdf_sha256 and ctx.blobs.has(slip.pdf_sha256):
            return slip.pdf_sha256
        job = session.get(m.Job, slip.job_id)
        customer = session.get(m.Customer, job.customer_id) if job else None
        language = LANGUAGES.get(customer.language if customer else "en", "en")
        signatures = [
            SignatureImage(
                s.role,
                s.signer_name,
                s.signed_at.isoformat(),
                s.canvas_width,
                s.canvas_height,
                s.strokes,
            )
            for s in (
                session.get(m.Signature, slip.customer_signature_id)
                if slip.customer_signature_id
                else None,
                session.get(m.Signature, slip.engineer_signature_id)
                if slip.engineer_signature_id
                else None,
            )
            if s is not None
        ]
        signed = SignedSlip(
            slip.id,
            slip.job_id,
            slip.canonical,
            slip.content_sha256,
            slip.signed_at,
            slip.supersedes_id,
        )
        device_sig, device_pub = slip.device_signature, slip.device_public_key
        pinned = slip.pdf_sha256
        # The account's center, known on the device with or without a network.
        center = session.get(m.Setting, SERVER_URL_SETTING)
    data = render_slip(
        signed.content(),
        signed.sha256,
        signatures,
        language,
        issued_by=(device_sig, device_pub) if device_sig and device_pub else None,
        center_url=str(center.value) if center is not None and center.value else None,
    )
    sha = ctx.blobs.put_bytes(data)
    if pinned is None:
        with ctx.db.write() as session:
            session.execute(
                update(m.Slip)
                .where(m.Slip.id == slip_id, m.Slip.pdf_sha256.is_(None))
                .values(pdf_sha256=sha)
            )
    return sha


class Verdict(StrEnum):
    VALID = "valid"
    MODIFIED = "modified"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    slip_id: str | None
    detail: str


def pdf_reference(pdf: Path) -> tuple[str, str] | None:
    """(slip id, content SHA-256) a FieldKit slip PDF names, or None."""
    try:
        doc = PdfDocument(Path(pdf).read_bytes())
        subject = str(doc.get_metadata_dict().get("Subject", ""))
        doc.close()
    except PdfiumError:
        return None
    parts = subject.split()
    if len(parts) != 3 or parts[0] != "fieldkit-slip":
        return None
    return parts[1], parts[2]


def verify_with_center(pdf: Path, record: dict[str, object] | None) -> Verification:
    """Judge a PDF by what the service center recorded (``record`` None: it knows nothing)."""
    ref = pdf_reference(pdf)
    if ref is None:
        return Verification(Verdict.MODIFIED, None, "Not a readable FieldKit slip PDF")
    if record is None:
        return Verification(Verdict.UNKNOWN, ref[0], "The service center has no such slip")
    if record.get("sha256") != ref[1]:
        return Verification(
            Verdict.MODIFIED,
            ref[0],
            "The PDF names content the center did not record for this slip",
        )
    note = f", superseded by {record['superseded_by']}" if record.get("superseded_by") else ""
    return Verification(
        Verdict.VALID,
        ref[0],
        f"Matches the center's record (device key {record.get('device_key') or '-'}){note}",
    )


def verify_pdf(ctx: ServiceContext, pdf: Path) -> Verification:
    """Check a slip PDF against this device's record (works offline)."""
    data = Path(pdf).read_bytes()
    try:
        doc = PdfDocument(data)
        subject = str(doc.get_metadata_dict().get("Subject", ""))
        doc.close()
    except PdfiumError:
        return Verification(Verdict.MODIFIED, None, "Not a readable PDF: damaged or altered")
    parts = subject.split()
    if len(parts) != 3 or parts[0] != "fieldkit-slip":
        return Verification(Verdict.UNKNOWN, None, "This PDF carries no FieldKit slip reference")
    slip_id, claimed = parts[1], parts[2]
    with ctx.db.read() as session:
        slip = session.get(m.Slip, slip_id)
        if slip is None:
            return Verification(Verdict.UNKNOWN, slip_id, "This slip is not in this record")
        record = SignedSlip(
            slip.id,
            slip.job_id,
            slip.canonical,
            slip.content_sha256,
            slip.signed_at,
            slip.supersedes_id,
        )
        pinned = slip.pdf_sha256
        device_sig, device_pub = slip.device_signature, slip.device_public_key
    if not record.verify():
        return Verification(Verdict.MODIFIED, slip_id, "The stored slip no longer matches its hash")
    if claimed != record.sha256:
        return Verification(Verdict.MODIFIED, slip_id, "The PDF names different content")
    if pinned is not None and hashlib.sha256(data).hexdigest() != pinned:
        return Verification(Verdict.MODIFIED, slip_id, "The PDF differs from the one issued")
    if (
        not device_sig
        or not device_pub
        or not device_key.verify(device_pub, record.sha256, device_sig)
    ):
        return Verification(Verdict.UNKNOWN, slip_id, "No valid device signature: unknown signer")
    return Verification(
        Verdict.VALID,
        slip_id,
        f"Signed slip {record.code}, content intact, issued by device key "
        f"{device_key.fingerprint(device_pub)}",
    )


def quote_pdf(ctx: ServiceContext, quote_id: str) -> str:
    """SHA-256 of the quote's PDF blob, in the customer's language (preview or record)."""
    from fieldkit.reports.quote_pdf import QuoteHeader, render_quote
    from fieldkit.services.records import to_domain_quote

    with ctx.db.read() as session:
        row = session.get(m.Quote, quote_id)
        if row is None:
            raise NotFound(f"Quote {quote_id} is not on this device")
        quote = to_domain_quote(session, row)
        job = session.get(m.Job, row.job_id)
        assert job is not None
        customer = session.get(m.Customer, job.customer_id)
        site = session.get(m.Site, job.site_id)
        assert customer is not None and site is not None
        sig = (
            session.get(m.Signature, row.approval_signature_id)
            if row.approval_signature_id
            else None
        )
        approval = (
            SignatureImage(
                sig.role,
                sig.signer_name,
                sig.signed_at.isoformat(),
                sig.canvas_width,
                sig.canvas_height,
                sig.strokes,
            )
            if sig
            else None
        )
        header = QuoteHeader(
            row.number,
            job.number,
            f"{customer.name} {customer.name_en}".strip(),
            f"{site.name} {site.address}".strip(),
            row.created_at.date(),
            row.decided_by_name,
            row.decline_reason,
        )
        language = LANGUAGES.get(customer.language, "en")
    return ctx.blobs.put_bytes(
        render_quote(quote, header, approval, language, timezone=site.timezone)
    )


def inspection_pdf(ctx: ServiceContext, job_id: str, findings: str = "") -> str:
    """SHA-256 of the inspection report for a periodic-inspection job."""
    from sqlalchemy import select

    from fieldkit.reports.inspection_pdf import (
        InspectedDevice,
        InspectedItem,
        InspectionHeader,
        render_inspection,
    )
    from fieldkit.services.records import checklist_answers, checklist_items

    with ctx.db.read() as session:
        job = session.get(m.Job, job_id)
        if job is None:
            raise NotFound(f"Job {job_id} is not on this device")
        customer = session.get(m.Customer, job.customer_id)
        site = session.get(m.Site, job.site_id)
        assert customer is not None and site is not None
        devices = []
        runs = session.scalars(
            select(m.ChecklistRun).where(
                m.ChecklistRun.job_id == job_id, m.ChecklistRun.purpose == "inspection"
            )
        )
        for run in runs:
            device = session.get(m.Device, run.device_id) if run.device_id else None
            latest = {
                a.item_id: a
                for a in sorted(checklist_answers(session, run.id), key=lambda a: a.recorded_at)
            }
            items = [
                InspectedItem(
                    item.label,
                    ("✓" if latest[item.id].ticked else "") + latest[item.id].text
                    if item.id in latest
                    else "",
                    item.required,
                    latest[item.id].recorded_at.isoformat() if item.id in latest else "",
                )
                for item in checklist_items(session, run.id)
            ]
            devices.append(
                InspectedDevice(
                    device.name if device else "-",
                    device.model if device else "",
                    device.serial if device else "",
                    device.location if device else "",
                    items,
                )
            )
        devices.sort(key=lambda d: (d.location, d.name))
        period = job.reported_at.strftime("%Y-%m")
        header = InspectionHeader(
            f"{job.number}-R",
            f"{customer.name} {customer.name_en}".strip(),
            f"{site.name} {site.address}".strip(),
            period,
            job.assigned_engineer,
            findings or job.resolution,
        )
        language = LANGUAGES.get(customer.language, "en")
    return ctx.blobs.put_bytes(render_inspection(header, devices, language, timezone=site.timezone))
