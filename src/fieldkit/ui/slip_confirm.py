"""The pause before a slip is locked: what becomes frozen (the slip's content in short),
with Lock and a clear Cancel that goes back to the signing screen."""

from __future__ import annotations

from html import escape
from typing import Any

from fieldkit.domain.checklist import ItemState
from fieldkit.domain.slip_payload import DECLINED, backup_progress, backup_state
from fieldkit.i18n import _
from fieldkit.labels import CAUSE, ITEM_STATE
from fieldkit.ui.qt import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    Qt,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.theme import current_theme, mark
from fieldkit.ui.touch import touch_height


def _cause(content: dict[str, Any]) -> str:
    cause = content.get("cause") or {}
    parts = [_(CAUSE.get(v, v)) for v in (cause.get("area"), cause.get("origin")) if v]
    return " / ".join(parts) or _("not classified yet")


def _parts(content: dict[str, Any]) -> str:
    rows = []
    for p in content.get("parts") or []:
        serials = _("removed {old}, installed {new}").format(
            old=p.get("serial_removed") or "-", new=p.get("serial_installed") or "-"
        )
        rows.append(f"{p.get('part_no')} × {p.get('quantity')} ({serials})")
    return "\n".join(rows) or _("none")


def _backup(content: dict[str, Any]) -> str:
    """The count the workspace shows, then each item that is not simply done."""
    backup = content.get("backup") or []
    count = backup_progress(backup)
    rows = [_("{done} of {total} done").format(done=count.done, total=count.total)]
    for entry in backup:
        state = backup_state(entry)
        if state is not None and state is not ItemState.DONE:
            rows.append(
                _("{item}: {state}").format(
                    item=entry.get("item", ""), state=_(ITEM_STATE[state.value])
                )
            )
    return "\n".join(rows)


def satisfaction_text(value: object) -> str:
    if value == DECLINED:
        return _("Declined to rate")
    return f"{value} / 5" if value is not None else "-"


def summary_rows(content: dict[str, Any], signer: str) -> list[tuple[str, str]]:
    """Label and value for each fact the signature freezes."""
    job = content.get("job") or {}
    site = content.get("site") or {}
    device = content.get("device") or {}
    return [
        (_("Service slip for job"), str(job.get("number", ""))),
        (_("Customer"), str((content.get("customer") or {}).get("name", ""))),
        (_("Site"), " · ".join(x for x in (site.get("name"), site.get("address")) if x)),
        (
            _("Device"),
            " · ".join(str(device[k]) for k in ("name", "model", "serial") if device.get(k)),
        ),
        (_("Fault reported"), str(content.get("fault_reported", ""))),
        (_("Fault found"), str(content.get("fault_found", ""))),
        (_("Cause"), _cause(content)),
        (_("Work performed"), str(content.get("work_performed", ""))),
        (_("Confirmed with"), str(content.get("confirmed_with", ""))),
        (_("Backup"), _backup(content)),
        (_("Parts replaced"), _parts(content)),
        (_("Customer satisfaction"), satisfaction_text(content.get("satisfaction"))),
        (_("Comments"), str(content.get("comments", ""))),
        (_("Signed by"), signer),
    ]


class SlipConfirmPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = QLabel(
            _("Check the slip before it is locked: after this nothing on it can be changed.")
        )
        heading.setWordWrap(True)
        mark(heading, emphasis="title")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        mark(self.summary, emphasis="large")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.summary)
        self.error = QLabel()
        self.error.setWordWrap(True)
        mark(self.error, role="error", emphasis="large")
        self.back = QPushButton(_("Cancel: back to the slip"))
        self.lock = QPushButton(_("Lock the slip"))
        for button in (self.back, self.lock):
            touch_height(button, 1.2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back)
        buttons.addStretch(1)
        buttons.addWidget(self.lock)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def show_summary(self, rows: list[tuple[str, str]]) -> None:
        self.error.setText("")
        muted = current_theme().colour("muted")
        body = "".join(
            f"<tr><td style='padding:4px 16px 4px 0; color:{muted}'>{escape(label)}</td>"
            f"<td style='padding:4px 0'>{escape(value).replace(chr(10), '<br>')}</td></tr>"
            for label, value in rows
        )
        self.summary.setText(f"<table>{body}</table>")
