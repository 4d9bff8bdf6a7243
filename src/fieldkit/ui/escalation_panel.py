"""Escalating a job to the center (why, what was found, what the center needs, files and
logs) and, in the workspace, what became of it: not sent yet, waiting for the center, or
re-assigned."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fieldkit.domain.enums import EscalationCategory
from fieldkit.domain.errors import DomainError
from fieldkit.i18n import N_, _, tr
from fieldkit.labels import size_label
from fieldkit.services import escalations
from fieldkit.services.context import ServiceContext
from fieldkit.services.escalations import EscalationView
from fieldkit.ui.background import Background
from fieldkit.ui.qt import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldkit.ui.theme import mark
from fieldkit.ui.touch import touch_height

CATEGORIES: dict[str, str] = {
    EscalationCategory.NEEDS_PART.value: N_("Needs a part"),
    EscalationCategory.VENDOR.value: N_("Needs the vendor"),
    EscalationCategory.SPECIALIST.value: N_("Needs a specialist"),
    EscalationCategory.OTHER.value: N_("Other"),
}
FINDINGS_PROMPT = N_("What did you find, and what does the center need to know to continue?")


def category_label(value: str) -> str:
    return _(CATEGORIES.get(value, value))


class EscalationDialog(QDialog):
    """Everything the center needs in one screen; a refusal stays here, nothing is lost."""

    def __init__(self, ctx: ServiceContext, job_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx, self.job_id = ctx, job_id
        self.setWindowTitle(_("Escalate to the center"))
        self.resize(720, 640)
        self.escalation_id: str | None = None
        # The OS's file chooser; replaced in tests, which have no files dialog to click in.
        self.pick_files: Callable[[], list[Path]] = self._choose_files
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText(_("For example: the mainboard is dead and no spare"))
        self.findings = QPlainTextEdit()
        self.findings.setPlaceholderText(
            _("Error codes, what you measured and tried, part numbers, who you spoke to")
        )
        self.categories = QButtonGroup(self)
        row = QHBoxLayout()
        self.category_buttons: dict[str, QRadioButton] = {}
        for value, label in CATEGORIES.items():
            radio = QRadioButton(_(label))
            touch_height(radio)
            radio.setProperty("category", value)
            self.categories.addButton(radio)
            self.category_buttons[value] = radio
            row.addWidget(radio)
        self.files = QListWidget()
        touch_height(self.files, 2)
        self.files.setMaximumHeight(140)
        self.attach = QPushButton(_("Attach files or logs…"))
        self.remove = QPushButton(_("Remove the selected file"))
        for button in (self.attach, self.remove):
            touch_height(button)
        self.attach.clicked.connect(self._add_files)
        self.remove.clicked.connect(self._remove_file)
        self.error = QLabel()
        self.error.setWordWrap(True)
        mark(self.error, role="error")
        self.submit_button = QPushButton(_("Escalate to the center"))
        self.cancel = QPushButton(_("Cancel"))
        for button in (self.submit_button, self.cancel):
            touch_height(button)
        self.submit_button.clicked.connect(self.submit)
        self.cancel.clicked.connect(self.reject)
        self.background = Background()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Why can it not be fixed on site?")))
        layout.addWidget(self.reason, 1)
        layout.addWidget(QLabel(_(FINDINGS_PROMPT)))
        layout.addWidget(self.findings, 2)
        layout.addWidget(QLabel(_("What does the center need?")))
        layout.addLayout(row)
        layout.addWidget(QLabel(_("Files and logs for the center")))
        layout.addWidget(self.files)
        file_row = QHBoxLayout()
        file_row.addWidget(self.attach)
        file_row.addWidget(self.remove)
        file_row.addStretch(1)
        layout.addLayout(file_row)
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.submit_button)
        layout.addLayout(buttons)
        self._paths: list[Path] = []
        self.reason.setFocus()

    def chosen_files(self) -> list[Path]:
        return list(self._paths)

    def _add_files(self) -> None:
        for path in self.pick_files():
            if path not in self._paths:
                self._paths.append(path)
                self.files.addItem(path.name)

    def _remove_file(self) -> None:
        row = self.files.currentRow()
        if 0 <= row < len(self._paths):
            self._paths.pop(row)
            self.files.takeItem(row)

    def submit(self) -> None:
        """Hash the files and record the escalation off the UI thread (logs can be large)."""
        checked = self.categories.checkedButton()
        category = str(checked.property("category")) if checked is not None else ""
        reason, findings = self.reason.toPlainText(), self.findings.toPlainText()
        files = self.chosen_files()
        self.submit_button.setEnabled(False)
        self.error.setText(_("Saving the escalation…"))
        self.background.run(
            lambda: (
                escalations.escalate(
                    self._ctx, self.job_id, reason, findings, category, files
                ).entity_id
            ),
            self._saved,
            self._refused,
        )

    def _saved(self, escalation_id: str | None) -> None:
        self.escalation_id = escalation_id
        self.error.clear()
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self.submit_button.setEnabled(True)
        if isinstance(exc, DomainError):
            text = getattr(exc, "reason", None) or (exc.args[0] if exc.args else str(exc))
            self.error.setText(tr(text))
        else:
            self.error.setText(_("The escalation was not saved: {error}").format(error=exc))

    def _choose_files(self) -> list[Path]:
        names, _filter = QFileDialog.getOpenFileNames(self, _("Attach files or logs…"))
        return [Path(n) for n in names]


class EscalationPanel(QFrame):
    """The job's escalations as the engineer sees them, newest last."""

    changed = Signal()

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.heading = QLabel(_("Escalation"))
        mark(self.heading, emphasis="heading")
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.PlainText)  # engineers' text, never markup
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.state)
        layout.addWidget(self.body)
        self.views: list[EscalationView] = []
        self.setVisible(False)

    def show_job(self, job_id: str) -> None:
        self.views = escalations.escalations(self._ctx, job_id)
        self.setVisible(bool(self.views))
        if not self.views:
            return
        latest = self.views[-1]
        self.state.setText(self.state_text(latest))
        mark(self.state, role="ok" if latest.state == "reassigned" else "warning")
        self.body.setText("\n\n".join(self.describe(v) for v in reversed(self.views)))

    @staticmethod
    def state_text(view: EscalationView) -> str:
        if view.state == "not_sent":
            return _("Not sent yet: it goes to the center with the next sync")
        if view.state == "waiting":
            return _("Waiting for the center: it analyses what you sent and re-assigns the job")
        return _("The center re-assigned the job to {engineer}").format(
            engineer=view.assigned_to or "-"
        )

    @staticmethod
    def describe(view: EscalationView) -> str:
        lines = [
            _("{when} by {who}: {category}").format(
                when=view.at.astimezone().strftime("%Y-%m-%d %H:%M"),
                who=view.by,
                category=category_label(view.category.value),
            ),
            _("Why: {reason}").format(reason=view.reason),
            _("Found: {findings}").format(findings=view.findings),
        ]
        if view.files:
            names = ", ".join(
                f"{f.filename} ({size_label(f.size_bytes)})"
                + ("" if f.on_device else " " + _("(not on this device)"))
                for f in view.files
            )
            lines.append(_("Files: {names}").format(names=names))
        if view.center_plan:
            lines.append(_("The center's answer: {plan}").format(plan=view.center_plan))
        return "\n".join(lines)
