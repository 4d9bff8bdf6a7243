"""M3 seen by the engineer: work the center refused because the office re-assigned the job
is explained in one plain sentence in the refused-changes view the status bar opens."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.services import conflicts, jobs
from fieldkit.ui.qt import QDialog, Qt
from fieldkit.ui.sync_dialogs import ConflictsDialog
from tests.support.server import Client, Office, Server

SENTENCE = (
    "The office gave this job to another engineer before this change reached the center, so "
    "it was not applied to the job and is kept at the center for the office to review."
)


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # offscreen
@pytest.mark.parametrize("server", ["sqlite"], indirect=True)
def test_refused_work_of_a_reassigned_job_says_what_happened_to_it(
    qtbot: QtBot, server: Server, office: Office, wang: Client
) -> None:
    from fieldkit.ui.main_window import MainWindow

    job = office.new_job("wang")
    wang.sync()
    jobs.accept_job(wang.ctx, job)
    office.assign(job, "li")  # the office gives the job to li before the step arrives
    assert wang.sync().rejected == 1
    window = MainWindow(wang.ctx, online=False)
    qtbot.addWidget(window)
    window.refresh_status()
    shown: list[QDialog] = []
    window.present = shown.append  # type: ignore[method-assign]
    qtbot.mouseClick(window.refused, Qt.MouseButton.LeftButton)
    (dialog,) = shown
    assert isinstance(dialog, ConflictsDialog)
    qtbot.addWidget(dialog)
    dialog.show()
    first = dialog.items.item(0)
    rect = dialog.items.visualItemRect(first)
    qtbot.mouseClick(dialog.items.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dialog.items.currentItem() is first
    assert dialog.outcome.isVisible() and dialog.outcome.text() == SENTENCE
    assert SENTENCE in [c.outcome for c in conflicts.inbox(wang.ctx)]
    qtbot.mouseClick(dialog.use_server, Qt.MouseButton.LeftButton)
    assert dialog.items.count() == 0 and not dialog.outcome.isVisible()
    assert window.refused.isHidden()


def test_the_sentence_is_translated(tmp_path: object) -> None:
    from fieldkit.i18n import catalog_for

    assert catalog_for("zh_CN")[SENTENCE].startswith("此更改送达服务中心之前")
