"""Diagnosis and the backup checklist: the evidence that unlocks the repair step."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fieldkit.domain.enums import CauseArea, CauseOrigin, EvidenceKind
from fieldkit.domain.errors import DomainError
from fieldkit.i18n import _
from fieldkit.labels import CAUSE
from fieldkit.services import checklists, jobs
from fieldkit.services.context import ServiceContext
from fieldkit.ui.qt import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
)

ChooseFile = Callable[[str], Path | None]


class BackupPanel(QWidget):
    changed = Signal(str)

    def __init__(self, ctx: ServiceContext, choose_file: ChooseFile | None = None) -> None:
        super().__init__()
        self._ctx = ctx
        self._choose = choose_file or self._file_dialog
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
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #8a1c1c;")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Diagnosis")))
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addLayout(self.items)
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
            self.items.addWidget(
                self._item_row(item.id, item.label, item.evidence_kind, item.label not in missing)
            )

    def _item_row(self, item_id: str, label: str, kind: EvidenceKind, done: bool) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
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
            row.addWidget(QLabel(label), 1)
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
                attach = QPushButton(
                    _("Attach photo…") if kind is EvidenceKind.PHOTO else _("Attach backup file…")
                )
                attach.setMinimumHeight(40)
                attach.clicked.connect(lambda _=False, i=item_id, t=label: self._attach(i, t))
                row.addWidget(attach)
        box.setProperty("item_id", item_id)
        box.setProperty("done", done)
        box.setProperty("kind", kind.value)
        return box

    def _attach(self, item_id: str, title: str) -> None:
        path = self._choose(title)
        if path is not None:
            self._record(item_id, file=path)

    def _record(
        self, item_id: str, *, ticked: bool = False, text: str = "", file: Path | None = None
    ) -> bool:
        try:
            checklists.record_evidence(self._ctx, item_id, ticked=ticked, text=text, file=file)
        except DomainError as exc:
            self.message.setText(str(exc))
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
        except DomainError as exc:
            self.message.setText(str(exc))
            return
        self.message.clear()
        self._refresh()

    def _refresh(self) -> None:
        if self.job_id is not None:
            self.show_job(self.job_id)
            self.changed.emit(self.job_id)

    def _file_dialog(self, title: str) -> Path | None:
        name, _filter = QFileDialog.getOpenFileName(self, title)
        return Path(name) if name else None
