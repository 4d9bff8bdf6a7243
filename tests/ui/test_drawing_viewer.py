"""The drawing viewer: tiles rendered off the UI thread, zoom to point, thumbnails, and bad
files shown as a message instead of a crash."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.demo.drawings import floor_plan_pdf
from fieldkit.rendering import pdf_tiles
from fieldkit.ui.drawing_viewer import DrawingViewer
from fieldkit.ui.qt import QPointF


@pytest.fixture(scope="module")
def a0(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("drawings") / "a0.pdf"
    path.write_bytes(floor_plan_pdf("A0 plan", 3, seed=11))
    return path


def opened_viewer(qtbot: QtBot, path: Path) -> DrawingViewer:
    viewer = DrawingViewer()
    qtbot.addWidget(viewer)
    viewer.resize(1100, 700)
    with qtbot.waitSignal(viewer.view.idle, timeout=20000):
        viewer.open(path, "A0 plan")
    return viewer


def test_pages_render_on_the_render_thread_only(
    qtbot: QtBot, a0: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: set[int] = set()
    original = pdf_tiles.PdfTiles.render

    def spy(self: pdf_tiles.PdfTiles, *args: object) -> pdf_tiles.Tile:
        threads.add(threading.get_ident())
        return original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(pdf_tiles.PdfTiles, "render", spy)
    viewer = opened_viewer(qtbot, a0)
    assert viewer.view.pending() == 0
    assert threads and threading.get_ident() not in threads  # never the UI thread
    assert len(threads) == 1  # pdfium is not thread-safe: one thread owns it
    image = viewer.view.grab().toImage()
    ink = sum(
        image.pixelColor(x, y).lightness() < 150
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
    )
    assert ink > 300  # walls and cable routes are drawn


def test_zoom_keeps_the_point_under_the_finger(qtbot: QtBot, a0: Path) -> None:
    view = opened_viewer(qtbot, a0).view
    point = QPointF(300, 200)

    def page_point() -> tuple[float, float]:
        return (
            (view.origin.x() + point.x()) / view.zoom,
            (view.origin.y() + point.y()) / view.zoom,
        )

    before = page_point()
    level = view.level
    with qtbot.waitSignal(view.idle, timeout=20000):
        view.zoom_at(3.0, point)
    after = page_point()
    assert view.level > level  # sharper tiles were rendered for the new zoom
    assert abs(before[0] - after[0]) < 0.01 and abs(before[1] - after[1]) < 0.01
    view.fit()
    assert view.zoom == pytest.approx(view.fit_zoom())


def test_multi_page_drawings_get_thumbnails_and_page_switching(qtbot: QtBot, a0: Path) -> None:
    viewer = opened_viewer(qtbot, a0)
    assert viewer.pages.count() == 3
    qtbot.waitUntil(
        lambda: all(not viewer.pages.item(i).icon().isNull() for i in range(3)), timeout=20000
    )
    with qtbot.waitSignal(viewer.view.idle, timeout=20000):
        viewer.pages.setCurrentRow(2)
    assert viewer.view.page == 2


def test_a_damaged_drawing_shows_what_happened(qtbot: QtBot, a0: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(a0.read_bytes()[:300])
    viewer = DrawingViewer()
    qtbot.addWidget(viewer)
    with qtbot.waitSignal(viewer.view.failed, timeout=20000) as failed:
        viewer.open(broken)
    assert "broken.pdf" in failed.args[0]
    assert viewer.view.message == failed.args[0]
    # The viewer still works for the next drawing.
    with qtbot.waitSignal(viewer.view.idle, timeout=20000):
        viewer.open(a0)
    assert viewer.view.message == ""
