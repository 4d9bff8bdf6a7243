"""What the engineer saves on a job is that job's, shows its true state, and can be corrected
while the rules allow: the diagnosis, the backup checklist, photos, the facts on record."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from fieldkit.domain.enums import CauseArea, CauseOrigin
from fieldkit.services import checklists, jobs, queries
from fieldkit.services.context import ServiceContext, open_context
from fieldkit.store import models as m
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.photo_view import PhotoDialog
from fieldkit.ui.qt import QCheckBox, QImage, QLabel, QPoint, QPushButton, Qt, QWidget
from tests.services.fixtures import seed_job

OPTIONAL = "Photo of the rack label"
# Shown windows, on the offscreen platform.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def window_on(qtbot: QtBot, ctx: ServiceContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return window


def click_job(qtbot: QtBot, window: MainWindow, job_id: str) -> None:
    """Tap the job's row in the list, as the engineer does."""
    from fieldkit.ui.job_list_model import JobIdRole

    model = window.model
    row = next(
        r for r in range(model.rowCount()) if model.data(model.index(r, 0), JobIdRole) == job_id
    )
    rect = window.table.visualRect(model.index(row, 1))
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.workspace.job_id == job_id


def choose(qtbot: QtBot, combo: QWidget, presses: int) -> None:
    combo.setFocus()
    for _ in range(presses):
        qtbot.keyPress(combo, Qt.Key.Key_Down)


def rows(window: MainWindow) -> dict[str, QWidget]:
    panel = window.workspace.backup
    found = [panel.items.itemAt(i).widget() for i in range(panel.items.count())]
    by_label = {}
    for row in found:
        assert row is not None
        item_id = row.property("item_id")
        label = next(i.label for i in view_items(window) if i.id == item_id)
        by_label[label] = row
    return by_label


def view_items(window: MainWindow) -> list[checklists.ChecklistItem]:
    view = checklists.backup_checklist(window.workspace._ctx, window.workspace.job_id or "")
    assert view is not None
    return view.items


def tap(qtbot: QtBot, box: QCheckBox) -> None:
    """Tap the tick box itself (a wide row's middle is empty space)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(10, box.height() // 2))


def mark(row: QWidget) -> str:
    label = row.findChild(QLabel, "mark")
    assert label is not None
    return label.text()


def add_optional_tick(ctx: ServiceContext, job_id: str) -> None:
    with ctx.db.write() as s:
        s.add(
            m.ChecklistRunItem(
                run_id=f"run-{job_id}",
                position=5,
                label=OPTIONAL,
                evidence_kind="tick",
                required=False,
            )
        )


def answers_of(ctx: ServiceContext, label: str) -> list[bool]:
    with ctx.db.read() as s:
        return list(
            s.scalars(
                select(m.ChecklistAnswer.ticked)
                .join(m.ChecklistRunItem, m.ChecklistRunItem.id == m.ChecklistAnswer.run_item_id)
                .where(m.ChecklistRunItem.label == label)
                .order_by(m.ChecklistAnswer.at)
            )
        )


def test_the_diagnosis_form_shows_each_jobs_own_diagnosis_and_has_no_default_cause(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path
) -> None:
    seed_job(ctx, status="diagnosing", job_id="j1")
    seed_job(ctx, status="diagnosing", job_id="j2")
    window = window_on(qtbot, ctx)
    form = window.workspace.diagnosis
    click_job(qtbot, window, "j1")
    assert form.area.currentData() is None and form.origin.currentData() is None
    assert form.saved.text() == "Cause on record: Not classified yet"
    choose(qtbot, form.area, 1)  # Hardware
    choose(qtbot, form.origin, 2)  # System fault
    qtbot.keyClicks(form.found, "RAID battery failed")
    qtbot.mouseClick(form.save, Qt.MouseButton.LeftButton)
    one = queries.job_detail(ctx, "j1")
    assert (one.cause_area, one.cause_origin) == ("hardware", "system_fault")
    assert one.fault_found == "RAID battery failed"
    assert window.workspace.fields["cause"].text() == "Hardware / System fault"

    # The next job shows its own (empty) diagnosis, not the previous job's.
    click_job(qtbot, window, "j2")
    assert form.area.currentData() is None and form.origin.currentData() is None
    assert form.found.text() == ""
    assert form.saved.text() == "Cause on record: Not classified yet"
    qtbot.mouseClick(form.save, Qt.MouseButton.LeftButton)  # nothing chosen: says so
    assert form.message.text().startswith("Choose the cause first")
    two = queries.job_detail(ctx, "j2")
    assert (two.cause_area, two.cause_origin, two.fault_found) == ("", "", "")
    with ctx.db.read() as s:
        classified = s.scalars(
            select(m.OutboxMutation.entity_id).where(m.OutboxMutation.name == "job.classify.v1")
        ).all()
    assert classified == ["j1"]  # nothing was written onto the other job

    # After a restart the form loads the job's own saved diagnosis; saving keeps it.
    window.close()
    ctx.db.close()
    again = open_context(tmp_path / "data", "eng-wang", ctx.clock)
    try:
        window = window_on(qtbot, again)
        form = window.workspace.diagnosis
        click_job(qtbot, window, "j1")
        assert (form.area.currentData(), form.origin.currentData()) == (
            "hardware",
            "system_fault",
        )
        assert form.found.text() == "RAID battery failed"
        qtbot.mouseClick(form.save, Qt.MouseButton.LeftButton)
        after = queries.job_detail(again, "j1")
        assert (after.cause_area, after.cause_origin) == ("hardware", "system_fault")
        window.close()
    finally:
        again.db.close()


def test_an_optional_item_shows_open_and_can_be_answered_or_left_open(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    seed_job(ctx, status="diagnosing")
    add_optional_tick(ctx, "j1")
    window = window_on(qtbot, ctx)
    click_job(qtbot, window, "j1")
    optional = rows(window)[OPTIONAL]
    box = optional.findChild(QCheckBox)
    assert mark(optional) == "○" and optional.property("done") is False
    assert box.isEnabled() and not box.isChecked() and box.text() == f"{OPTIONAL} (optional)"
    tap(qtbot, box)
    optional = rows(window)[OPTIONAL]
    assert mark(optional) == "✓" and optional.findChild(QCheckBox).isChecked()
    assert answers_of(ctx, OPTIONAL) == [True]
    # Optional: it never counts towards the backup that unlocks the repair.
    assert window.workspace.backup.progress.text() == "Backup before repair: 0 of 4 done"


def test_a_tick_can_be_corrected_until_the_backup_is_confirmed_and_the_audit_keeps_both(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path
) -> None:
    seed_job(ctx, status="diagnosing")
    jobs.classify_cause(ctx, "j1", CauseArea.HARDWARE, CauseOrigin.SYSTEM_FAULT, "PSU")
    for item in checklists.backup_checklist(ctx, "j1").items:  # type: ignore[union-attr]
        if item.evidence_kind.value in ("file", "photo"):  # all but the tick box
            path = tmp_path / f"{item.id}.bin"
            path.write_bytes(item.id.encode())
            checklists.record_evidence(ctx, item.id, file=path)
        elif item.evidence_kind.value == "text":
            checklists.record_evidence(ctx, item.id, text="V5.2")
    window = window_on(qtbot, ctx)
    click_job(qtbot, window, "j1")
    label = "Owner agreed to downtime"
    tap(qtbot, rows(window)[label].findChild(QCheckBox))
    assert mark(rows(window)[label]) == "✓"
    ctx.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    # Ticked by mistake: untick it. A new answer; the first stays on record.
    box = rows(window)[label].findChild(QCheckBox)
    assert box.isEnabled() and box.isChecked()
    tap(qtbot, box)
    assert mark(rows(window)[label]) == "○"
    assert not rows(window)[label].findChild(QCheckBox).isChecked()
    assert answers_of(ctx, label) == [True, False]
    item_id = rows(window)[label].property("item_id")
    with ctx.db.read() as s:
        audit = s.scalars(
            select(m.AuditEntry).where(
                m.AuditEntry.action == "checklist.answer", m.AuditEntry.entity_id == item_id
            )
        ).all()
    assert [a.details["ticked"] for a in audit] == [True, False]
    assert audit[1].details["corrects"] is not None

    # Ticked again, the backup is complete and confirmed: from then on it is read-only.
    tap(qtbot, rows(window)[label].findChild(QCheckBox))
    assert answers_of(ctx, label) == [True, False, True]
    ws = window.workspace
    assert ws.primary.text() == "Confirm backup complete" and ws.primary.isEnabled()
    qtbot.mouseClick(ws.primary, Qt.MouseButton.LeftButton)
    assert queries.job_detail(ctx, "j1").status == "backed_up"
    box = rows(window)[label].findChild(QCheckBox)
    assert box.isChecked() and not box.isEnabled()
    assert not any(b.objectName() == "attach" for b in ws.backup.findChildren(QPushButton))


def test_the_workspace_shows_what_is_on_record_and_the_evidence_after_resolution(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path
) -> None:
    seed_job(ctx, status="travelling")
    jobs.record_arrival(ctx, "j1", "赵伟")
    jobs.start_diagnosis(ctx, "j1")
    jobs.classify_cause(ctx, "j1", CauseArea.SOFTWARE, CauseOrigin.HUMAN_ERROR, "配置被误删")
    photo = tmp_path / "wiring.png"
    image = QImage(640, 480, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkCyan)
    assert image.save(str(photo))
    for item in checklists.backup_checklist(ctx, "j1").items:  # type: ignore[union-attr]
        kind = item.evidence_kind.value
        if kind == "photo":
            checklists.record_evidence(ctx, item.id, file=photo)
        elif kind == "file":
            backup = tmp_path / "config.tar"
            backup.write_bytes(b"exported configuration")
            checklists.record_evidence(ctx, item.id, file=backup)
        else:
            checklists.record_evidence(ctx, item.id, ticked=kind == "tick", text="V5.2")
    jobs.confirm_backup(ctx, "j1")
    jobs.start_repair(ctx, "j1")
    jobs.resolve(ctx, "j1", "恢复配置 restored the configuration")

    window = window_on(qtbot, ctx)
    click_job(qtbot, window, "j1")
    ws = window.workspace
    assert ws.fields["confirmed_with"].text() == "赵伟"
    assert ws.fields["cause"].text() == "Software / Human error"
    assert ws.fields["resolution"].text() == "恢复配置 restored the configuration"
    # The checklist and its evidence stay in view, read-only.
    assert not ws.backup.isHidden()
    assert ws.backup.progress.text() == "Backup before repair: 4 of 4 done"
    assert all(mark(r) == "✓" for r in rows(window).values())
    assert not any(b.objectName() == "attach" for b in ws.backup.findChildren(QPushButton))
    assert not any(c.isEnabled() for c in ws.backup.findChildren(QCheckBox))
    shown = [label.text() for label in ws.backup.findChildren(QLabel, "evidence")]
    assert any(t.startswith("config.tar · ") for t in shown)
    assert any(t.startswith("“V5.2” · ") for t in shown)
    # A photo shows as a thumbnail; tapped, it opens full size.
    opened: list[PhotoDialog] = []
    ws.backup.present_photo = lambda dialog: opened.append(dialog)  # type: ignore[arg-type,func-returns-value]
    [thumb] = ws.backup.findChildren(QPushButton, "thumbnail")
    assert thumb.iconSize().width() == 96 and thumb.iconSize().height() == 72
    qtbot.mouseClick(thumb, Qt.MouseButton.LeftButton)
    assert len(opened) == 1
    qtbot.addWidget(opened[0])
    assert opened[0].image.pixmap().size().width() == 640
    assert not ws.diagnosis.isVisible()  # the cause is now one of the facts, not a form


def test_scrolling_past_the_diagnosis_never_changes_the_cause(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    from fieldkit.ui.qt import QApplication, QPointF, QWheelEvent

    seed_job(ctx, status="diagnosing")
    window = window_on(qtbot, ctx)
    click_job(qtbot, window, "j1")
    form = window.workspace.diagnosis
    center = QPointF(form.origin.rect().center())
    wheel = QWheelEvent(
        center,
        form.origin.mapToGlobal(center),
        QPoint(0, 0),
        QPoint(0, -120),  # one notch down, as a mouse wheel scrolls the workspace
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(form.origin, wheel)
    assert form.origin.currentData() is None  # still not classified


def test_a_tick_keeps_the_diagnosis_being_chosen_and_the_focus_on_its_item(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    from fieldkit.ui.qt import QApplication

    seed_job(ctx, status="diagnosing")
    window = window_on(qtbot, ctx)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    click_job(qtbot, window, "j1")
    form = window.workspace.diagnosis
    choose(qtbot, form.area, 2)  # Software, not saved yet
    label = "Owner agreed to downtime"
    tap(qtbot, rows(window)[label].findChild(QCheckBox))
    assert answers_of(ctx, label) == [True]
    assert form.area.currentData() == "software"  # still being chosen
    box = rows(window)[label].findChild(QCheckBox)
    assert QApplication.focusWidget() is box  # not thrown to the search box
