"""Slip generation time next to a minimal one-page ReportLab document built in the same run.

Goal: a typical slip within 5x of the baseline. Both use the same embedded TrueType font,
so the ratio measures our layout, not font subsetting alone.
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from fieldkit.reports.fonts import register
from fieldkit.reports.samples import quote_sample, slip_sample

GOAL = 5.0


def minimal_page() -> bytes:
    font = register()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, initialFontName=font)
    canvas.setFont(font, 12)
    canvas.drawString(72, 770, "服务单 Service slip SO-202611-000137")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def timed(fn: Callable[[], bytes], runs: int) -> float:
    fn()  # warm-up: font parsing and imports are not what we compare
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def run(quick: bool = False) -> bool:
    runs = 5 if quick else 30
    baseline = timed(minimal_page, runs)
    slip = timed(slip_sample, runs)
    quote = timed(lambda: quote_sample(200), max(3, runs // 5))
    ratio = slip / baseline
    print(
        f"reports bench (median of {runs}): minimal one-page PDF {baseline * 1000:.1f} ms; "
        f"slip {slip * 1000:.1f} ms = {ratio:.1f}x (goal <= {GOAL}x); "
        f"200-line quote {quote * 1000:.0f} ms"
    )
    ok = ratio <= GOAL
    print(f"  {'MET' if ok else 'NOT MET'}")
    return ok
