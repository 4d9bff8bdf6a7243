"""Diagnosis and the backup checklist: the evidence that unlocks the repair step."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from fieldkit.domain.enums import CauseArea, CauseOrigin, EvidenceKind
from fieldkit.i18n import _
from fieldkit.labels import CAUSE, size_label
from fieldkit.services import checklists, jobs
from fieldkit.services.checklists import EvidenceShown
from fieldkit.services.context import ServiceContext
from fieldkit.ui import camera
from fieldkit.ui.background import Background
from fieldkit.ui.errors import show_error
from fieldkit.ui.qt import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

if TYPE_CHECKING:
    from fieldkit.ui.camera_dialog import CameraDialog

ChooseFile = Callable[[str, EvidenceKind], Path | None]
PHOTO_FILTER = "*.jpg *.jpeg *.png *.heic *.heif *.webp *.bmp"


def evidence_line(shown: EvidenceShown) -> str:
    """'config.tar · 2.0 MB · SHA-256 9f2c9f2c9f2c… · 11-20 08:05', or the note as typed."""
    when = shown.at.astimezone().strftime("%m-%d %H:%M")
    if shown.sha256 is None:
        return f"“{shown.text}” · {when}" if shown.text else when
    parts = [shown.filename or _("file")]
    if shown.size_bytes is not None:
        parts.append(size_label(shown.size_bytes))
    parts += [f"SHA-256 {shown.sha256[:16]}…", when]
    return " · ".join(parts)


class BackupPanel(QWidget):
    changed = Signal(str)

    def __init__(self, ctx: ServiceContext, choose_file: ChooseFile | None = None) -> None:
        super().__init__()
        self._ctx = ctx
        self._choose = choose_file or self._file_dialog
        # Asked when a photo item is shown, not at start: it loads QtMultimedia.
        self.cameras_present: Callable[[], bool] = lambda: camera.camera_count() > 0
        self.present_camera: Callable[[CameraDialog], int] = lambda dialog: dialog.exec()
        self._camera_watch: camera.CameraWatch | None = None
        # A backup file can be gigabytes: it is hashed into the store off the UI thread.
        self.background = Background()
        self.busy = False
        self.job_id: str | None = None
        self.area = QComboBox()
        for area in CauseArea:
            self.area.addItem(_(CAUSE[area.value]), area.value)
        self.origin = QComboBox()
        for origin in CauseOrigin:
            self.origin.addItem(_(CAUSE[origin.value]), origin.value)
        self.found = QLineEdit()
        self.found.setPlaceholderText(_("Fault as found"))
        self.classify = QPushButton(_("Save diagnosis"))
        self.classify.setMinimumHeight(44)
        self.classify.clicked.connect(self._classify)
        row = QHBoxLayout()
        for widget in (self.area, self.origin, self.found, self.classify):
            row.addWidget(widget)
        self.progress = QLabel()
        self.items = QVBoxLayout()
        self.working = QLabel()
        self.working.setWordWrap(True)
        self.working.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #8a1c1c;")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Diagnosis")))
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addLayout(self.items)
        layout.addWidget(self.working)
        layout.addWidget(self.message)

    def show_job(self, job_id: str) -> None:
        self.job_id = job_id
        while self.items.count():
            old = self.items.takeAt(0)
            widget = old.widget() if old is not None else None
            if widget is not None:
                # Hidden and detached now, deleted later: a stale button never shows.
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        view = checklists.backup_checklist(self._ctx, job_id)
        if view is None:
            self.progress.setText(_("No backup checklist for this job"))
            return
        self.progress.setText(
            _("Backup before repair")
            + ": "
            + _("{done} of {total} done").format(done=view.progress.done, total=view.progress.total)
        )
        missing = set(view.progress.missing)
        for item in view.items:
            row = self._item_row(item.id, item.label, item.evidence_kind, item.label not in missing)
            shown = view.evidence.get(item.id)
            if shown is not None and item.evidence_kind is not EvidenceKind.TICK:
                detail = QLabel(evidence_line(shown))
                detail.setObjectName("evidence")
                detail.setWordWrap(True)
                detail.setStyleSheet("font-size: 9pt; padding-left: 24px;")  # legible in sun
                # Selectable: a hash or a version number can be copied into a report.
                detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                layout = row.layout()
                assert isinstance(layout, QVBoxLayout)
                layout.addWidget(detail)
            self.items.addWidget(row)

    def _item_row(self, item_id: str, label: str, kind: EvidenceKind, done: bool) -> QWidget:
        box = QWidget()
        lines = QVBoxLayout(box)  # the controls, then what was recorded (see show_job)
        lines.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        lines.addLayout(row)
        mark = QLabel("✓" if done else "○")
        row.addWidget(mark)
        if kind is EvidenceKind.TICK:
            check = QCheckBox(label)
            check.setChecked(done)
            check.setEnabled(not done)
            check.setMinimumHeight(40)
            check.toggled.connect(lambda on, i=item_id: on and self._record(i, ticked=True))
            row.addWidget(check, 1)
        else:
            # Wraps, so a long bilingual label never pushes the buttons out of a narrow pane.
            text = QLabel(label)
            text.setWordWrap(True)
            row.addWidget(text, 1)
            if kind is EvidenceKind.TEXT:
                note = QLineEdit()
                note.setPlaceholderText(_("Note"))
                row.addWidget(note)
                save = QPushButton(_("Save"))
                save.clicked.connect(
                    lambda _=False, i=item_id, n=note: self._record(i, text=n.text())
                )
                row.addWidget(save)
            else:
                if kind is EvidenceKind.PHOTO and self._has_camera():
                    shoot = QPushButton(_("Take photo…"))
                    shoot.setObjectName("camera")
                    shoot.setMinimumHeight(40)
                    shoot.setEnabled(not self.busy)
                    shoot.clicked.connect(
                        lambda _=False, i=item_id, t=label: self._take_photo(i, t)
                    )
                    row.addWidget(shoot)
                attach = QPushButton(
                    _("Attach photo…") if kind is EvidenceKind.PHOTO else _("Attach backup file…")
                )
                attach.setObjectName("attach")
                attach.setMinimumHeight(40)
                attach.setEnabled(not self.busy)
                attach.clicked.connect(
                    lambda _=False, i=item_id, t=label, k=kind: self._attach(i, t, k)
                )
                row.addWidget(attach)
        box.setProperty("item_id", item_id)
        box.setProperty("done", done)
        box.setProperty("kind", kind.value)
        return box

    def _attach(self, item_id: str, title: str, kind: EvidenceKind) -> None:
        path = self._choose(title, kind)
        if path is not None:
            self._record_file(item_id, path)

    def _has_camera(self) -> bool:
        if self._camera_watch is None:
            # A camera plugged in or removed while the job is open adds or drops the button.
            self._camera_watch = camera.CameraWatch(self._cameras_changed)
        return self.cameras_present()

    def _cameras_changed(self) -> None:
        if self.job_id is not None:
            self.show_job(self.job_id)

    def _take_photo(self, item_id: str, title: str) -> None:
        from fieldkit.ui.camera_dialog import CameraDialog

        dialog = CameraDialog(title, self)
        try:
            if self.present_camera(dialog) != QDialog.DialogCode.Accepted or dialog.photo.isNull():
                return
            # The blob store copies the file; the temporary one goes with its folder, once
            # the copy is done.
            folder = tempfile.TemporaryDirectory(prefix="fieldkit-photo-")
            stamp = self._ctx.clock.now().astimezone().strftime("%Y%m%d-%H%M%S")
            path = Path(folder.name) / f"photo-{stamp}.jpg"
            if not dialog.photo.save(str(path), quality=90):
                folder.cleanup()
                self.message.setText(
                    _("The photo could not be saved: the device may be out of space.")
                )
                return
            self._record_file(item_id, path, then=folder.cleanup)
        finally:
            dialog.deleteLater()

    def _record_file(
        self, item_id: str, path: Path, then: Callable[[], None] | None = None
    ) -> None:
        try:
            size = size_label(path.stat().st_size)
        except OSError as exc:
            self.message.setText(
                _("Could not read {name}: {error}").format(name=path.name, error=exc.strerror)
            )
            return
        self._set_busy(True)
        self.message.clear()
        self.working.setText(_("Attaching {name} ({size})…").format(name=path.name, size=size))

        def finished(_result: object) -> None:
            self._set_busy(False)
            if then is not None:
                then()
            self._refresh()

        def failed(exc: Exception) -> None:
            self._set_busy(False)
            if then is not None:
                then()
            # A full disk, a refused rule, a fault: nothing was attached, and it says which.
            name = path.name.replace("{", "{{").replace("}", "}}")
            context = _("{name} was not attached: {error}").replace("{name}", name)
            show_error(exc, self.message, context=context)
            self._refresh()

        self.background.run(
            lambda: checklists.record_evidence(self._ctx, item_id, file=path), finished, failed
        )

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.working.setVisible(busy)
        for button in self.findChildren(QPushButton):
            if button.objectName() in ("attach", "camera"):
                button.setEnabled(not busy)

    def _record(
        self, item_id: str, *, ticked: bool = False, text: str = "", file: Path | None = None
    ) -> bool:
        try:
            checklists.record_evidence(self._ctx, item_id, ticked=ticked, text=text, file=file)
        except Exception as exc:
            show_error(exc, self.message)
            return False
        self.message.clear()
        self._refresh()
        return True

    def _classify(self) -> None:
        if self.job_id is None:
            return
        try:
            jobs.classify_cause(
                self._ctx,
                self.job_id,
                CauseArea(self.area.currentData()),
                CauseOrigin(self.origin.currentData()),
                self.found.text(),
            )
        except Exception as exc:
            show_error(exc, self.message)
            return
        self.message.clear()
        self._refresh()

    def _refresh(self) -> None:
        if self.job_id is not None:
            self.show_job(self.job_id)
            self.changed.emit(self.job_id)

    def _file_dialog(self, title: str, kind: EvidenceKind) -> Path | None:
        folder, filters = "", ""
        if kind is EvidenceKind.PHOTO:
            # Where the tablet's own camera app saves (Windows: Pictures\Camera Roll).
            pictures = Path(platformdirs.user_pictures_dir())
            roll = pictures / "Camera Roll"
            folder = str(roll if roll.is_dir() else pictures)
            filters = _("Photos") + f" ({PHOTO_FILTER});;" + _("All files") + " (*)"
        name, _filter = QFileDialog.getOpenFileName(self, title, folder, filters)
        return Path(name) if name else None
