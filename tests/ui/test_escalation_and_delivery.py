"""Escalating from the workspace and sending the signed slip by e-mail, driven through the
visible widgets as an engineer does; and "Print or share" without a PDF app."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from fieldkit.domain.enums import SignerRole
from fieldkit.i18n import _, set_language
from fieldkit.services import escalations, queries, slips
from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m
from fieldkit.ui.escalation_panel import FINDINGS_PROMPT, EscalationDialog
from fieldkit.ui.qt import QFileDialog, QLabel, QPushButton, Qt
from tests.services.fixtures import seed_job, signature
from tests.ui.test_job_workspace import open_job

CLICK = Qt.MouseButton.LeftButton
# The offscreen platform says so when a dialog is shown; a real window manager does not.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def retype(qtbot: QtBot, widget: object, text: str) -> None:
    """Select what the field holds and type over it, as on a keyboard."""
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # type: ignore[arg-type]
    qtbot.keyClick(widget, Qt.Key.Key_Delete)  # type: ignore[arg-type]
    qtbot.keyClicks(widget, text)  # type: ignore[arg-type]


def test_escalation_screen_records_category_and_files_and_the_workspace_shows_it(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path
) -> None:
    seed_job(ctx, status="diagnosing")
    window = open_job(qtbot, ctx)
    ws = window.workspace
    assert ws.escalation.isHidden()  # nothing escalated yet
    [button] = [b for b in ws.secondary_buttons() if b.property("action") == "escalate"]
    qtbot.mouseClick(button, CLICK)
    dialog = ws.escalation_dialog
    assert dialog is not None and dialog.isVisible()
    labels = [w.text() for w in dialog.findChildren(QLabel)]
    assert FINDINGS_PROMPT in labels
    assert not any("bring back" in text for text in labels)
    qtbot.keyClicks(dialog.reason, "Mainboard dead, no spare on site")
    qtbot.keyClicks(dialog.findings, "E42 watchdog reset; RMA with the vendor")
    log = tmp_path / "controller.log"
    log.write_text("E42 watchdog reset\n" * 50)
    dialog.pick_files = lambda: [log]
    qtbot.mouseClick(dialog.attach, CLICK)
    assert dialog.files.count() == 1 and dialog.files.item(0).text() == "controller.log"

    qtbot.mouseClick(dialog.submit_button, CLICK)  # no category chosen
    qtbot.waitUntil(lambda: "Choose what the center needs" in dialog.error.text())
    assert dialog.isVisible() and queries.job_detail(ctx, "j1").status == "diagnosing"

    qtbot.mouseClick(dialog.category_buttons["vendor"], CLICK)
    with qtbot.waitSignal(ws.changed, timeout=10000):
        qtbot.mouseClick(dialog.submit_button, CLICK)
    assert not dialog.isVisible()
    assert queries.job_detail(ctx, "j1").status == "escalated"
    [view] = escalations.escalations(ctx, "j1")
    assert view.category.value == "vendor" and [f.filename for f in view.files] == [
        "controller.log"
    ]
    assert ctx.blobs.read_bytes(view.files[0].sha256) == log.read_bytes()
    assert not ws.escalation.isHidden()
    assert ws.escalation.state.text().startswith("Not sent yet")
    body = ws.escalation.body.text()
    assert "Needs the vendor" in body and "Mainboard dead" in body and "controller.log" in body
    with ctx.db.read() as s:
        [mutation] = s.scalars(
            select(m.OutboxMutation).where(m.OutboxMutation.name == "job.escalate.v1")
        ).all()
    assert mutation.blob_refs == [view.files[0].sha256]  # pushed after the blob is confirmed


def test_the_escalation_screen_reads_in_chinese(qtbot: QtBot, ctx: ServiceContext) -> None:
    seed_job(ctx, status="diagnosing")
    set_language("zh_CN")
    try:
        dialog = EscalationDialog(ctx, "j1")
        qtbot.addWidget(dialog)
        labels = [w.text() for w in dialog.findChildren(QLabel)]
        assert "您发现了什么？服务中心继续处理需要了解哪些情况？" in labels
        assert dialog.category_buttons["needs_part"].text() == "需要备件"
        assert dialog.submit_button.text() == _("Escalate to the center")
    finally:
        set_language("en")


def signed_job(ctx: ServiceContext) -> None:
    seed_job(ctx, status="resolved")
    with ctx.db.write() as s:
        s.add(
            m.SiteContact(site_id="s1", role="system_owner", name="李经理", email="li@example.cn")
        )
        s.add(m.SiteContact(site_id="s1", role="installer", name="安装队", email=""))
    slips.sign_slip(ctx, "j1", signature(), signature(SignerRole.ENGINEER, "王工"), satisfaction=4)


def test_send_the_signed_slip_by_email_offered_from_the_site_contacts(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    signed_job(ctx)
    window = open_job(qtbot, ctx)
    ws = window.workspace
    assert not ws.delivery.isHidden() and ws.delivery.status.isHidden()
    qtbot.mouseClick(ws.delivery.send, CLICK)
    dialog = ws.delivery.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.to.count() == 1 and dialog.to.itemData(0) == "li@example.cn"  # with e-mail
    assert "李经理" in dialog.to.currentText()  # the system owner is offered first

    retype(qtbot, dialog.to.lineEdit(), "li.wei@localhost")
    qtbot.mouseClick(dialog.send, CLICK)
    assert "li.wei@localhost is not an e-mail address" in dialog.error.text()
    assert dialog.isVisible()
    retype(qtbot, dialog.to.lineEdit(), "ops@customer-example.com")
    with qtbot.waitSignal(ws.changed):
        qtbot.mouseClick(dialog.send, CLICK)
    assert not dialog.isVisible()
    assert ws.delivery.status.text() == (
        "Queued for ops@customer-example.com: goes to the center with the next sync"
    )

    qtbot.mouseClick(ws.delivery.send, CLICK)  # again, to the contact as offered
    second = ws.delivery.dialog
    assert second is not None and second is not dialog
    assert second.language.currentText() == "Chinese"  # the customer's language
    qtbot.keyClick(second.language, Qt.Key.Key_Down)  # this reader prefers English
    qtbot.mouseClick(second.send, CLICK)
    with ctx.db.read() as s:
        sent = s.scalars(
            select(m.OutboxMutation)
            .where(m.OutboxMutation.name == "slip.send_email.v1")
            .order_by(m.OutboxMutation.seq)
        ).all()
    assert [(x.args["to"], x.args["language"]) for x in sent] == [
        ("ops@customer-example.com", "zh_CN"),
        ("li@example.cn", "en"),
    ]
    lines = ws.delivery.status.text().splitlines()  # one line per e-mail (same clock here)
    assert len(lines) == 2 and any(x.startswith("Queued for li@example.cn") for x in lines)


def test_print_or_share_without_a_pdf_app_offers_export(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_job(ctx)
    window = open_job(qtbot, ctx)
    ws = window.workspace
    ws.present = lambda _d: None
    qtbot.mouseClick(ws.slip_button, CLICK)
    qtbot.waitUntil(lambda: ws.preview is not None, timeout=20000)
    preview = ws.preview
    assert preview is not None
    qtbot.addWidget(preview)
    preview.open_external = lambda _url: False  # nothing on this device opens PDFs
    target = tmp_path / "for-the-customer.pdf"
    asked: list[str] = []

    def save_dialog(*args: object, **kw: object) -> tuple[str, str]:
        asked.append(str(args[1]))  # the OS's save dialog: the engineer picks a USB stick
        return str(target), "PDF (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    [share] = [b for b in preview.findChildren(QPushButton) if b.text() == "Print or share…"]
    qtbot.mouseClick(share, CLICK)
    assert asked == ["Export PDF…"]
    assert target.read_bytes().startswith(b"%PDF")
    assert preview.status.text() == f"Saved to {target}"


def test_the_workspace_follows_the_escalation_to_the_reassignment(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    seed_job(ctx, status="escalated")
    with ctx.db.write() as s:  # as the sync brings it: recorded here, taken by the center
        s.add(
            m.Escalation(
                job_id="j1",
                at=ctx.clock.now(),
                by="eng-zhao",
                reason="No spare",
                findings="E42",
                category="needs_part",
            )
        )
    window = open_job(qtbot, ctx)
    ws = window.workspace
    assert ws.escalation.state.text().startswith("Waiting for the center")
    assert "Needs a part" in ws.escalation.body.text() and "eng-zhao" in ws.escalation.body.text()
    with ctx.db.write() as s:  # the center re-assigned it to this engineer (a pulled change)
        job = s.get(m.Job, "j1")
        assert job is not None
        job.status = "assigned"
    ws.show_job("j1")  # what the workspace does after a sync changed the job
    assert ws.escalation.state.text() == "The center re-assigned the job to eng-wang"
    assert ws.primary.text() == "Accept job"
