"""Real site drawings for the demo: multi-page vector PDFs and a large raster floor plan."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A1, landscape
from reportlab.pdfgen.canvas import Canvas

from fieldkit.reports import fonts

A0 = (3370.0, 2384.0)  # points, landscape


def floor_plan_pdf(
    title: str, pages: int, seed: int, size: tuple[float, float] = A0, density: int = 1
) -> bytes:
    """A vector floor plan per page: walls, rooms, cable routes and device symbols.

    ``density`` multiplies routes and devices (a dense real-world sheet for benchmarks)."""
    rng = random.Random(seed)
    buf = io.BytesIO()
    width, height = size
    pdf = Canvas(buf, pagesize=size, invariant=True)  # invariant: same bytes for same seed
    pdf.setTitle(title)
    for page in range(1, pages + 1):
        pdf.setStrokeColorRGB(0.1, 0.1, 0.1)
        pdf.setLineWidth(4)
        pdf.rect(60, 60, width - 120, height - 120)
        pdf.setLineWidth(1.5)
        x = 60.0
        while x < width - 200:
            step = rng.uniform(180, 420)
            pdf.line(x + step, 60, x + step, height - 60)
            x += step
        y = 60.0
        while y < height - 200:
            step = rng.uniform(200, 500)
            pdf.line(60, y + step, width - 60, y + step)
            y += step
        pdf.setStrokeColorRGB(0.85, 0.2, 0.1)  # cable routes
        pdf.setLineWidth(2.5)
        for _ in range(12 * density):
            path = pdf.beginPath()
            px, py = rng.uniform(100, width - 100), rng.uniform(100, height - 100)
            path.moveTo(px, py)
            for _ in range(5):
                px = min(max(100, px + rng.uniform(-400, 400)), width - 100)
                path.lineTo(px, py)
                py = min(max(100, py + rng.uniform(-300, 300)), height - 100)
                path.lineTo(px, py)
            pdf.drawPath(path)
        pdf.setFillColorRGB(0.1, 0.3, 0.8)
        for n in range(60 * density):  # device symbols with tags
            cx, cy = rng.uniform(100, width - 100), rng.uniform(100, height - 100)
            pdf.circle(cx, cy, 9, fill=1)
            pdf.setFont("Helvetica", 10)
            pdf.drawString(cx + 12, cy - 3, f"D{page:02d}-{n:03d}")
        pdf.setFillColorRGB(0, 0, 0)
        pdf.setFont(fonts.register(), 36)  # the title is Chinese and English
        pdf.drawString(90, height - 110, f"{title} - sheet {page}/{pages}")
        pdf.setFont("Helvetica", 14)
        pdf.drawString(90, 80, "Legend: red = cable route, blue = device position")
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def wiring_pdf(title: str, seed: int) -> bytes:
    return floor_plan_pdf(title, pages=2, seed=seed, size=landscape(A1))


def floor_plan_png(seed: int, width: int = 4000, height: int = 3000) -> bytes:
    """A large scanned-style plan: the kind of image a site gives us instead of CAD."""
    rng = random.Random(seed)
    image = Image.new("L", (width, height), 250)
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, width - 20, height - 20), outline=0, width=12)
    for _ in range(40):
        x = rng.randrange(40, width - 40)
        draw.line((x, 20, x, height - 20), fill=40, width=4)
        y = rng.randrange(40, height - 40)
        draw.line((20, y, width - 20, y), fill=40, width=4)
    for _ in range(200):
        cx, cy = rng.randrange(60, width - 60), rng.randrange(60, height - 60)
        draw.ellipse((cx - 10, cy - 10, cx + 10, cy + 10), fill=90)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
