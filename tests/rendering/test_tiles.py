"""Tiles from pdfium and Pillow: seamless, bounded, and clear errors for bad files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from fieldkit.demo.drawings import floor_plan_pdf, floor_plan_png
from fieldkit.rendering.drawing import DrawingError, open_drawing
from fieldkit.rendering.tiles import TILE, Tile


def as_image(tile: Tile) -> Image.Image:
    return Image.frombuffer(
        "RGBX", (tile.width, tile.height), tile.pixels, "raw", "BGRX", tile.stride, 1
    ).convert("L")


@pytest.fixture(scope="module")
def a0(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("drawings") / "a0.pdf"
    path.write_bytes(floor_plan_pdf("A0", 2, seed=3))
    return path


@pytest.mark.parametrize("kind", ["pdf", "png"])
def test_tiles_assemble_into_the_whole_page(a0: Path, tmp_path: Path, kind: str) -> None:
    if kind == "png":
        path = tmp_path / "plan.png"
        path.write_bytes(floor_plan_png(5, width=2400, height=1800))
    else:
        path = a0
    drawing = open_drawing(path)
    try:
        scale = 1400 / max(drawing.pages[0].width, drawing.pages[0].height)
        whole = as_image(drawing.render(0, scale, 0, 0, 10**6, 10**6))
        mosaic = Image.new("L", whole.size, 255)
        for y in range(0, whole.height, TILE):
            for x in range(0, whole.width, TILE):
                tile = drawing.render(0, scale, x, y, TILE, TILE)
                assert tile.width <= TILE and tile.height <= TILE  # memory stays bounded
                mosaic.paste(as_image(tile), (x, y))
    finally:
        drawing.close()
    a, b = whole.tobytes(), mosaic.tobytes()
    diff = [abs(x - y) for x, y in zip(a, b, strict=True)]
    assert min(a) < 100  # the page has ink, so the comparison means something
    # Anti-aliasing at tile edges may differ by a few levels; content may not.
    assert sum(d > 64 for d in diff) < 0.002 * len(diff)


def test_a_pdf_with_the_wrong_extension_still_opens(a0: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "drawing.png"
    renamed.write_bytes(a0.read_bytes())
    drawing = open_drawing(renamed)
    assert len(drawing.pages) == 2
    drawing.close()


def bomb(tmp_path: Path) -> Path:
    """A PNG of a few KB that decodes to 40000 x 40000 pixels (1.6 GB as grey, 6.4 GB RGBA)."""
    buf = io.BytesIO()
    Image.new("1", (40000, 40000)).save(buf, "PNG")
    path = tmp_path / "bomb.png"
    path.write_bytes(buf.getvalue())
    return path


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: p.write_bytes(b"%PDF-1.7\n1 0 obj\n<<"), "damaged"),
        (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 200), "damaged"),
        (lambda p: p.write_text("<html>not a drawing</html>"), "damaged"),
        (lambda p: p.write_bytes(b"\xff\xfe\x00invalid utf-8 \xc3\x28"), "damaged"),
    ],
    ids=["zero-bytes", "truncated-pdf", "truncated-png", "html", "garbage"],
)
def test_bad_files_give_a_clear_error(tmp_path: Path, make: object, expected: str) -> None:
    path = tmp_path / "bad.pdf"
    make(path)  # type: ignore[operator]
    with pytest.raises(DrawingError) as raised:
        open_drawing(path)
    assert expected in str(raised.value)
    assert "bad.pdf" in str(raised.value)  # the engineer sees which file


def test_truncated_real_pdf_is_refused_or_renders_without_crashing(
    a0: Path, tmp_path: Path
) -> None:
    data = a0.read_bytes()
    for cut in (len(data) // 3, len(data) // 2, len(data) - 100):
        path = tmp_path / f"cut-{cut}.pdf"
        path.write_bytes(data[:cut])
        try:
            drawing = open_drawing(path)
        except DrawingError as exc:
            assert "damaged" in str(exc)
            continue
        try:  # pdfium may recover a damaged cross-reference table: then it must still draw
            drawing.render(0, 0.2, 0, 0, TILE, TILE)
        except DrawingError as exc:
            assert "could not be drawn" in str(exc)
        finally:
            drawing.close()


def test_decompression_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    path = bomb(tmp_path)
    assert path.stat().st_size < 1 << 20
    with pytest.raises(DrawingError, match="too large to show"):
        open_drawing(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DrawingError, match="missing"):
        open_drawing(tmp_path / "nowhere.pdf")
