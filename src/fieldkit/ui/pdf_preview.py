"""A PDF (quote, slip) previewed as rendered pages, with export to a file the engineer picks
and a hand-over to the device's PDF app, which prints it and shares it (mail, chat, Windows'
share sheet) better than a copy of those features here could."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fieldkit.i18n import _
from fieldkit.ui.drawing_viewer import DrawingViewer
from fieldkit.ui.qt import (
    QDesktopServices,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QUrl,
    QVBoxLayout,
)
from fieldkit.ui.touch import touch_height

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
        self.viewer.view.wheel_scrolls = True  # a document: the wheel reads on, Ctrl+wheel zooms
        self.status = QLabel()
        # The OS's own opener; replaced in tests, which have no desktop to hand files to.
        self.open_external: Callable[[QUrl], bool] = QDesktopServices.openUrl
        # Where to export: the save dialog; answered by tests, which have no one to click it.
        self.choose_target: Callable[[str], Path | None] = self._save_dialog
        self.share_button = QPushButton(_("Print or share…"))
        self.share_button.setToolTip(
            _("Opens the PDF in this device's PDF app, to print or share it")
        )
        self.export_button = QPushButton(_("Export PDF…"))
        self.close_button = QPushButton(_("Close"))
        for button in (self.share_button, self.export_button, self.close_button):
            touch_height(button)
        # Slots that take nothing: clicked(bool) must not land in a parameter.
        self.share_button.clicked.connect(self.print_or_share)
        self.export_button.clicked.connect(self.export)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.share_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.viewer, 1)
        layout.addLayout(buttons)
        self.viewer.open(pdf, title)

    def print_or_share(self) -> Path | None:
        """Hand a copy to the PDF app: the record itself never leaves the store, and the
        copy is named after the document, as the app and a mail attachment will show it."""
        try:
            copy = write_temp_pdf(self._pdf.read_bytes(), Path(self._name).stem)
        except OSError as exc:
            self.status.setText(
                _("Could not write {path}: {error}").format(path=exc.filename, error=exc.strerror)
            )
            return None
        if not self.open_external(QUrl.fromLocalFile(str(copy))):
            self.status.setText(
                _("No app on this device opens PDF files: export the PDF and open it elsewhere.")
            )
            return self.export()  # not a dead end: save it where it can be opened or printed
        self.status.setText(_("Opened in the PDF app"))
        return copy

    def export(self) -> Path | None:
        """Ask where, then copy the PDF there (the record itself stays in the store)."""
        target = self.choose_target(self._name)
        return None if target is None else self.export_to(target)

    def _save_dialog(self, name: str) -> Path | None:
        target, _filter = QFileDialog.getSaveFileName(
            self, _("Export PDF…"), str(Path.home() / name), "PDF (*.pdf)"
        )
        return Path(target) if target else None

    def export_to(self, path: Path) -> Path | None:
        try:
            shutil.copyfile(self._pdf, path)
        except OSError as exc:
            self.status.setText(_("Could not write {path}: {error}").format(path=path, error=exc))
            return None
        self.status.setText(_("Saved to {path}").format(path=path))
        return path
