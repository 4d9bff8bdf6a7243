"""The PDF preview reads like a document: the mouse wheel scrolls down the page and on to
the next (the thumbnail strip follows), only Ctrl+wheel zooms. Real wheel events on the
view, a real two-page PDF rendered by the app's renderer."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QPageSize, QPdfWriter
from pytestqt.qtbot import QtBot

from fieldkit.ui.pdf_preview import PdfPreviewDialog
from fieldkit.ui.qt import QApplication, QPainter, QPoint, QPointF, Qt, QWheelEvent

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
NOTCH = 120


def two_pages(path: Path) -> Path:
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    painter = QPainter(writer)
    painter.drawText(200, 400, "Service slip, page 1")
    writer.newPage()
    painter.drawText(200, 400, "Service slip, page 2")
    painter.end()
    return path


def wheel(widget: object, notches: int, ctrl: bool = False) -> None:
    """One real wheel event (``notches`` > 0: away from the user, up the page)."""
    from fieldkit.ui.qt import QWidget

    assert isinstance(widget, QWidget)
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    modifiers = Qt.KeyboardModifier.ControlModifier if ctrl else Qt.KeyboardModifier.NoModifier
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, notches * NOTCH),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_and_ctrl_wheel_zooms(qtbot: QtBot, tmp_path: Path) -> None:
    preview = PdfPreviewDialog(two_pages(tmp_path / "slip.pdf"), "Slip", "slip.pdf")
    qtbot.addWidget(preview)
    preview.resize(900, 700)
    preview.show()
    view = preview.viewer.view
    qtbot.waitUntil(lambda: len(view.pages) == 2, timeout=20_000)
    qtbot.wait(50)
    fitted = view.zoom
    wheel(view, -4)  # four notches down on a whole page: on to the next, not zoomed
    assert view.zoom == fitted
    assert view.page == 1 and preview.viewer.pages.currentRow() == 1
    wheel(view, 1)  # back up: the previous page
    assert view.page == 0 and view.zoom == fitted

    wheel(view, 2, ctrl=True)  # Ctrl+wheel zooms in, about the pointer
    zoomed = view.zoom
    assert zoomed == pytest.approx(fitted * 1.25**2)
    top = view.origin.y()
    wheel(view, -1)  # one notch down the zoomed page: it scrolls, the zoom stays
    assert view.zoom == zoomed and view.page == 0
    assert view.origin.y() == pytest.approx(top + NOTCH)
    wheel(view, 1)
    assert view.origin.y() == pytest.approx(top)
    for _ in range(40):  # on down the page to its end, then to the next page's top
        wheel(view, -1)
        if view.page == 1:
            break
    assert view.page == 1 and view.zoom == zoomed
    assert view.origin.y() == pytest.approx(0.0)
    wheel(view, -1, ctrl=True)
    assert view.zoom == pytest.approx(zoomed / 1.25)
