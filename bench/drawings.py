"""Drawing viewer: first visible tile and one zoom step on a generated dense A0 PDF,
through the real viewer (render thread, tiles, Qt event loop), next to the same viewer on a
minimal one-page A4 PDF measured in the same run.

Goals: first tile under 300 ms, zoom step under 100 ms.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from fieldkit.demo.drawings import floor_plan_pdf

FIRST_TILE_GOAL_MS = 300.0
ZOOM_STEP_GOAL_MS = 100.0


def _minimal_pdf(path: Path) -> None:
    canvas = Canvas(str(path), pagesize=A4)
    canvas.drawString(72, 770, "A4")
    canvas.showPage()
    canvas.save()


def _measure(path: Path, runs: int) -> tuple[list[float], list[float]]:
    from fieldkit.ui.drawing_viewer import DrawingViewer
    from fieldkit.ui.qt import QApplication, QEvent, QPointF

    app = QApplication.instance() or QApplication([])
    first: list[float] = []
    zoom: list[float] = []
    for _ in range(runs):
        viewer = DrawingViewer()
        viewer.resize(1280, 800)
        marks: dict[str, float] = {}
        view = viewer.view
        view.tile_shown.connect(lambda m=marks: m.setdefault("tile", time.perf_counter()))
        view.idle.connect(lambda m=marks: m.__setitem__("idle", time.perf_counter()))
        start = time.perf_counter()
        viewer.open(path)
        while "idle" not in marks:
            app.processEvents()
        first.append(marks["tile"] - start)
        marks.pop("idle")
        start = time.perf_counter()
        view.zoom_at(1.5, QPointF(640, 400))  # one step to a sharper tile level
        while "idle" not in marks:
            app.processEvents()
        zoom.append(marks["idle"] - start)
        viewer.close()
        viewer.deleteLater()
        # processEvents() leaves deferred deletes alone: without this pass no viewer is
        # destroyed, and every run's document stays open on the render thread.
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
    return first, zoom


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def run(quick: bool = False) -> bool:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    runs = 5 if quick else 20
    with tempfile.TemporaryDirectory() as tmp:
        a0 = Path(tmp) / "a0.pdf"
        # Dense sheets: 1,200 tagged devices and 240 cable routes over the walls, per sheet.
        a0.write_bytes(floor_plan_pdf("A0 bench", 4, seed=42, density=20))
        a4 = Path(tmp) / "a4.pdf"
        _minimal_pdf(a4)
        _measure(a4, 1)  # warm-up: imports, fonts, the render thread
        base_first, base_zoom = _measure(a4, runs)
        first, zoom = _measure(a0, runs)
        size = a0.stat().st_size >> 10
    ms = 1000.0
    f50, z50 = statistics.median(first) * ms, statistics.median(zoom) * ms
    f95, z95 = _p95(first) * ms, _p95(zoom) * ms
    b_f, b_z = statistics.median(base_first) * ms, statistics.median(base_zoom) * ms
    print(f"drawings bench ({runs} runs, 1280x800 view, dense A0 PDF, 4 sheets, {size} KB):")
    print(
        f"  first visible tile: median {f50:.0f} ms, p95 {f95:.0f} ms "
        f"(minimal A4: {b_f:.0f} ms, {f50 / b_f:.1f}x); goal < {FIRST_TILE_GOAL_MS:.0f} ms"
    )
    print(
        f"  zoom step (all visible tiles sharp): median {z50:.0f} ms, p95 {z95:.0f} ms "
        f"(minimal A4: {b_z:.0f} ms, {z50 / b_z:.1f}x); goal < {ZOOM_STEP_GOAL_MS:.0f} ms"
    )
    ok = f95 < FIRST_TILE_GOAL_MS and z95 < ZOOM_STEP_GOAL_MS
    print(f"  {'MET' if ok else 'NOT MET'} (judged on p95)")
    return ok
