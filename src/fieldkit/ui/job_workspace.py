"""One job, guided by the state machine: the next legal step is the big button; the others
are disabled with the reason shown (e.g. "Back up first: 2 of 5 backup items missing")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fieldkit.domain.workflow import ActionArgs, ActionOption
from fieldkit.i18n import N_, _, tr
from fieldkit.labels import (
    action_label,
    job_type_label,
    severity_label,
    size_label,
)
from fieldkit.services import dossier, jobs, queries
from fieldkit.services.context import ServiceContext
from fieldkit.ui.background import Background
from fieldkit.ui.backup_panel import BackupPanel
from fieldkit.ui.diagnosis_form import DiagnosisForm
from fieldkit.ui.errors import show_error
from fieldkit.ui.escalation_panel import EscalationDialog, EscalationPanel
from fieldkit.ui.job_facts import JobFacts
from fieldkit.ui.pdf_preview import PdfPreviewDialog
from fieldkit.ui.qt import (
    QDialog,
    QInputDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldkit.ui.signing_dialog import SigningDialog
from fieldkit.ui.slip_delivery import SlipDeliveryPanel
from fieldkit.ui.theme import mark
from fieldkit.ui.touch import touch_height

# What an action needs from the engineer before it can run: (field, prompt).
PROMPTS: dict[str, list[tuple[str, str]]] = {
    "arrive": [("confirmed_with", N_("Who confirmed the problem on site (system owner)?"))],
    "resolve": [("resolution", N_("How was the fault resolved?"))],
    "resolve_remotely": [("resolution", N_("How was the fault resolved?"))],
}
Ask = Callable[[str], str | None]
BEFORE_ARRIVAL = {"assigned", "accepted", "travelling"}
# Where the diagnosis form is shown (editable while it may be classified); afterwards the
# cause is one of the job's facts.
DIAGNOSIS_SHOWN = {"on_site", "diagnosing", "backed_up", "repairing"}


class JobWorkspace(QWidget):
    changed = Signal(str)  # job id, after a step succeeded
    prepare_requested = Signal()  # fetch what the site pack is missing (a sync)

    def __init__(self, ctx: ServiceContext, ask: Ask | None = None) -> None:
        super().__init__()
        self._ctx = ctx
        self._ask = ask or self._dialog
        self._sign: Callable[[str], bool] = self._signing_screen
        self.job_id: str | None = None
        self.title = QLabel()
        mark(self.title, emphasis="headline")
        self.title.setWordWrap(True)  # a long job type in a narrow pane: two lines, not cut off
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        mark(self.banner, role="banner")
        self.facts = JobFacts()
        self.fields = self.facts.fields
        self.primary = QPushButton()
        touch_height(self.primary, 1.2)  # >= 9 mm on a typical tablet
        mark(self.primary, emphasis="title")
        self.primary.clicked.connect(lambda: self.run(self.primary.property("action")))
        self.secondary = QVBoxLayout()
        self.pack = QLabel()
        self.pack.setWordWrap(True)
        self.prepare = QPushButton(_("Prepare for travel: download what is missing"))
        touch_height(self.prepare)
        self.prepare.clicked.connect(self.prepare_requested.emit)
        self.slip_button = QPushButton(_("View, print or export the signed slip"))
        touch_height(self.slip_button)
        self.slip_button.clicked.connect(self.show_slip)
        self.background = Background()
        self.preview: PdfPreviewDialog | None = None
        self.present: Callable[[QDialog], None] = lambda dialog: dialog.show()
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        mark(self.reason, role="error")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.banner)
        layout.addWidget(self.facts)
        layout.addWidget(self.pack)
        layout.addWidget(self.prepare)
        layout.addWidget(self.primary)
        layout.addWidget(self.reason)
        layout.addWidget(self.slip_button)
        self.delivery = SlipDeliveryPanel(ctx)  # e-mail the signed slip, and how it went
        self.delivery.changed.connect(self.changed.emit)
        layout.addWidget(self.delivery)
        self.escalation = EscalationPanel(ctx)  # what the center was told, what came of it
        self.escalation_dialog: EscalationDialog | None = None
        layout.addWidget(self.escalation)
        layout.addLayout(self.secondary)
        self.diagnosis = DiagnosisForm(ctx)
        self.diagnosis.changed.connect(lambda job_id: self.show_job(job_id, emit=True))
        layout.addWidget(self.diagnosis)
        self.backup = BackupPanel(ctx)
        self.backup.changed.connect(lambda job_id: self.show_job(job_id, emit=True))
        layout.addWidget(self.backup)
        layout.addStretch(1)
        self.hint = QLabel(_("Select a job to see what to do next."))
        mark(self.hint, role="muted", emphasis="larger")
        layout.insertWidget(0, self.hint)
        self.body: list[QWidget] = [
            self.title,
            self.banner,
            self.primary,
            self.reason,
            self.facts,
            self.diagnosis,
            self.backup,
            self.slip_button,
            self.pack,
            self.prepare,
        ]
        for widget in self.body:
            widget.setVisible(False)

    def show_job(self, job_id: str, emit: bool = False) -> None:
        self.job_id = job_id
        self.hint.setVisible(False)
        self.title.setVisible(True)
        self.facts.setVisible(True)
        detail = queries.job_detail(self._ctx, job_id)
        now = self._ctx.clock.now()
        self.title.setText(
            f"{detail.number}  ·  {detail.severity} {severity_label(detail.severity)}"
            f"  ·  {job_type_label(detail.job_type)}"
        )
        self.banner.setVisible(not detail.installed_by_us)
        self.banner.setText(
            _(
                "This site was not installed by us: ask the customer for drawings "
                "and documents before changing anything."
            )
        )
        self.facts.show_job(detail, now)
        self._show_actions(jobs.available_actions(self._ctx, job_id))
        self.show_pack(job_id)
        self.slip_button.setVisible(detail.status in ("signed", "closed"))
        self.slip_button.setEnabled(True)
        # The diagnosis from arrival on; the checklist and its evidence stay in view
        # (read-only) once the job is resolved.
        arrived = detail.status not in BEFORE_ARRIVAL and detail.backup_total > 0
        self.diagnosis.setVisible(detail.status in DIAGNOSIS_SHOWN)
        if detail.status in DIAGNOSIS_SHOWN:
            self.diagnosis.show_job(job_id)
        self.delivery.show_job(job_id, detail.status in ("signed", "closed"))
        self.escalation.show_job(job_id)
        self.backup.setVisible(arrived)
        if arrived:
            self.backup.show_job(job_id)
        if emit:
            self.changed.emit(job_id)

    def show_pack(self, job_id: str) -> None:
        pack = dossier.site_pack(self._ctx, job_id)
        self.pack.setVisible(True)
        if pack.ready:
            mark(self.pack, role="ok")
            self.pack.setText(
                _("Ready offline: all {count} site documents on this device ({size})").format(
                    count=pack.documents, size=size_label(pack.bytes_total)
                )
            )
        else:
            mark(self.pack, role="error")
            self.pack.setText(
                _("Not ready offline: {missing} of {count} site documents missing ({size})").format(
                    missing=pack.documents - pack.present,
                    count=pack.documents,
                    size=size_label(pack.bytes_missing),
                )
            )
        self.prepare.setVisible(not pack.ready)

    def _show_actions(self, options: list[ActionOption]) -> None:
        while self.secondary.count():
            item = self.secondary.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                # Hidden and detached now, deleted later: a stale button never shows.
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        # The forward step of the flow is the big button even when blocked (with the reason);
        # escalation is a way out, never "the next step".
        # Signing is done on the signing screen, which records the slip and the step together.
        options = [ActionOption(o.action, True, None) if o.action == "sign" else o for o in options]
        forward = [o for o in options if o.action != "escalate"]
        main = next((o for o in forward if o.enabled), forward[0] if forward else None)
        if main is None and options:
            main = options[0]
        self.primary.setVisible(main is not None)
        self.reason.setVisible(main is not None and not main.enabled)
        if main is not None:
            self.primary.setText(action_label(main.action))
            self.primary.setProperty("action", main.action)
            self.primary.setEnabled(main.enabled)
            self.reason.setText(tr(main.reason) if main.reason else "")
        for option in options:
            if option is main:
                continue
            button = QPushButton(action_label(option.action))
            touch_height(button)
            button.setEnabled(option.enabled)
            button.setToolTip(tr(option.reason) if option.reason else "")
            button.setProperty("action", option.action)
            button.clicked.connect(lambda _=False, a=option.action: self.run(a))
            self.secondary.addWidget(button)
            if not option.enabled and option.reason:
                why = QLabel(tr(option.reason))
                why.setWordWrap(True)
                mark(why, role="error")
                self.secondary.addWidget(why)

    def secondary_buttons(self) -> list[QPushButton]:
        widgets = [self.secondary.itemAt(i).widget() for i in range(self.secondary.count())]  # type: ignore[union-attr]
        return [w for w in widgets if isinstance(w, QPushButton)]

    def run(self, action: str) -> bool:
        """Run a step, asking the engineer for what it needs; errors are shown, not raised."""
        if self.job_id is None:
            return False
        if action == "sign":
            if not self._sign(self.job_id):
                return False
            self.show_job(self.job_id)
            self.changed.emit(self.job_id)
            return True
        if action == "escalate":
            return self._escalate(self.job_id)
        values: dict[str, str] = {}
        for field_name, prompt in PROMPTS.get(action, []):
            answer = self._ask(_(prompt))
            if answer is None:
                return False  # cancelled
            values[field_name] = answer
        try:
            jobs.perform(self._ctx, self.job_id, action, ActionArgs(**values))
        except Exception as exc:
            self.reason.setVisible(True)
            show_error(exc, self.reason)
            return False
        self.show_job(self.job_id)
        self.changed.emit(self.job_id)
        return True

    def show_slip(self) -> None:
        """The signed slip's PDF (rendered once, then always the same bytes), off the UI thread."""
        if self.job_id is None:
            return
        from fieldkit.services import documents  # PDF machinery: loaded when first needed

        slip_id = documents.latest_slip_id(self._ctx, self.job_id)
        if slip_id is None:
            return
        self.slip_button.setEnabled(False)
        self.background.run(
            lambda: self._ctx.blobs.path(documents.slip_pdf(self._ctx, slip_id)),
            self._open_slip,
            self._slip_failed,
        )

    def _open_slip(self, path: Path) -> None:
        self.slip_button.setEnabled(True)
        number = queries.job_detail(self._ctx, self.job_id or "").number
        self.preview = PdfPreviewDialog(path, _("Service slip") + f" {number}", f"{number}.pdf")
        self.present(self.preview)

    def _slip_failed(self, exc: Exception) -> None:
        self.slip_button.setEnabled(True)
        self.reason.setVisible(True)
        show_error(exc, self.reason, context=_("The slip could not be rendered: {error}"))

    def _signing_screen(self, job_id: str) -> bool:
        dialog = SigningDialog(self._ctx, job_id)
        dialog.showFullScreen()  # the customer holds the tablet
        return bool(dialog.exec()) and dialog.slip_id is not None

    def _escalate(self, job_id: str) -> bool:
        """The escalation screen; the workspace shows the result once it is recorded."""
        self.escalation_dialog = EscalationDialog(self._ctx, job_id, self)
        self.escalation_dialog.accepted.connect(lambda: self.show_job(job_id, emit=True))
        self.escalation_dialog.open()
        return True

    def _dialog(self, prompt: str) -> str | None:
        text, ok = QInputDialog.getMultiLineText(self, _("FieldKit"), prompt)
        return text if ok else None
