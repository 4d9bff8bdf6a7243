"""The lock pause counts the backup as the workspace does: an optional item nobody answered
is neither counted as missing nor as done, on either screen, and the pause names it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.services import queries
from fieldkit.services.context import ServiceContext
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import QDialog, Qt
from fieldkit.ui.signing_dialog import SigningDialog
from tests.reports.test_slip_backup_states import LABELLED, READABLE, optional_items_job
from tests.ui.strokes import draw_signature

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen


def test_pause_and_workspace_show_the_same_count(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path
) -> None:
    optional_items_job(ctx, tmp_path)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.table.setCurrentIndex(window.model.index(0, 0))
    ws = window.workspace
    workspace_count = ws.fields["backup"].text()
    assert workspace_count == "4 of 4 done"
    seen: dict[str, str] = {}

    def customer_signs(job_id: str) -> bool:
        dialog = SigningDialog(ctx, job_id)
        qtbot.addWidget(dialog)
        dialog.resize(1100, 760)
        dialog.show()
        draw_signature(qtbot, dialog.signer.pad)
        draw_signature(qtbot, dialog.engineer.pad)
        qtbot.mouseClick(dialog.satisfaction.buttons[3], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(dialog.sign, Qt.MouseButton.LeftButton)
        assert not dialog.confirm.isHidden(), dialog.error.text()
        seen["summary"] = dialog.confirm.summary.text()
        qtbot.mouseClick(dialog.confirm.back, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(dialog.cancel, Qt.MouseButton.LeftButton)
        return dialog.result() == QDialog.DialogCode.Accepted

    ws._sign = customer_signs  # the signing screen opens full screen; this test drives it
    qtbot.mouseClick(ws.primary, Qt.MouseButton.LeftButton)
    summary = seen["summary"]
    assert workspace_count in summary, summary
    assert "of 6" not in summary and "5 of" not in summary
    assert f"{READABLE}: Not answered (optional)" in summary
    assert f"{LABELLED}: Not done" in summary
    assert queries.job_detail(ctx, "j1").status == "resolved"
