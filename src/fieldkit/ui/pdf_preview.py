"""A PDF (quote, slip) previewed as rendered pages, with export to a file the engineer picks."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from pathlib import Path

from fieldkit.i18n import _
from fieldkit.ui.drawing_viewer import DrawingViewer
from fieldkit.ui.qt import QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

PREVIEW_MAX_AGE_S = 3600


def write_temp_pdf(pdf: bytes, stem: str, folder: Path | None = None) -> Path:
    """A preview that is not a record (an unsigned slip) lives in a temporary file only.

    Previews carry customer data, so older ones are swept on each new one. They are not
    removed when closed: the render thread may still hold the file open, which Windows
    does not allow deleting."""
    folder = folder or Path(tempfile.gettempdir()) / "fieldkit-previews"
    folder.mkdir(exist_ok=True)
    cutoff = time.time() - PREVIEW_MAX_AGE_S
    for old in folder.glob("*.pdf"):
        with contextlib.suppress(OSError):  # still open, or already gone
            if old.stat().st_mtime < cutoff:
                old.unlink()
    with tempfile.NamedTemporaryFile(
        prefix=f"{stem}-", suffix=".pdf", dir=folder, delete=False
    ) as fh:
        fh.write(pdf)
        return Path(fh.name)


class PdfPreviewDialog(QDialog):
    def __init__(self, pdf: Path, title: str, suggested_name: str) -> None:
        super().__init__()
        self.setWindowTitle(title)
        self.resize(1100, 760)
        self._pdf, self._name = pdf, suggested_name
        self.viewer = DrawingViewer()
        self.status = QLabel()
        export = QPushButton(_("Export PDF…"))
        close = QPushButton(_("Close"))
        for button in (export, close):
            button.setMinimumHeight(48)
        export.clicked.connect(self.export)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(export)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.viewer, 1)
        layout.addLayout(buttons)
        self.viewer.open(pdf, title)

    def export(self, target: str | None = None) -> Path | None:
        if target is None:
            target, _filter = QFileDialog.getSaveFileName(
                self, _("Export PDF…"), str(Path.home() / self._name), "PDF (*.pdf)"
            )
        if not target:
            return None
        path = Path(target)
        try:
            shutil.copyfile(self._pdf, path)
        except OSError as exc:
            self.status.setText(_("Could not write {path}: {error}").format(path=path, error=exc))
            return None
        self.status.setText(_("Saved to {path}").format(path=path))
        return path
