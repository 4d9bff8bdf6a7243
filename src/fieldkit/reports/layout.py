"""What every FieldKit document shares: the embedded font, styles, tables that never fall back
to a standard font, vector signatures and QR codes, translated labels, and the page footer."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from fieldkit.i18n import translator
from fieldkit.reports.fonts import register
from fieldkit.reports.qr import qr_matrix
from fieldkit.reports.signature_paths import Stroke, curves

PEN_MM = 0.45  # nominal pen width on paper
HEADER_BG = colors.HexColor("#eef2f6")
RULE = colors.HexColor("#9aa5b1")
CELL_PADDING = 6  # points, left and right: ReportLab's default


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
        self.modules, self.size = qr_matrix(data), size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        n = len(self.modules)
        cell = self.size / (n + 8)  # four modules of quiet zone on each side
        self.canv.setFillColor(colors.black)
        path = self.canv.beginPath()
        for row, dark in enumerate(self.modules):
            col = 0
            while col < n:  # one rectangle per run of dark modules: a third of the operators
                if not dark[col]:
                    col += 1
                    continue
                start = col
                while col < n and dark[col]:
                    col += 1
                path.rect(
                    (start + 4) * cell, self.size - (row + 5) * cell, (col - start) * cell, cell
                )
        self.canv.drawPath(path, stroke=0, fill=1)


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
        # One path per width step (widths quantised to 0.1 pen): far fewer PDF operators than
        # one path per curve, with no visible difference.
        buckets: dict[int, Any] = {}
        pens: dict[int, tuple[float, float]] = {}  # where each bucket's path currently ends
        for curve in curves(sig.strokes):

            def at(p: tuple[float, float]) -> tuple[float, float]:
                return p[0] * scale, self.height - p[1] * scale  # canvas y grows downwards

            (x0, y0), (cx, cy), (x1, y1) = at(curve.start), at(curve.control), at(curve.end)
            step = round(curve.width * 10)
            path = buckets.get(step)
            if path is None:
                path = buckets[step] = c.beginPath()
            if pens.get(step) != (x0, y0):  # a smooth stroke continues without a moveTo
                path.moveTo(x0, y0)
            pens[step] = (x1, y1)
            # Quadratic to cubic: control points at 2/3 of the way to the quadratic control.
            path.curveTo(
                x0 + 2 / 3 * (cx - x0),
                y0 + 2 / 3 * (cy - y0),
                x1 + 2 / 3 * (cx - x1),
                y1 + 2 / 3 * (cy - y1),
                x1,
                y1,
            )
        for step, path in sorted(buckets.items()):
            c.setLineWidth(PEN_MM * mm * step / 10)
            c.drawPath(path, stroke=1, fill=0)
        c.restoreState()


class Kit:
    """Builds one document in one language."""

    def __init__(self, language: str) -> None:
        self.font = register()
        self._ = translator(language)
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

    def p(self, text: Any, style: str = "body") -> Paragraph:
        return Paragraph(escape(str(text if text is not None else "")), self.styles[style])

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

    @staticmethod
    def when(value: Any) -> str:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return str(value or "-")
        return moment.strftime("%Y-%m-%d %H:%M UTC")

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
