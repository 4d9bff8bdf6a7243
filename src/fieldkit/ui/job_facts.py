"""What is on record for a job, as label / value rows: who, where, the fault, who confirmed
it on site, the cause classified, how it was resolved, billing, backup and the deadlines."""

from __future__ import annotations

from datetime import datetime

from fieldkit.domain.sla import SlaState
from fieldkit.i18n import N_, _
from fieldkit.labels import BILLING, sla_label, status_label, time_left_label
from fieldkit.services.queries import JobDetail
from fieldkit.ui.diagnosis_form import cause_label
from fieldkit.ui.qt import QFormLayout, QLabel, Qt, QWidget

ROWS: tuple[tuple[str, str], ...] = (
    ("status", N_("Status")),
    ("customer", N_("Customer")),
    ("site", N_("Site")),
    ("device", N_("Device")),
    ("fault", N_("Fault as reported")),
    ("confirmed_with", N_("Problem confirmed by")),
    ("found", N_("Fault as found")),
    ("cause", N_("Cause")),
    ("resolution", N_("Resolution")),
    ("billing", N_("Billing")),
    ("backup", N_("Backup before repair")),
    ("respond", N_("Respond by")),
    ("arrive", N_("Arrive by")),
)


class JobFacts(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.fields: dict[str, QLabel] = {}
        for key, label in ROWS:
            value = QLabel()
            value.setWordWrap(True)
            # A name or a resolution can be copied into a report.
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = value
            self.form.addRow(_(label), value)

    def show_job(self, detail: JobDetail, now: datetime) -> None:
        f = self.fields
        f["status"].setText(status_label(detail.status))
        f["customer"].setText(detail.customer)
        f["site"].setText(f"{detail.site}  {detail.site_address}")
        f["device"].setText(detail.device or "-")
        f["fault"].setText(detail.fault_description)
        f["confirmed_with"].setText(detail.confirmed_with or _("Not confirmed on site yet"))
        f["found"].setText(detail.fault_found or "-")
        f["cause"].setText(cause_label(detail.cause_area, detail.cause_origin))
        f["resolution"].setText(detail.resolution or _("Not resolved yet"))
        f["billing"].setText(_(BILLING.get(detail.billing, detail.billing)))
        f["billing"].setToolTip(detail.billing_basis)  # the warranty date it was decided from
        f["backup"].setText(
            _("{done} of {total} done").format(done=detail.backup_done, total=detail.backup_total)
            if detail.backup_total
            else "-"  # remote jobs carry no backup checklist
        )
        for key, clock in (("respond", detail.respond), ("arrive", detail.arrive)):
            state, left = clock.state(now), clock.time_left(now)
            text = sla_label(state.value)
            if state is SlaState.RUNNING and left is not None:
                text = time_left_label(left)
            f[key].setText(text)
