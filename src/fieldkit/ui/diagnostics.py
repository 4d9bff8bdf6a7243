"""Export diagnostics (menu): the log, versions, schema and settings without secrets, in one
zip file in the data folder, with its path shown to copy or send to the office."""

from __future__ import annotations

from fieldkit.i18n import _
from fieldkit.logs import log_path
from fieldkit.services import diagnostics
from fieldkit.services.context import ServiceContext
from fieldkit.ui.errors import copy_and_close, show_error
from fieldkit.ui.qt import (
    QDialog,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)


class DiagnosticsDialog(QDialog):
    def __init__(self, path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Export diagnostics"))
        self.setMinimumWidth(560)
        intro = QLabel(
            _(
                "Diagnostics saved (the log, versions and settings; no passwords, tokens or "
                "keys). Send this file to the office:"
            )
        )
        intro.setWordWrap(True)
        self.path = QLineEdit(path)
        self.path.setReadOnly(True)
        self.copy, self.close_button, buttons = copy_and_close(self, _("Copy path"), self.path.text)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.path)
        layout.addLayout(buttons)


def export_diagnostics(parent: QWidget, ctx: ServiceContext) -> DiagnosticsDialog | None:
    data_dir = ctx.db.path.parent
    stamp = ctx.clock.now().astimezone().strftime("%Y%m%d-%H%M%S")
    target = data_dir / "diagnostics" / f"fieldkit-diagnostics-{stamp}.zip"
    try:
        saved = diagnostics.export_diagnostics(ctx, log_path(data_dir).parent, target)
    except Exception as exc:  # a full disk says so; anything else is a bug, reported
        show_error(exc, parent=parent)
        return None
    dialog = DiagnosticsDialog(str(saved), parent)
    dialog.open()
    return dialog
