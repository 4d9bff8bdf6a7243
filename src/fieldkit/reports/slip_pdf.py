"""The service slip as PDF: what the customer signed, signatures as vector paths, and a
verification block (slip id, content SHA-256, short code, QR) that `fieldkit verify` checks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from fieldkit.domain.slip import key_fingerprint, verification_code
from fieldkit.domain.slip_payload import DECLINED, backup_state, normalise
from fieldkit.labels import (
    BILLING,
    CAUSE,
    CHANNEL,
    ITEM_STATE,
    JOB_TYPE,
    SEVERITY,
    SIGNER,
    SLA_STATE,
    labelled,
)
from fieldkit.reports.layout import Columns, Kit, QrFlowable, SignatureFlowable, SignatureImage

__all__ = ["SignatureImage", "render_slip"]


def verify_url(center_url: str, slip_id: str, sha256: str) -> str:
    """The center's public check of this slip: ``CENTER/v/<slip id>#<verification code>``.
    The code rides in the fragment, which a browser never sends: the page's script (or the
    person, reading the code off the paper) hands it to the check."""
    return f"{center_url.rstrip('/')}/v/{slip_id}#{verification_code(sha256)}"


def qr_payload(slip_id: str, sha256: str, center_url: str | None = None) -> str:
    """With a center: its verification URL. Without one (a device never logged in): upper
    case keeps the payload in QR's alphanumeric mode (UUID and hex digest are case-
    insensitive): a smaller code, scanned more easily and encoded in half the time."""
    if center_url:
        return verify_url(center_url, slip_id, sha256)
    return f"FIELDKIT:SLIP:{slip_id}:{sha256}".upper()


def _money(value: Any) -> str:
    return "-" if value in (None, "") else str(value)


def _result(k: Kit, entry: dict[str, Any]) -> str:
    """What happened to one backup item; a slip signed before states were kept says only
    whether something was recorded."""
    state = backup_state(entry)
    if state is not None:
        return k.label(ITEM_STATE, state.value)
    return k._("Recorded") if entry.get("at") else k._("Not answered")


def _charges(k: Kit, charges: dict[str, Any]) -> list[Flowable]:
    """The approved quote's lines and totals, as the customer approved them."""
    _ = k._
    currency = charges.get("currency", "")
    rows: list[list[Any]] = [[_("Charge"), _("Qty"), _("Unit price"), _("Amount")]]
    rows += [
        [
            " ".join(x for x in (line.get("part_no") or "", line.get("description", "")) if x),
            line.get("quantity", ""),
            _money(line.get("unit_price")),
            _money(line.get("net")),
        ]
        for line in charges.get("lines") or []
    ]
    for label, key in (
        (_("Parts"), "parts"),
        (_("Labour"), "labour"),
        (_("Travel"), "travel"),
        (_("Subtotal"), "subtotal"),
        (_("Tax amount"), "tax"),
    ):
        rows.append([label, "", "", _money(charges.get(key))])
    rows.append(
        [f"{_('Total')} ({currency})", "", "", f"{currency} {_money(charges.get('total'))}"]
    )
    return [
        k.p(_("Charges") + f"  ·  {_('Quote')} {charges.get('quote') or '-'}", "head"),
        k.grid(rows, [85 * mm, 20 * mm, 30 * mm, 35 * mm], header=True, first_column=False),
    ]


def render_slip(
    content: dict[str, Any],
    sha256: str,
    signatures: Sequence[SignatureImage],
    language: str,
    company: str = "FieldKit Service",
    issued_by: tuple[str, str] | None = None,  # (device signature, device public key)
    preview: bool = False,
    center_url: str | None = None,
) -> bytes:
    """PDF bytes for a signed slip. ``content`` is the canonical content that was hashed, in
    any payload version (read through :func:`normalise`); ``center_url`` is the service
    center the QR code sends the customer to (none: the code carries id and hash only)."""
    content = normalise(content)
    site = content["site"]
    k = Kit(language, site.get("timezone"))
    _ = k._
    job, customer, times = content["job"], content["customer"], content["times"]
    engineer = content["engineer"]
    device = content.get("device") or {}
    cause, sla = content["cause"], content["sla"]
    absent = content.get("customer_absent")
    story: list[Flowable] = [
        k.p(company, "head"),
        k.p(_("Service slip") + f"  {content.get('number', '')}", "title"),
        Spacer(1, 4 * mm),
        k.grid(
            [
                [
                    _("Job"),
                    f"{job.get('number', '-')}  ·  {_('Severity')} {job.get('severity', '-')} "
                    f"{k.label(SEVERITY, job.get('severity'))}  ·  "
                    f"{k.label(JOB_TYPE, job.get('type'))}",
                ],
                [_("Customer"), f"{customer.get('name', '-')}  {customer.get('name_en', '')}"],
                [_("Site"), f"{site.get('name', '-')}  {site.get('address', '')}"],
                [
                    _("Device"),
                    " ".join(str(device.get(x, "")) for x in ("name", "model", "serial")),
                ],
                [_("Engineer"), engineer.get("name") or engineer.get("username") or "-"],
                [
                    _("Reported"),
                    f"{k.when(job.get('reported_at'))}  ({k.label(CHANNEL, job.get('channel'))})",
                ],
                [_("Arrived on site"), k.when(times.get("arrived"))],
                [_("Work started"), k.when(times.get("started"))],
                [_("Work finished"), k.when(times.get("finished"))],
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
                    f"{k.label(SLA_STATE, sla.get('respond'))} / "
                    f"{k.label(SLA_STATE, sla.get('arrive'))}",
                ],
            ],
            [45 * mm, 125 * mm],
        ),
        k.p(_("Times are local to the site: {zone}").format(zone=k.zone_line()), "small"),
        k.p(_("Backup before repair"), "head"),
        k.grid(
            [[_("Item"), _("Result"), _("When"), _("Evidence (SHA-256 or note)")]]
            + [
                [
                    b.get("item", ""),
                    _result(k, b),
                    k.when(b["at"]) if b.get("at") else "-",
                    b.get("sha256") or b.get("note") or "-",
                ]
                for b in content["backup"]
            ],
            [38 * mm, 44 * mm, 40 * mm, 48 * mm],
            header=True,
            first_column=False,
        ),
    ]
    parts = content["parts"]
    if parts:
        story += [
            k.p(_("Parts replaced"), "head"),
            k.grid(
                [[_("Part"), _("Qty"), _("Unit price"), _("Serial removed / installed")]]
                + [
                    [
                        x.get("part_no", ""),
                        x.get("quantity", ""),
                        x.get("unit_price") or (_("paid") if x.get("paid") else _("in warranty")),
                        f"{x.get('serial_removed', '')} / {x.get('serial_installed', '')}",
                    ]
                    for x in parts
                ],
                [45 * mm, 20 * mm, 35 * mm, 70 * mm],
                header=True,
                first_column=False,
            ),
        ]
    if content.get("charges"):
        story += _charges(k, content["charges"])
    if absent:
        story += [
            k.p(_("The customer did not sign"), "head"),
            k.p(
                _("Reason recorded by the engineer: {reason}").format(
                    reason=absent.get("reason", "")
                )
            ),
        ]
    else:
        score = content.get("satisfaction")
        rating = _("Declined to rate") if score == DECLINED else f"{score or '-'}/5"
        story += [
            k.p(_("Customer satisfaction"), "head"),
            k.p(f"{rating}  {content.get('comments', '')}"),
        ]
    block: list[Flowable] = [k.p(_("Signatures"), "head")]
    if signatures:
        block.append(
            Columns(
                [
                    [
                        SignatureFlowable(s, 80 * mm, 30 * mm),
                        k.p(
                            f"{s.name} · {k.label(SIGNER, s.role)} · {k.when(s.signed_at)}",
                            "small",
                        ),
                    ]
                    for s in signatures
                ],
                [85 * mm] * len(signatures),
            )
        )
    story.append(KeepTogether(block))  # the heading never ends a page without its signatures
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
    device_sig = issued_by[0] if issued_by else "-"
    # Two even lines: a base64 signature wrapped by the layout left a lone "=" on its own.
    half = (len(device_sig) + 1) // 2
    story.append(
        KeepTogether(
            [
                k.p(_("Verification"), "head"),
                Columns(
                    [
                        [QrFlowable(qr_payload(content["slip_id"], sha256, center_url), 32 * mm)],
                        [
                            k.p(_("Verification code") + f": {code}"),
                            k.p(labelled(_("Slip"), content["slip_id"], _), "small"),
                            k.p(
                                _(
                                    "To check this slip, scan the code or open {url} and "
                                    "enter the verification code."
                                ).format(url=center_url.rstrip("/") + "/v/" + content["slip_id"])
                                if center_url
                                else _(
                                    "To check this slip, give the service center the "
                                    "verification code and the slip id above."
                                ),
                                "small",
                            ),
                            k.p(f"SHA-256: {sha256}", "small"),
                            k.p(_("Device signature") + f": {device_sig[:half]}", "small"),
                            *([k.p(device_sig[half:], "small")] if issued_by else []),
                            k.p(
                                _("Device key")
                                + f": {key_fingerprint(issued_by[1]) if issued_by else '-'}",
                                "small",
                            ),
                        ],
                    ],
                    [36 * mm, 134 * mm],
                ),
            ]
        )
    )
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
