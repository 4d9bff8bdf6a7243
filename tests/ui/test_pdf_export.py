"""Export PDF, pressed as the engineer presses it, writes the document where they chose."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pytestqt.qtbot import QtBot

from fieldkit.domain.enums import SignerRole
from fieldkit.services import slips
from fieldkit.services.context import ServiceContext
from fieldkit.ui.pdf_preview import PdfPreviewDialog
from fieldkit.ui.qt import Qt
from tests.services.fixtures import seed_job, signature
from tests.ui.test_job_workspace import open_job
from tests.ui.test_quote_builder import quote_tab


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def export_by_click(qtbot: QtBot, preview: PdfPreviewDialog, target: Path) -> None:
    asked: list[str] = []
    preview.choose_target = lambda name: asked.append(name) or target
    qtbot.mouseClick(preview.export_button, Qt.MouseButton.LeftButton)
    assert asked and asked[0].endswith(".pdf")  # the dialog was asked, with a file name
    assert target.is_file(), preview.status.text()
    assert preview.status.text() == f"Saved to {target}"


def test_export_on_the_signed_slip_viewer_writes_the_slip(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path
) -> None:
    seed_job(ctx, status="resolved")
    slips.sign_slip(ctx, "j1", signature(), signature(SignerRole.ENGINEER, "王工"), satisfaction=5)
    jobs_window = open_job(qtbot, ctx)
    ws = jobs_window.workspace
    ws.present = lambda _dialog: None  # offscreen: no window manager to show it on
    qtbot.mouseClick(ws.slip_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ws.preview is not None, timeout=20000)
    preview = ws.preview
    assert preview is not None
    qtbot.addWidget(preview)

    # Cancelling the save dialog writes nothing and says nothing went wrong.
    preview.choose_target = lambda _name: None
    qtbot.mouseClick(preview.export_button, Qt.MouseButton.LeftButton)
    assert preview.status.text() == "" and not list(tmp_path.glob("*.pdf"))

    target = tmp_path / "slip.pdf"
    export_by_click(qtbot, preview, target)
    assert target.read_bytes().startswith(b"%PDF")
    assert "SO-j1" in pdf_text(target) and "李经理" in pdf_text(target)


def test_export_on_the_quote_preview_writes_the_quote(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path
) -> None:
    seed_job(ctx, paid=True, status="repairing")
    builder = quote_tab(qtbot, ctx).quote
    builder.present = lambda _dialog: None
    qtbot.mouseClick(builder.new_quote, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(builder.part_search, "PSU")
    qtbot.mouseClick(builder.add_part, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(builder.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: builder.preview is not None, timeout=20000)
    preview = builder.preview
    assert preview is not None
    qtbot.addWidget(preview)
    target = tmp_path / "quote.pdf"
    export_by_click(qtbot, preview, target)
    text = pdf_text(target)
    assert "PSU-24V" in text and "286.00" in text
