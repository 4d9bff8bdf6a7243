"""A drawing locked with a password says so, and what to do, instead of "damaged"."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from reportlab.lib import pdfencrypt
from reportlab.pdfgen import canvas

from fieldkit.rendering.drawing import DrawingError, open_drawing
from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import Qt
from tests.services.fixtures import seed_job

PROTECTED = "This drawing is protected by a password: ask the office for an unprotected copy."


def encrypted_pdf(path: Path) -> Path:
    """A real PDF that needs a password to open (RC4/AES standard security handler)."""
    lock = pdfencrypt.StandardEncryption("site-secret", ownerPassword="office", canPrint=1)
    pdf = canvas.Canvas(str(path), encrypt=lock)
    pdf.drawString(72, 720, "Floor plan 3F")
    pdf.save()
    return path


def test_opening_a_password_protected_pdf_names_the_password(tmp_path: Path) -> None:
    with pytest.raises(DrawingError) as raised:
        open_drawing(encrypted_pdf(tmp_path / "plan.pdf"))
    assert str(raised.value) == PROTECTED
    # A damaged file is still called damaged.
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\0" * 400)
    with pytest.raises(DrawingError, match="damaged or not a PDF"):
        open_drawing(broken)


def test_the_dossier_shows_that_a_drawing_is_protected(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path
) -> None:
    seed_job(ctx)
    data = encrypted_pdf(tmp_path / "plan.pdf").read_bytes()
    sha = ctx.blobs.put_file(tmp_path / "plan.pdf")
    assert sha == hashlib.sha256(data).hexdigest()
    with ctx.db.write() as s:
        s.add(
            m.Document(
                site_id="s1",
                kind="drawing",
                title="3F 平面图 Floor plan",
                blob_sha256=sha,
                mime="application/pdf",
                size_bytes=len(data),
                page_count=1,
            )
        )
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    row = window.table.visualRect(window.model.index(0, 1))
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=row.center())
    panel = window.dossier
    bar = window.tabs.tabBar()
    tab = bar.tabRect(window.tabs.indexOf(panel))
    with qtbot.waitSignal(panel.viewer.view.failed, timeout=20000) as failed:
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=tab.center())  # opens the drawing
    assert failed.args[0] == PROTECTED
    assert panel.viewer.view.message == PROTECTED
    # Tapping the document again says the same, never "damaged".
    item = panel.documents.item(0)
    rect = panel.documents.visualItemRect(item)
    with qtbot.waitSignal(panel.viewer.view.failed, timeout=20000) as again:
        qtbot.mouseClick(panel.documents.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert again.args[0] == PROTECTED
