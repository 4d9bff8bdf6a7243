"""The backup checklist: the evidence that unlocks the repair step."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from fieldkit.domain.checklist import ChecklistItem
from fieldkit.domain.enums import EvidenceKind
from fieldkit.i18n import _
from fieldkit.labels import size_label
from fieldkit.services import checklists
from fieldkit.services.checklists import EvidenceShown
from fieldkit.services.context import ServiceContext
from fieldkit.ui import camera
from fieldkit.ui.background import Background
from fieldkit.ui.errors import show_error
from fieldkit.ui.photo_view import PhotoDialog, PhotoThumbnail
from fieldkit.ui.qt import (
    QApplication,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldkit.ui.theme import mark
from fieldkit.ui.touch import touch_height

if TYPE_CHECKING:
    from fieldkit.ui.camera_dialog import CameraDialog

ChooseFile = Callable[[str, EvidenceKind], Path | None]


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
    """Each item's true state: done (its latest answer satisfies it), or open. Items take
    answers on site; an answer can be corrected (a new answer: the old one stays in the
    audit log) until the backup is confirmed; afterwards the list stays, read-only."""

    changed = Signal(str)

    def __init__(self, ctx: ServiceContext, choose_file: ChooseFile | None = None) -> None:
        super().__init__()
        self._ctx = ctx
        self._choose = choose_file or self._file_dialog
        # Asked when a photo item is shown, not at start: it loads QtMultimedia.
        self.cameras_present: Callable[[], bool] = lambda: camera.camera_count() > 0
        self.present_camera: Callable[[CameraDialog], int] = lambda dialog: dialog.exec()
        # How a photo is shown full size (modal on a real screen; replaced in tests).
        self.present_photo: Callable[[QDialog], object] = lambda dialog: dialog.exec()
        self.photo: PhotoDialog | None = None
        self._camera_watch: camera.CameraWatch | None = None
        # A backup file can be gigabytes: it is hashed into the store off the UI thread.
        self.background = Background()
        self.busy = False
        self.job_id: str | None = None
        self.progress = QLabel()
        mark(self.progress, emphasis="strong")
        self.items = QVBoxLayout()
        self.working = QLabel()
        self.working.setWordWrap(True)
        self.working.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        mark(self.message, role="error")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.progress)
        layout.addLayout(self.items)
        layout.addWidget(self.working)
        layout.addWidget(self.message)

    def show_job(self, job_id: str) -> None:
        if job_id != self.job_id:
            self.message.clear()  # a refusal on one job is not shown on the next
        # The control tapped is rebuilt below: the focus goes back to its item, not to
        # wherever Qt puts it when a focused widget is deleted (the search box).
        focused = QApplication.focusWidget()
        refocus = None
        if job_id == self.job_id and focused is not None and self.isAncestorOf(focused):
            row: QWidget | None = focused
            while row is not None and row.property("item_id") is None:
                row = row.parentWidget()
            refocus = row.property("item_id") if row is not None else None
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
            _("Backup before repair: {done} of {total} done").format(
                done=view.progress.done, total=view.progress.total
            )
        )
        for item in view.items:
            row_widget = self._item_row(view, item)
            self.items.addWidget(row_widget)
            if item.id == refocus:
                self._focus_in(row_widget)

    @staticmethod
    def _focus_in(row: QWidget) -> None:
        for control in row.findChildren(QWidget):
            if control.isEnabled() and control.focusPolicy() != Qt.FocusPolicy.NoFocus:
                control.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def _item_row(self, view: checklists.ChecklistView, item: ChecklistItem) -> QWidget:
        item_id, kind = item.id, item.evidence_kind
        done, shown = item_id in view.done, view.evidence.get(item_id)
        editable = view.can_answer(item_id)
        label = item.label if item.required else _("{label} (optional)").format(label=item.label)
        box = QWidget()
        lines = QVBoxLayout(box)  # the controls, then what was recorded
        lines.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        lines.addLayout(row)
        done_mark = QLabel("✓" if done else "○")
        done_mark.setObjectName("mark")
        done_mark.setToolTip(_("Done") if done else _("Not done yet"))
        row.addWidget(done_mark)
        if kind is EvidenceKind.TICK:
            check = QCheckBox(label)
            check.setChecked(shown is not None and shown.ticked)
            check.setEnabled(editable)
            touch_height(check)
            check.toggled.connect(lambda on, i=item_id: self._record(i, ticked=on))
            row.addWidget(check, 1)
        else:
            # Wraps, so a long bilingual label never pushes the buttons out of a narrow pane.
            text = QLabel(label)
            text.setWordWrap(True)
            row.addWidget(text, 1)
            if editable and kind is EvidenceKind.TEXT:
                note = QLineEdit()
                note.setPlaceholderText(_("Note"))
                touch_height(note)
                row.addWidget(note)
                save = QPushButton(_("Save") if shown is None else _("Correct"))
                touch_height(save)
                save.clicked.connect(lambda _=False, i=item_id, n=note: self._save_note(i, n))
                row.addWidget(save)
            elif editable:
                self._file_buttons(row, item_id, label, kind, shown is not None)
        if shown is not None and kind is not EvidenceKind.TICK:
            self._evidence(lines, shown, item.label)
        elif shown is None and not view.can_answer(item_id):
            lines.addWidget(self._detail(_("Not answered")))
        box.setProperty("item_id", item_id)
        box.setProperty("done", done)
        box.setProperty("kind", kind.value)
        box.setProperty("required", item.required)
        return box

    def _file_buttons(
        self, row: QHBoxLayout, item_id: str, label: str, kind: EvidenceKind, answered: bool
    ) -> None:
        if kind is EvidenceKind.PHOTO and self._has_camera():
            shoot = QPushButton(_("Take photo…"))
            shoot.setObjectName("camera")
            touch_height(shoot)
            shoot.setEnabled(not self.busy)
            shoot.clicked.connect(lambda _=False, i=item_id, t=label: self._take_photo(i, t))
            row.addWidget(shoot)
        if kind is EvidenceKind.PHOTO:
            text = _("Replace photo…") if answered else _("Attach photo…")
        else:
            text = _("Replace backup file…") if answered else _("Attach backup file…")
        attach = QPushButton(text)
        attach.setObjectName("attach")
        touch_height(attach)
        attach.setEnabled(not self.busy)
        attach.clicked.connect(lambda _=False, i=item_id, t=label, k=kind: self._attach(i, t, k))
        row.addWidget(attach)

    @staticmethod
    def _detail(text: str) -> QLabel:
        detail = QLabel(text)
        detail.setObjectName("evidence")
        detail.setWordWrap(True)
        mark(detail, emphasis="small")
        # Selectable: a hash or a version number can be copied into a report.
        detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return detail

    def _evidence(self, lines: QVBoxLayout, shown: EvidenceShown, title: str) -> None:
        lines.addWidget(self._detail(evidence_line(shown)))
        if shown.kind is not EvidenceKind.PHOTO or shown.sha256 is None:
            return
        path = checklists.evidence_file(self._ctx, shown.sha256)
        if path is None:
            return  # recorded on another device, not downloaded here
        thumb = PhotoThumbnail(path, title)
        thumb.clicked.connect(lambda _=False, p=path, t=title: self._open_photo(p, t))
        lines.addWidget(thumb)

    def _open_photo(self, path: Path, title: str) -> None:
        self.photo = PhotoDialog(path, title)
        self.present_photo(self.photo)

    def _save_note(self, item_id: str, note: QLineEdit) -> None:
        self._record(item_id, text=note.text())

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
            if self.job_id is not None:
                self.show_job(self.job_id)  # the boxes show what is on record, not the tap
            return False
        self.message.clear()
        self._refresh()
        return True

    def _refresh(self) -> None:
        if self.job_id is not None:
            self.show_job(self.job_id)
            self.changed.emit(self.job_id)

    def _file_dialog(self, title: str, kind: EvidenceKind) -> Path | None:
        """The touch picker (Pictures, the camera, Downloads, a memory card; the computer's
        own dialog one tap away)."""
        from fieldkit.ui.touch_picker import pick_file

        return pick_file(self, title, photos=kind is EvidenceKind.PHOTO)
