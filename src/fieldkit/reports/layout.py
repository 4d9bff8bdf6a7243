"""What every FieldKit document shares: the embedded font, styles, tables that never fall back
to a standard font, vector signatures and QR codes, translated labels, and the page footer."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from fieldkit.domain.slip_payload import local_time, zone
from fieldkit.i18n import translator
from fieldkit.reports.fonts import register
from fieldkit.reports.qr import qr_matrix
from fieldkit.reports.signature_paths import Stroke, curves

# Page streams as plain Flate: ASCII85 on top only suits 7-bit mail channels, and costs a
# quarter more bytes and an encoding pass. Our PDFs travel as binary files.
rl_config.useA85 = 0

PEN_MM = 0.45  # nominal pen width on paper
HEADER_BG = colors.HexColor("#eef2f6")
RULE = colors.HexColor("#9aa5b1")
CELL_PADDING = 6  # points, left and right: ReportLab's default
ROW_PADDING = 3  # points, top and bottom: ReportLab's default


@dataclass(frozen=True)
class SignatureImage:
    role: str
    name: str
    signed_at: str
    canvas_width: int
    canvas_height: int
    strokes: Sequence[Stroke]


# Coordinates in points to 0.01 pt (3.5 µm on paper): far below what a printer or a zoomed
# viewer can show. One format per operator: formatting numbers one by one was most of the
# time a signature took to draw.
_RUN = "%.2f %.2f %.2f %s re"
_DARK_RUN = re.compile(b"\x01+")
_MOVE = "%.2f %.2f m"
_CURVE = "%.2f %.2f %.2f %.2f %.2f %.2f c"


class QrFlowable(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """QR modules as filled vector squares (ReportLab's graphics renderer would reference an
    unembedded standard font)."""

    def __init__(self, data: str, size: float) -> None:
        super().__init__()
        self.modules, self.size = qr_matrix(data), size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        n = len(self.modules)
        cell = self.size / (n + 8)  # four modules of quiet zone on each side
        ops: list[str] = ["q 0 g"]
        height = f"{cell:.2f}"
        for row, dark in enumerate(self.modules):
            y = self.size - (row + 5) * cell
            # One rectangle per run of dark modules: a third of the operators.
            for run in _DARK_RUN.finditer(bytes(dark)):
                start, end = run.span()
                ops.append(_RUN % ((start + 4) * cell, y, (end - start) * cell, height))
        ops.append("f Q")
        # One literal instead of a path object: a QR code is a few hundred rectangles, and
        # per-rectangle method calls were most of its drawing time.
        self.canv.addLiteral("\n".join(ops))


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
        height = self.height
        # One path per width step (widths quantised to 0.1 pen): far fewer PDF operators than
        # one path per curve, with no visible difference.
        buckets: dict[int, list[str]] = {}
        pens: dict[int, tuple[float, float]] = {}  # where each bucket's path currently ends
        for curve in curves(sig.strokes):
            x0, y0 = curve.start[0] * scale, height - curve.start[1] * scale  # y grows down
            cx, cy = curve.control[0] * scale, height - curve.control[1] * scale
            x1, y1 = curve.end[0] * scale, height - curve.end[1] * scale
            step = round(curve.width * 10)
            ops = buckets.setdefault(step, [])
            if pens.get(step) != (x0, y0):  # a smooth stroke continues without a moveto
                ops.append(_MOVE % (x0, y0))
            pens[step] = (x1, y1)
            # Quadratic to cubic: control points at 2/3 of the way to the quadratic control.
            ops.append(
                _CURVE
                % (
                    x0 + 2 / 3 * (cx - x0),
                    y0 + 2 / 3 * (cy - y0),
                    x1 + 2 / 3 * (cx - x1),
                    y1 + 2 / 3 * (cy - y1),
                    x1,
                    y1,
                )
            )
        out = ["q 0.043 0.122 0.361 RG 1 J 1 j"]  # #0b1f5c ink, round caps and joins
        for step, ops in sorted(buckets.items()):
            out.append(f"{PEN_MM * mm * step / 10:.3f} w")
            out.extend(ops)
            out.append("S")
        out.append("Q")
        # One literal: a signature is hundreds of curves, and ReportLab's path object costs a
        # method call and a number formatting pass per point.
        self.canv.addLiteral("\n".join(out))


class TextLine(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """Text drawn as one string while it fits the width it is given; only text that must wrap
    becomes a Paragraph. Most of a document's texts are one line, and a Paragraph's parsing
    and line breaking cost far more than drawing the string."""

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.text, self.style = text, style
        self.spaceBefore, self.spaceAfter = style.spaceBefore, style.spaceAfter
        self._wrapped: Paragraph | None = None

    def _paragraph(self) -> Paragraph:
        if self._wrapped is None:
            self._wrapped = Paragraph(escape(self.text), self.style)
        return self._wrapped

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        style = self.style
        if (
            self._wrapped is None
            and "\n" not in self.text
            and stringWidth(self.text, style.fontName, style.fontSize) <= avail_width
        ):
            self.width, self.height = avail_width, style.leading
            return self.width, self.height
        size: tuple[float, float] = self._paragraph().wrap(avail_width, avail_height)
        return size

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        if self._wrapped is None:
            return []  # one line: moves to the next frame whole
        parts: list[Flowable] = self._wrapped.split(avail_width, avail_height)
        return parts

    def draw(self) -> None:
        if self._wrapped is not None:
            self._wrapped.drawOn(self.canv, 0, 0)
            return
        style, canvas = self.style, self.canv
        canvas.setFillColor(style.textColor)
        canvas.setFont(style.fontName, style.fontSize)
        baseline = style.leading - style.fontSize  # where a Paragraph puts its first line
        if style.alignment == 2:
            canvas.drawRightString(self.width, baseline, self.text)
        else:
            canvas.drawString(0, baseline, self.text)


class Columns(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """Flowables stacked in side-by-side columns of fixed width, kept together on one page:
    signatures beside each other, the QR code beside its lines. A Table would do the same
    with several times the work of its general cell model."""

    def __init__(self, columns: Sequence[Sequence[Flowable]], widths: Sequence[float]) -> None:
        super().__init__()
        self.columns, self.widths = columns, widths
        self._placed: list[tuple[Flowable, float, float]] = []

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        stacked: list[list[tuple[Flowable, float]]] = []
        for column, width in zip(self.columns, self.widths, strict=True):
            inner = width - 2 * CELL_PADDING
            stacked.append([(f, f.wrap(inner, avail_height)[1]) for f in column])
        self.height = (
            max((sum(h for _, h in column) for column in stacked), default=0.0) + 2 * ROW_PADDING
        )
        self.width = sum(self.widths)
        self._placed = []
        x = 0.0
        for column, width in zip(stacked, self.widths, strict=True):
            y = self.height - ROW_PADDING
            for flowable, height in column:
                y -= height
                self._placed.append((flowable, x + CELL_PADDING, y))
            x += width
        return self.width, self.height

    def draw(self) -> None:
        for flowable, x, y in self._placed:
            flowable.drawOn(self.canv, x, y)


class Kit:
    """Builds one document in one language, every time in one (the site's) time zone."""

    def __init__(self, language: str, timezone: str | None = None) -> None:
        self.font = register()
        self._ = translator(language)
        self.zone = zone(timezone)
        base = ParagraphStyle(
            "body", fontName=self.font, fontSize=9.5, leading=13, wordWrap="CJK"
        )  # CJK: long Chinese text wraps inside cells
        self.styles = {
            "body": base,
            "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10),
            "right": ParagraphStyle("right", parent=base, alignment=2),
            "title": ParagraphStyle("title", parent=base, fontSize=16, leading=20),
            "head": ParagraphStyle("head", parent=base, fontSize=11, leading=15, spaceBefore=6),
        }
        # Tables set their cell font even for flowable cells: always ours. Plain-string cells
        # (see ``cells``) look exactly like the Paragraph cells beside them.
        self._text_commands: list[tuple[Any, ...]] = [
            ("FONTNAME", (0, 0), (-1, -1), self.font),
            ("FONTSIZE", (0, 0), (-1, -1), base.fontSize),
            ("LEADING", (0, 0), (-1, -1), base.leading),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ]
        self.plain = TableStyle(self._text_commands)

    def p(self, text: Any, style: str = "body") -> Flowable:
        return TextLine(str(text if text is not None else ""), self.styles[style])

    def cells(self, rows: list[list[Any]], widths: Sequence[float]) -> list[list[Any]]:
        """Text that fits its column on one line stays a plain string, drawn directly by the
        table; only text that must wrap becomes a Paragraph. Paragraphs cost most of a
        document's render time, and most cells are short."""
        body = self.styles["body"]

        def cell(value: Any, width: float) -> Any:
            if isinstance(value, Flowable | list):
                return value
            text = str(value if value is not None else "")
            fits = "\n" not in text and (
                stringWidth(text, self.font, body.fontSize) <= width - 2 * CELL_PADDING
            )
            return text if fits else self.p(text)

        return [[cell(c, w) for c, w in zip(r, widths, strict=True)] for r in rows]

    def grid(
        self,
        rows: list[list[Any]],
        widths: list[float],
        *,
        header: bool = False,
        first_column: bool = True,
    ) -> Table:
        """A ruled table; with ``header`` the first row repeats on every page."""
        table = Table(self.cells(rows, widths), colWidths=widths, repeatRows=1 if header else 0)
        style = [
            *self._text_commands,
            ("GRID", (0, 0), (-1, -1), 0.4, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_BG))
        if first_column:
            style.append(("BACKGROUND", (0, 0), (0, -1), HEADER_BG))
        table.setStyle(TableStyle(style))
        return table

    def label(self, table: dict[Any, str], value: Any) -> str:
        return self._(table[value]) if value in table else str(value or "-")

    def when(self, value: Any) -> str:
        """A moment in the document's zone with its offset: "2026-11-20 17:30 +08:00"."""
        return local_time(value, self.zone.key)

    def zone_line(self) -> str:
        """The zone the document's times are in, e.g. "Asia/Shanghai (UTC+08:00)"."""
        offset = datetime.now(UTC).astimezone(self.zone).strftime("%z")
        return f"{self.zone.key} (UTC{offset[:3]}:{offset[3:]})"

    def build(
        self, story: list[Flowable], *, title: str, subject: str, author: str, footer: str
    ) -> bytes:
        out = io.BytesIO()
        doc = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=20 * mm,
            rightMargin=20 * mm,
            topMargin=15 * mm,
            bottomMargin=15 * mm,
            title=title,
            subject=subject,
            author=author,
            invariant=True,
            # Pages open in the template's font: ours, never a standard one.
            initialFontName=self.font,
        )
        draw = _footer(self.font, footer)
        doc.build(story, onFirstPage=draw, onLaterPages=draw)
        return out.getvalue()


def _footer(font: str, text: str) -> Callable[[Any, Any], None]:
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 7)
        canvas.drawString(20 * mm, 8 * mm, f"{text}  ·  {doc.page}")
        canvas.restoreState()

    return draw
