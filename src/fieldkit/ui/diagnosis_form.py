"""The diagnosis of one job: hardware or software, human error or system fault, and the fault
as found. The form always shows the job's own saved diagnosis, or says it is not classified
yet: there is no default cause (a default "human error" would blame the customer)."""

from __future__ import annotations

from fieldkit.domain.enums import CauseArea, CauseOrigin, JobStatus
from fieldkit.i18n import _
from fieldkit.labels import CAUSE
from fieldkit.services import jobs, queries
from fieldkit.services.context import ServiceContext
from fieldkit.services.jobs import CLASSIFIABLE
from fieldkit.ui.errors import show_error
from fieldkit.ui.qt import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWheelEvent,
    QWidget,
    Signal,
)
from fieldkit.ui.theme import mark
from fieldkit.ui.touch import touch_height


def cause_label(area: str, origin: str) -> str:
    """'Hardware / System fault', or that the job is not classified yet."""
    if not area or not origin:
        return _("Not classified yet")
    return f"{_(CAUSE.get(area, area))} / {_(CAUSE.get(origin, origin))}"


class NoWheelCombo(QComboBox):
    """A choice the wheel does not change unless the engineer is in it: scrolling the
    workspace past the form must never change a job's cause."""

    def __init__(self) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # the scroll area behind scrolls instead


class DiagnosisForm(QWidget):
    changed = Signal(str)  # job id, after its diagnosis was saved

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.job_id: str | None = None
        self.area = NoWheelCombo()
        self.area.addItem(_("Hardware or software?"), None)
        for area in CauseArea:
            self.area.addItem(_(CAUSE[area.value]), area.value)
        self.origin = NoWheelCombo()
        self.origin.addItem(_("Human error or system fault?"), None)
        for origin in CauseOrigin:
            self.origin.addItem(_(CAUSE[origin.value]), origin.value)
        for combo in (self.area, self.origin):
            touch_height(combo)
        self.found = QLineEdit()
        self.found.setPlaceholderText(_("Fault as found"))
        touch_height(self.found)
        self.save = QPushButton(_("Save diagnosis"))
        touch_height(self.save)
        self.save.clicked.connect(self._save)
        self.saved = QLabel()  # what is on record for this job
        self.saved.setObjectName("saved")
        self.saved.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        mark(self.message, role="error")
        # A row each: side by side with the fault field and the button, the combo boxes'
        # questions were cut off (and a longer language's field had no room for its
        # placeholder); the job's pane scrolls.
        found = QHBoxLayout()
        found.addWidget(self.found, 1)
        found.addWidget(self.save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel(_("Diagnosis"))
        mark(heading, emphasis="strong")
        layout.addWidget(heading)
        layout.addWidget(self.saved)
        layout.addWidget(self.area)
        layout.addWidget(self.origin)
        layout.addLayout(found)
        layout.addWidget(self.message)

    def show_job(self, job_id: str, reload: bool = False) -> None:
        """The job's own saved diagnosis; nothing typed for another job is carried over.
        The same job shown again (after a tick in its checklist) keeps what is being typed,
        unless ``reload``."""
        detail = queries.job_detail(self._ctx, job_id)
        if job_id != self.job_id or reload:
            if job_id != self.job_id:
                self.message.clear()
            self.area.setCurrentIndex(max(0, self.area.findData(detail.cause_area or None)))
            self.origin.setCurrentIndex(max(0, self.origin.findData(detail.cause_origin or None)))
            self.found.setText(detail.fault_found)
        self.job_id = job_id
        self.saved.setText(
            _("Cause on record: {cause}").format(
                cause=cause_label(detail.cause_area, detail.cause_origin)
            )
        )
        editable = JobStatus(detail.status) in CLASSIFIABLE
        for widget in (self.area, self.origin, self.found, self.save):
            widget.setEnabled(editable)
        self.save.setToolTip(
            "" if editable else _("The cause is classified once the diagnosis has started")
        )

    def _save(self) -> None:
        if self.job_id is None:
            return
        area, origin = self.area.currentData(), self.origin.currentData()
        if area is None or origin is None:
            self.message.setText(
                _(
                    "Choose the cause first: hardware or software, and human error or "
                    "system fault. Nothing was saved."
                )
            )
            return
        try:
            jobs.classify_cause(
                self._ctx, self.job_id, CauseArea(area), CauseOrigin(origin), self.found.text()
            )
        except Exception as exc:
            show_error(exc, self.message)
            return
        self.message.clear()
        self.show_job(self.job_id, reload=True)
        self.changed.emit(self.job_id)
