"""The service slip as PDF: what the customer signed, signatures as vector paths, and a
verification block (slip id, content SHA-256, short code, QR) that `fieldkit verify` checks."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from fieldkit.domain.slip import verification_code
from fieldkit.i18n import translator
from fieldkit.labels import BILLING, CAUSE, CHANNEL, JOB_TYPE, SEVERITY, SLA_STATE
from fieldkit.reports.fonts import register
from fieldkit.reports.signature_paths import Stroke, curves

PEN_MM = 0.45  # nominal pen width on paper


@dataclass(frozen=True)
class SignatureImage:
    role: str
    name: str
    signed_at: str
    canvas_width: int
    canvas_height: int
    strokes: Sequence[Stroke]


class QrFlowable(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """QR modules as filled vector squares (ReportLab's graphics renderer would reference an
    unembedded standard font)."""

    def __init__(self, data: str, size: float) -> None:
        super().__init__()
        code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)  # None: smallest fit
        code.addData(data)
        code.make()
        self.code, self.size = code, size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        n = self.code.getModuleCount()
        cell = self.size / (n + 8)  # four modules of quiet zone on each side
        self.canv.setFillColor(colors.black)
        for row in range(n):
            for col in range(n):
                if self.code.isDark(row, col):
                    self.canv.rect(
                        (col + 4) * cell, self.size - (row + 5) * cell, cell, cell, stroke=0, fill=1
                    )


class SignatureFlowable(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """Strokes drawn as Bézier paths scaled into a box: crisp at any zoom, never a bitmap."""

    def __init__(self, signature: SignatureImage, width: float, height: float) -> None:
        super().__init__()
        self.signature, self.width, self.height = signature, width, height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        sig = self.signature
        scale = min(self.width / sig.canvas_width, self.height / sig.canvas_height)
        c = self.canv
        c.saveState()
        c.setStrokeColor(colors.HexColor("#0b1f5c"))
        c.setLineCap(1)
        c.setLineJoin(1)
        for curve in curves(sig.strokes):

            def at(p: tuple[float, float]) -> tuple[float, float]:
                return p[0] * scale, self.height - p[1] * scale  # canvas y grows downwards

            (x0, y0), (cx, cy), (x1, y1) = at(curve.start), at(curve.control), at(curve.end)
            c.setLineWidth(PEN_MM * mm * curve.width)
            path = c.beginPath()
            path.moveTo(x0, y0)
            # Quadratic to cubic: control points at 2/3 of the way to the quadratic control.
            path.curveTo(
                x0 + 2 / 3 * (cx - x0),
                y0 + 2 / 3 * (cy - y0),
                x1 + 2 / 3 * (cx - x1),
                y1 + 2 / 3 * (cy - y1),
                x1,
                y1,
            )
            c.drawPath(path, stroke=1, fill=0)
        c.restoreState()


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10),
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=20),
        "head": ParagraphStyle("head", parent=base, fontSize=11, leading=15, spaceBefore=6),
    }


def render_slip(
    content: dict[str, Any],
    sha256: str,
    signatures: Sequence[SignatureImage],
    language: str,
    company: str = "FieldKit Service",
) -> bytes:
    """PDF bytes for a signed slip. ``content`` is the canonical content that was hashed."""
    font = register()
    _ = translator(language)
    st = _styles(font)

    def p(text: Any, style: str = "body") -> Paragraph:
        return Paragraph(escape(str(text if text is not None else "")), st[style])

    def grid(rows: list[list[Any]], widths: list[float]) -> Table:
        table = Table(
            [[c if isinstance(c, Flowable) else p(c) for c in r] for r in rows],
            colWidths=widths,
            repeatRows=0,
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef2f6")),
                    ("FONTNAME", (0, 0), (-1, -1), font),
                ]
            )
        )
        return table

    # Tables set their cell font even for flowable cells: always ours, never a standard font.
    plain = TableStyle([("FONTNAME", (0, 0), (-1, -1), font)])
    job, customer, site = content["job"], content["customer"], content["site"]

    def label(table: dict[Any, str], value: Any) -> str:
        return _(table[value]) if value in table else str(value or "-")

    def when(value: Any) -> str:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return str(value or "-")
        return moment.strftime("%Y-%m-%d %H:%M UTC")

    device = content.get("device") or {}
    cause = content.get("cause") or {}
    story: list[Flowable] = [
        p(company, "head"),
        p(_("Service slip") + f"  {content.get('number', '')}", "title"),
        Spacer(1, 4 * mm),
        grid(
            [
                [
                    _("Job"),
                    f"{job['number']}  ·  {_('Severity')} {job['severity']} "
                    f"{label(SEVERITY, job['severity'])}  ·  {label(JOB_TYPE, job['type'])}",
                ],
                [_("Customer"), f"{customer['name']}  {customer.get('name_en', '')}"],
                [_("Site"), f"{site['name']}  {site.get('address', '')}"],
                [
                    _("Device"),
                    " ".join(str(device.get(k, "")) for k in ("name", "model", "serial")),
                ],
                [_("Reported"), f"{when(job['reported_at'])}  ({label(CHANNEL, job['channel'])})"],
                [_("Fault as reported"), content.get("fault_reported", "")],
                [_("Fault as found"), content.get("fault_found", "")],
                [
                    _("Cause"),
                    f"{label(CAUSE, cause.get('area'))} / {label(CAUSE, cause.get('origin'))}",
                ],
                [_("Work performed"), content.get("work_performed", "")],
                [_("Problem confirmed with"), content.get("confirmed_with", "")],
                [_("Billing"), label(BILLING, job.get("billing"))],
                [
                    _("SLA response / arrival"),
                    f"{label(SLA_STATE, content['sla']['respond'])} / "
                    f"{label(SLA_STATE, content['sla']['arrive'])}",
                ],
            ],
            [45 * mm, 125 * mm],
        ),
        p(_("Backup before repair"), "head"),
    ]
    backup = content.get("backup") or []
    story.append(
        grid(
            [[_("Item"), _("When"), "SHA-256"]]
            + [
                [
                    b["item"],
                    when(b["at"]) if b.get("at") else "-",
                    b.get("sha256") or b.get("note") or "-",
                ]
                for b in backup
            ]
            or [["-", "-", "-"]],
            [70 * mm, 40 * mm, 60 * mm],
        )
    )
    parts = content.get("parts") or []
    if parts:
        story += [
            p(_("Parts replaced"), "head"),
            grid(
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
            ),
        ]
    stars = int(content.get("satisfaction", 0))
    story += [
        p(_("Customer satisfaction"), "head"),
        p(f"{stars}/5  {content.get('comments', '')}"),
        p(_("Signatures"), "head"),
    ]
    sig_cells = [
        [SignatureFlowable(s, 80 * mm, 30 * mm) for s in signatures],
        [p(f"{s.name} · {_(s.role)} · {s.signed_at}", "small") for s in signatures],
    ]
    if signatures:
        story.append(Table(sig_cells, colWidths=[85 * mm] * len(signatures), style=plain))
    code = verification_code(sha256)
    drawing = QrFlowable(f"fieldkit:slip:{content['slip_id']}:{sha256}", 32 * mm)
    story += [
        p(_("Verification"), "head"),
        Table(
            [
                [
                    drawing,
                    [
                        p(_("Verification code") + f": {code}"),
                        p(f"{_('Slip')}: {content['slip_id']}", "small"),
                        p(f"SHA-256: {sha256}", "small"),
                        p(_("Check with: fieldkit verify SLIP.pdf"), "small"),
                    ],
                ]
            ],
            colWidths=[36 * mm, 134 * mm],
            style=plain,
        ),
    ]
    if content.get("supersedes"):
        story.append(
            p(_("This slip corrects and supersedes slip") + f" {content['supersedes']}", "small")
        )
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{_('Service slip')} {content.get('number', '')}",
        subject=f"fieldkit-slip {content['slip_id']} {sha256}",
        author=company,
        invariant=True,
        # Pages open in the template's font; ours, so no unembedded standard font is used.
        initialFontName=font,
    )
    doc.build(
        story,
        onFirstPage=_footer(font, code),
        onLaterPages=_footer(font, code),
    )
    return out.getvalue()


def _footer(font: str, code: str) -> Callable[[Any, Any], None]:
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 7)
        canvas.drawString(20 * mm, 8 * mm, f"{code}  ·  {doc.page}")
        canvas.restoreState()

    return draw
