from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.services import queries, slips
from fieldkit.services.context import ServiceContext
from fieldkit.ui.job_list_model import COLUMNS, JobIdRole
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import QDialog, QPoint, Qt
from fieldkit.ui.signing_dialog import SigningDialog
from tests.services.fixtures import seed_job
from tests.ui.dialogs import answer_dialogs, type_text
from tests.ui.strokes import draw_signature


def open_job(qtbot: QtBot, ctx: ServiceContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.table.setCurrentIndex(window.model.index(0, 0))
    assert window.workspace.job_id == window.model.data(window.model.index(0, 0), JobIdRole)
    return window


def test_next_step_is_the_big_button_and_runs_through_services(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    seed_job(ctx)
    window = open_job(qtbot, ctx)
    ws = window.workspace
    assert ws.primary.text() == "Accept job" and ws.primary.isEnabled()
    with qtbot.waitSignal(ws.changed):
        qtbot.mouseClick(ws.primary, Qt.MouseButton.LeftButton)
    assert queries.job_detail(ctx, "j1").status == "accepted"
    job_cell = window.model.index(0, COLUMNS.index("job"))
    assert window.model.data(job_cell).endswith("\nAccepted")  # the row refreshed in place
    assert ws.primary.text() == "Depart for site"


@pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen
def test_arrival_asks_for_the_system_owner_and_cancel_changes_nothing(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    seed_job(ctx, status="travelling")
    window = open_job(qtbot, ctx)
    ws = window.workspace
    assert ws.primary.text() == "Arrive and confirm the problem"
    prompts = answer_dialogs(qtbot, [None])  # Cancel at the prompt
    qtbot.mouseClick(ws.primary, Qt.MouseButton.LeftButton)
    assert prompts == ["Who confirmed the problem on site (system owner)?"]
    assert queries.job_detail(ctx, "j1").status == "travelling"
    answer_dialogs(qtbot, ["王主管"])
    with qtbot.waitSignal(ws.changed):
        qtbot.mouseClick(ws.primary, Qt.MouseButton.LeftButton)
    detail = queries.job_detail(ctx, "j1")
    assert (detail.status, detail.confirmed_with) == ("on_site", "王主管")


def test_repair_is_disabled_with_the_reason_until_backup_is_complete(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    seed_job(ctx, status="backed_up")
    window = open_job(qtbot, ctx)
    ws = window.workspace
    assert ws.primary.text() == "Start repair" and not ws.primary.isEnabled()
    assert ws.reason.text().startswith("Back up first: 4 of 4 backup items missing")
    assert ws.fields["backup"].text() == "0 of 4 done"
    escalate = [b for b in ws.secondary_buttons() if b.property("action") == "escalate"]
    assert escalate == []  # escalation is offered while diagnosing or repairing only


def test_not_installed_by_us_banner(qtbot: QtBot, ctx: ServiceContext) -> None:
    from fieldkit.store import models as m

    seed_job(ctx)
    with ctx.db.write() as s:
        site = s.get(m.Site, "s1")
        assert site is not None
        site.installed_by_us = False
    window = open_job(qtbot, ctx)
    assert not window.workspace.banner.isHidden()
    assert "not installed by us" in window.workspace.banner.text()


def test_blocked_forward_step_stays_the_big_button_escalation_secondary(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    seed_job(ctx, status="diagnosing", job_type="remote_resolution")
    window = open_job(qtbot, ctx)
    ws = window.workspace
    assert ws.primary.text() == "Resolve remotely" and not ws.primary.isEnabled()
    assert ws.reason.text() == "Classify the cause before resolving"
    assert [b.text() for b in ws.secondary_buttons()] == ["Escalate to the center"]


def test_walk_a_job_from_assigned_to_resolved_in_the_app(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: object
) -> None:
    from pathlib import Path

    from fieldkit.ui.qt import QCheckBox, QLineEdit, QPushButton

    seed_job(ctx)
    window = open_job(qtbot, ctx)
    ws = window.workspace
    answers = iter(["王主管", "更换电源模块 replaced PSU"])
    ws._ask = lambda _prompt: next(answers)
    backup_file = Path(str(tmp_path)) / "config.tar"
    backup_file.write_bytes(b"exported configuration")
    ws.backup._choose = lambda _title, _kind: backup_file

    def click_primary(expected: str) -> None:
        assert ws.primary.text() == expected and ws.primary.isEnabled(), ws.reason.text()
        qtbot.mouseClick(ws.primary, Qt.MouseButton.LeftButton)

    for step in (
        "Accept job",
        "Depart for site",
        "Arrive and confirm the problem",
        "Start diagnosis",
    ):
        click_primary(step)
    assert queries.job_detail(ctx, "j1").confirmed_with == "王主管"
    # Backing up is refused until the diagnosis is saved and every item has evidence.
    assert ws.primary.text() == "Confirm backup complete" and not ws.primary.isEnabled()
    assert "classify the cause" in ws.reason.text()
    assert not ws.backup.isHidden() and not ws.diagnosis.isHidden()
    ws.diagnosis.area.setCurrentIndex(ws.diagnosis.area.findData("hardware"))
    ws.diagnosis.origin.setCurrentIndex(ws.diagnosis.origin.findData("system_fault"))
    ws.diagnosis.found.setText("电源输出电压偏低")
    qtbot.mouseClick(ws.diagnosis.save, Qt.MouseButton.LeftButton)
    assert ws.reason.text().startswith("Back up first: 4 of 4")
    for _round in range(4):  # each piece of evidence rebuilds the rows
        rows = [ws.backup.items.itemAt(i).widget() for i in range(ws.backup.items.count())]
        row = next(r for r in rows if r is not None and not r.property("done"))
        kind = row.property("kind")
        if kind == "tick":
            row.findChild(QCheckBox).setChecked(True)
        elif kind == "text":
            row.findChild(QLineEdit).setText("V5.2.1")
            qtbot.mouseClick(row.findChild(QPushButton), Qt.MouseButton.LeftButton)
        else:  # a file is copied into the store off the UI thread
            qtbot.mouseClick(row.findChild(QPushButton, "attach"), Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: not ws.backup.busy)
    assert ws.backup.progress.text().endswith("4 of 4 done"), ws.backup.message.text()
    click_primary("Confirm backup complete")
    click_primary("Start repair")
    click_primary("Resolve")
    detail = queries.job_detail(ctx, "j1")
    assert (detail.status, detail.resolution) == ("resolved", "更换电源模块 replaced PSU")
    assert detail.cause == "hardware / system_fault"
    assert window.model.data(window.model.index(0, COLUMNS.index("job"))).endswith("\nResolved")


def test_refusal_reasons_are_translated(qtbot: QtBot, ctx: ServiceContext) -> None:
    from fieldkit.i18n import set_language

    seed_job(ctx, status="backed_up")
    set_language("zh_CN")
    try:
        window = open_job(qtbot, ctx)
        assert window.workspace.primary.text() == "开始维修"
        assert window.workspace.reason.text().startswith("请先备份：4 项备份中还缺 4 项")
    finally:
        set_language("en")


def sign_and_lock(qtbot: QtBot, dialog: SigningDialog) -> bool:
    """What the customer presses once the pads are signed: a rating, Sign, then Lock."""
    qtbot.mouseClick(dialog.satisfaction.buttons[4], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.sign, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.confirm.lock, Qt.MouseButton.LeftButton)
    return dialog.result() == QDialog.DialogCode.Accepted


@pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen
def test_customer_signs_on_the_pad_and_the_slip_is_locked(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    seed_job(ctx, status="resolved")
    window = open_job(qtbot, ctx)
    ws = window.workspace
    assert ws.primary.text() == "Customer signs the slip" and ws.primary.isEnabled()
    dialog = SigningDialog(ctx, "j1")
    qtbot.addWidget(dialog)
    dialog.resize(800, 500)
    dialog.show()
    dialog.signer.name.lineEdit().clear()
    type_text(qtbot, dialog.signer.name.lineEdit(), "李经理")
    qtbot.mouseClick(dialog.satisfaction.buttons[4], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.sign, Qt.MouseButton.LeftButton)  # an empty pad
    assert "too short" in dialog.error.text() and dialog.confirm.isHidden()
    pad = dialog.pad
    draw_signature(qtbot, pad)
    draw_signature(qtbot, dialog.engineer.pad)  # the engineer signs beside the customer
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(60, 160))
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(60, 160))
    assert len(pad.strokes) == 2
    qtbot.mouseClick(dialog.undo, Qt.MouseButton.LeftButton)
    assert len(pad.strokes) == 1
    ws._sign = lambda _job: sign_and_lock(qtbot, dialog)  # the dialog above, already signed
    with qtbot.waitSignal(ws.changed):
        qtbot.mouseClick(ws.primary, Qt.MouseButton.LeftButton)
    assert queries.job_detail(ctx, "j1").status == "signed"
    slip = slips.load_slip(ctx, dialog.slip_id or "")
    assert slip.verify() and slip.content()["signatures"][0]["name"] == "李经理"
    assert slip.content()["satisfaction"] == 4


@pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen
def test_slip_preview_before_signing_and_export_after(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path
) -> None:
    seed_job(ctx, status="resolved")
    window = open_job(qtbot, ctx)
    ws = window.workspace
    assert ws.slip_button.isHidden()  # nothing signed yet
    dialog = SigningDialog(ctx, "j1")
    qtbot.addWidget(dialog)
    dialog.resize(800, 500)
    dialog.show()
    dialog.present = lambda _d: None  # offscreen: no window manager
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=20000)
    assert dialog.preview is not None
    qtbot.addWidget(dialog.preview)
    qtbot.waitUntil(
        lambda: bool(dialog.preview and dialog.preview.viewer.view.pages), timeout=20000
    )
    assert queries.job_detail(ctx, "j1").status == "resolved"  # a preview signs nothing

    dialog.signer.name.lineEdit().clear()
    type_text(qtbot, dialog.signer.name.lineEdit(), "李经理")
    pad = dialog.pad
    draw_signature(qtbot, pad)
    draw_signature(qtbot, dialog.engineer.pad)  # the engineer signs beside the customer
    ws._sign = lambda _job: sign_and_lock(qtbot, dialog)  # the dialog above, already signed
    with qtbot.waitSignal(ws.changed):
        qtbot.mouseClick(ws.primary, Qt.MouseButton.LeftButton)
    assert not ws.slip_button.isHidden()

    ws.present = lambda _d: None
    exported = []
    for n in range(2):  # reprint: the very same bytes each time
        ws.preview = None
        qtbot.mouseClick(ws.slip_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: ws.preview is not None, timeout=20000)
        assert ws.preview is not None
        qtbot.addWidget(ws.preview)
        target = Path(str(tmp_path)) / f"slip-{n}.pdf"
        ws.preview.choose_target = lambda _name, t=target: t
        qtbot.mouseClick(ws.preview.export_button, Qt.MouseButton.LeftButton)
        exported.append(target.read_bytes())
    assert exported[0] == exported[1] and exported[0].startswith(b"%PDF")

    # Print or share: a copy named after the slip goes to the device's PDF app.
    handed: list[Path] = []
    ws.preview.open_external = lambda url: handed.append(Path(url.toLocalFile())) or True
    qtbot.mouseClick(ws.preview.share_button, Qt.MouseButton.LeftButton)
    [copy] = handed
    assert copy.read_bytes() == exported[0]
    assert copy.name.startswith("SO-j1") and ws.preview.status.text() == "Opened in the PDF app"
    ws.preview.open_external = lambda _url: False  # nothing on this device opens PDFs
    # The export it offers instead: the engineer cancels the save dialog.
    offered: list[str] = []
    ws.preview.choose_target = lambda name: offered.append(name) or None
    qtbot.mouseClick(ws.preview.share_button, Qt.MouseButton.LeftButton)
    assert offered and offered[0].startswith("SO-j1")
    assert ws.preview.status.text().startswith("No app on this device opens PDF files")


def test_old_slip_previews_are_swept_when_a_new_one_is_written(tmp_path: object) -> None:
    import os
    import time
    from pathlib import Path

    from fieldkit.ui.pdf_preview import PREVIEW_MAX_AGE_S, write_temp_pdf

    folder = Path(str(tmp_path)) / "previews"
    old = write_temp_pdf(b"%PDF-1.4 old", "slip-preview", folder)
    recent = write_temp_pdf(b"%PDF-1.4 recent", "slip-preview", folder)
    stale = time.time() - PREVIEW_MAX_AGE_S - 60
    os.utime(old, (stale, stale))
    new = write_temp_pdf(b"%PDF-1.4 new", "slip-preview", folder)
    assert not old.exists()
    assert recent.read_bytes() == b"%PDF-1.4 recent" and new.read_bytes() == b"%PDF-1.4 new"
    assert new.name.startswith("slip-preview-") and new.suffix == ".pdf"


def test_a_file_is_attached_off_the_ui_thread_and_a_refusal_keeps_nothing(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: object
) -> None:
    import hashlib
    import threading
    from pathlib import Path

    from fieldkit.services import checklists, jobs
    from fieldkit.ui.backup_panel import BackupPanel
    from fieldkit.ui.qt import QLabel, QLineEdit, QPushButton

    seed_job(ctx, status="on_site")
    jobs.start_diagnosis(ctx, "j1")
    big = Path(str(tmp_path)) / "recordings-index.db"
    big.write_bytes(b"\0" * (2 << 20))
    panel = BackupPanel(ctx, choose_file=lambda _title, _kind: big)
    qtbot.addWidget(panel)
    panel.cameras_present = lambda: False
    panel.show_job("j1")

    def file_row() -> object:
        rows = [panel.items.itemAt(i).widget() for i in range(panel.items.count())]
        return next(r for r in rows if r is not None and r.property("kind") == "file")

    ctx.blobs.max_bytes = 1 << 20  # the store's size limit, made small
    with qtbot.waitSignal(panel.changed):
        qtbot.mouseClick(file_row().findChild(QPushButton, "attach"), Qt.MouseButton.LeftButton)
    assert "larger than the 1 MiB limit" in panel.message.text()
    assert file_row().property("done") is False and panel.working.isHidden()
    view = checklists.backup_checklist(ctx, "j1")
    assert view is not None and "Export configuration" in view.progress.missing

    # The copy is held just before it lands in the store: the panel is still usable.
    ctx.blobs.max_bytes = 64 << 20
    release = threading.Event()
    ctx.blobs.before_rename = lambda _tmp: release.wait(30)
    qtbot.mouseClick(file_row().findChild(QPushButton, "attach"), Qt.MouseButton.LeftButton)
    assert panel.busy and panel.working.text() == "Attaching recordings-index.db (2.0 MB)…"
    assert not any(b.isEnabled() for b in panel.findChildren(QPushButton, "attach"))
    assert panel.message.text() == ""
    with qtbot.waitSignal(panel.changed):
        release.set()
    assert file_row().property("done") is True and not panel.busy
    assert all(b.isEnabled() for b in panel.findChildren(QPushButton, "attach"))
    # What was kept is shown under the item: name, size and the hash the slip will list.
    sha = hashlib.sha256(big.read_bytes()).hexdigest()
    shown = file_row().findChild(QLabel, "evidence")
    assert shown is not None
    assert shown.text().startswith(f"recordings-index.db · 2.0 MB · SHA-256 {sha[:16]}… · ")

    def text_row() -> object:
        rows = [panel.items.itemAt(i).widget() for i in range(panel.items.count())]
        return next(r for r in rows if r is not None and r.property("kind") == "text")

    text_row().findChild(QLineEdit).setText("V5.2.1 build 0934")
    qtbot.mouseClick(text_row().findChild(QPushButton), Qt.MouseButton.LeftButton)
    assert text_row().findChild(QLabel, "evidence").text().startswith("“V5.2.1 build 0934” · ")
