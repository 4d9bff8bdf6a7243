"""The service slip as PDF: what the customer signed, signatures as vector paths, and a
verification block (slip id, content SHA-256, short code, QR) that `fieldkit verify` checks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from fieldkit.domain.slip import key_fingerprint, verification_code
from fieldkit.labels import BILLING, CAUSE, CHANNEL, JOB_TYPE, SEVERITY, SIGNER, SLA_STATE
from fieldkit.reports.layout import Columns, Kit, QrFlowable, SignatureFlowable, SignatureImage

__all__ = ["SignatureImage", "render_slip"]


def qr_payload(slip_id: str, sha256: str) -> str:
    """Upper case keeps the payload in QR's alphanumeric mode (UUID and hex digest are case-
    insensitive): a smaller code, scanned more easily and encoded in half the time."""
    return f"FIELDKIT:SLIP:{slip_id}:{sha256}".upper()


def render_slip(
    content: dict[str, Any],
    sha256: str,
    signatures: Sequence[SignatureImage],
    language: str,
    company: str = "FieldKit Service",
    issued_by: tuple[str, str] | None = None,  # (device signature, device public key)
    preview: bool = False,
) -> bytes:
    """PDF bytes for a signed slip. ``content`` is the canonical content that was hashed."""
    k = Kit(language)
    _ = k._
    job, customer, site = content["job"], content["customer"], content["site"]
    device = content.get("device") or {}
    cause = content.get("cause") or {}
    sla = content["sla"]
    story: list[Flowable] = [
        k.p(company, "head"),
        k.p(_("Service slip") + f"  {content.get('number', '')}", "title"),
        Spacer(1, 4 * mm),
        k.grid(
            [
                [
                    _("Job"),
                    f"{job['number']}  ·  {_('Severity')} {job['severity']} "
                    f"{k.label(SEVERITY, job['severity'])}  ·  {k.label(JOB_TYPE, job['type'])}",
                ],
                [_("Customer"), f"{customer['name']}  {customer.get('name_en', '')}"],
                [_("Site"), f"{site['name']}  {site.get('address', '')}"],
                [
                    _("Device"),
                    " ".join(str(device.get(x, "")) for x in ("name", "model", "serial")),
                ],
                [
                    _("Reported"),
                    f"{k.when(job['reported_at'])}  ({k.label(CHANNEL, job['channel'])})",
                ],
                [_("Fault as reported"), content.get("fault_reported", "")],
                [_("Fault as found"), content.get("fault_found", "")],
                [
                    _("Cause"),
                    f"{k.label(CAUSE, cause.get('area'))} / {k.label(CAUSE, cause.get('origin'))}",
                ],
                [_("Work performed"), content.get("work_performed", "")],
                [_("Problem confirmed with"), content.get("confirmed_with", "")],
                [_("Billing"), k.label(BILLING, job.get("billing"))],
                [
                    _("SLA response / arrival"),
                    f"{k.label(SLA_STATE, sla['respond'])} / {k.label(SLA_STATE, sla['arrive'])}",
                ],
            ],
            [45 * mm, 125 * mm],
        ),
        k.p(_("Backup before repair"), "head"),
        k.grid(
            [[_("Item"), _("When"), "SHA-256"]]
            + [
                [
                    b["item"],
                    k.when(b["at"]) if b.get("at") else "-",
                    b.get("sha256") or b.get("note") or "-",
                ]
                for b in content.get("backup") or []
            ],
            [70 * mm, 40 * mm, 60 * mm],
            header=True,
            first_column=False,
        ),
    ]
    parts = content.get("parts") or []
    if parts:
        story += [
            k.p(_("Parts replaced"), "head"),
            k.grid(
                [[_("Part"), _("Qty"), _("Unit price"), _("Serial removed / installed")]]
                + [
                    [
                        x["part_no"],
                        x["quantity"],
                        x.get("unit_price") or _("in warranty"),
                        f"{x.get('serial_removed', '')} / {x.get('serial_installed', '')}",
                    ]
                    for x in parts
                ],
                [45 * mm, 20 * mm, 35 * mm, 70 * mm],
                header=True,
                first_column=False,
            ),
        ]
    story += [
        k.p(_("Customer satisfaction"), "head"),
        k.p(f"{int(content.get('satisfaction', 0))}/5  {content.get('comments', '')}"),
        k.p(_("Signatures"), "head"),
    ]
    if signatures:
        story.append(
            Columns(
                [
                    [
                        SignatureFlowable(s, 80 * mm, 30 * mm),
                        k.p(f"{s.name} · {k.label(SIGNER, s.role)} · {s.signed_at}", "small"),
                    ]
                    for s in signatures
                ],
                [85 * mm] * len(signatures),
            )
        )
    if preview:
        # What the customer reviews before signing: no code that could pass for a valid slip.
        story.append(k.p(_("Preview for review: not signed, not valid as a service slip"), "head"))
        return k.build(
            story,
            title=f"{_('Service slip')} {content.get('number', '')}",
            subject="fieldkit-slip-preview",
            author=company,
            footer=_("Preview, not signed"),
        )
    code = verification_code(sha256)
    story += [
        k.p(_("Verification"), "head"),
        Columns(
            [
                [QrFlowable(qr_payload(content["slip_id"], sha256), 32 * mm)],
                [
                    k.p(_("Verification code") + f": {code}"),
                    k.p(f"{_('Slip')}: {content['slip_id']}", "small"),
                    k.p(f"SHA-256: {sha256}", "small"),
                    k.p(
                        _("Device signature") + f": {issued_by[0] if issued_by else '-'}",
                        "small",
                    ),
                    k.p(
                        _("Device key")
                        + f": {key_fingerprint(issued_by[1]) if issued_by else '-'}",
                        "small",
                    ),
                    k.p(_("Check with: fieldkit verify SLIP.pdf"), "small"),
                ],
            ],
            [36 * mm, 134 * mm],
        ),
    ]
    if content.get("supersedes"):
        story.append(
            k.p(_("This slip corrects and supersedes slip") + f" {content['supersedes']}", "small")
        )
    return k.build(
        story,
        title=f"{_('Service slip')} {content.get('number', '')}",
        subject=f"fieldkit-slip {content['slip_id']} {sha256}",
        author=company,
        footer=code,
    )
