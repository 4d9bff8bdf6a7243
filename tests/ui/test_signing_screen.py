"""The customer's slip-signing screen by its visible controls: the name is offered from the
job's people, a refusal stays on this screen, Undo stroke and Cancel are there, and "Sign and
lock" first shows what becomes frozen, with a Cancel that goes back without locking."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.services import queries, quotes, slips
from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import QDialog, QPoint, Qt
from fieldkit.ui.signing_dialog import SigningDialog
from tests.services.fixtures import seed_job, signature
from tests.ui.dialogs import type_text
from tests.ui.strokes import draw_signature

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen


def workspace_of_a_resolved_job(qtbot: QtBot, ctx: ServiceContext) -> MainWindow:
    seed_job(ctx, paid=True, status="resolved")
    with ctx.db.write() as s:
        job = s.get(m.Job, "j1")
        assert job is not None
        job.confirmed_with = "王主管"
        job.resolution = "更换电源 replaced the PSU"
        s.add(m.SiteContact(site_id="s1", role="system_owner", name="张伟"))
    qid = quotes.create_quote(ctx, "j1").entity_id
    assert qid is not None
    quotes.add_quote_line(ctx, qid, quotes.QuoteLineKind.PART, 1, part_no="PSU-24V")
    quotes.record_customer_approval(ctx, qid, signature(name="李经理"))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.table.setCurrentIndex(window.model.index(0, 0))
    qtbot.mouseClick(window.tabs.tabBar(), Qt.MouseButton.LeftButton, pos=tab_centre(window, 2))
    assert window.quote.new_quote.isEnabled()  # seen before the slip is signed
    qtbot.mouseClick(window.tabs.tabBar(), Qt.MouseButton.LeftButton, pos=tab_centre(window, 0))
    return window


def tab_centre(window: MainWindow, index: int) -> QPoint:
    return window.tabs.tabBar().tabRect(index).center()


def test_sign_and_lock_pauses_on_what_becomes_frozen(qtbot: QtBot, ctx: ServiceContext) -> None:
    window = workspace_of_a_resolved_job(qtbot, ctx)
    ws = window.workspace
    seen: dict[str, object] = {}

    def customer_signs(job_id: str) -> bool:
        dialog = SigningDialog(ctx, job_id)
        qtbot.addWidget(dialog)
        dialog.resize(1100, 760)
        dialog.show()
        combo = dialog.signer.name
        # The quote's approver first, then who confirmed the problem, then the site's owner.
        seen["names"] = [combo.itemText(i) for i in range(combo.count())]
        assert combo.currentText() == "李经理"
        assert not dialog.cancel.isHidden() and dialog.cancel.isEnabled()

        # An empty pad: told on this screen, which stays open and unlocked.
        qtbot.mouseClick(dialog.sign, Qt.MouseButton.LeftButton)
        assert "too short" in dialog.error.text() and dialog.isVisible()
        assert dialog.confirm.isHidden()

        pad = dialog.signer.pad
        draw_signature(qtbot, pad)
        qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(60, 160))
        qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(60, 160))
        qtbot.mouseClick(dialog.signer.undo, Qt.MouseButton.LeftButton)
        assert len(pad.strokes) == 1
        draw_signature(qtbot, dialog.engineer.pad)  # the engineer signs beside the customer
        type_text(qtbot, dialog.comments, "处理及时")

        # Sign and lock: first the summary of what freezes, nothing locked yet.
        qtbot.mouseClick(dialog.sign, Qt.MouseButton.LeftButton)
        assert not dialog.confirm.isHidden() and dialog.signing.isHidden()
        summary = dialog.confirm.summary.text()
        facts = ("SO-j1", "上海示例大厦物业", "更换电源 replaced the PSU", "王主管", "处理及时")
        assert all(fact in summary for fact in facts), summary
        assert "0 of 4 items recorded" in summary and "李经理" in summary
        assert queries.job_detail(ctx, job_id).status == "resolved"
        # Cancel goes back to the slip, still unlocked and with the signature kept.
        qtbot.mouseClick(dialog.confirm.back, Qt.MouseButton.LeftButton)
        assert dialog.confirm.isHidden() and not dialog.signing.isHidden()
        assert len(pad.strokes) == 1 and queries.job_detail(ctx, job_id).status == "resolved"

        qtbot.mouseClick(dialog.sign, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(dialog.confirm.lock, Qt.MouseButton.LeftButton)
        seen["slip"] = dialog.slip_id
        return dialog.result() == QDialog.DialogCode.Accepted

    ws._sign = customer_signs
    with qtbot.waitSignal(ws.changed):
        qtbot.mouseClick(ws.primary, Qt.MouseButton.LeftButton)
    assert seen["names"] == ["李经理", "王主管", "张伟"]
    assert queries.job_detail(ctx, "j1").status == "signed"
    slip = slips.load_slip(ctx, str(seen["slip"]))
    assert slip.verify() and slip.content()["signatures"][0]["name"] == "李经理"
    assert slip.content()["comments"] == "处理及时"
    # The quote tab, opened after the signing, offers no new quote.
    qtbot.mouseClick(window.tabs.tabBar(), Qt.MouseButton.LeftButton, pos=tab_centre(window, 2))
    assert window.tabs.currentWidget() is window.quote
    assert not window.quote.new_quote.isEnabled()
    assert "this job takes no new quote" in window.quote.status.text()


def test_cancel_leaves_the_slip_unsigned(qtbot: QtBot, ctx: ServiceContext) -> None:
    window = workspace_of_a_resolved_job(qtbot, ctx)
    ws = window.workspace

    def customer_cancels(job_id: str) -> bool:
        dialog = SigningDialog(ctx, job_id)
        qtbot.addWidget(dialog)
        dialog.resize(1100, 760)
        dialog.show()
        draw_signature(qtbot, dialog.signer.pad)
        qtbot.mouseClick(dialog.cancel, Qt.MouseButton.LeftButton)
        assert not dialog.isVisible()
        return dialog.result() == QDialog.DialogCode.Accepted

    ws._sign = customer_cancels
    qtbot.mouseClick(ws.primary, Qt.MouseButton.LeftButton)
    assert queries.job_detail(ctx, "j1").status == "resolved"
    assert ws.primary.text() == "Customer signs the slip" and ws.primary.isEnabled()
