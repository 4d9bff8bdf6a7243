"""The engineer signs the slip too, on a second pad beside the customer's."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from fieldkit.services import documents, queries, slips
from fieldkit.services.context import ServiceContext
from fieldkit.services.settings import set_setting
from fieldkit.store import models as m
from fieldkit.ui.qt import Qt
from fieldkit.ui.signing_dialog import SigningDialog
from tests.services.fixtures import seed_job
from tests.ui.strokes import draw_signature


def test_slip_is_locked_only_with_the_engineers_signature_beside_the_customers(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    seed_job(ctx, status="resolved")
    with ctx.db.write() as s:  # on site 09:00-10:10 UTC, in Shanghai 17:00-18:10
        for kind, minutes in (("arrived", 0), ("started", 20), ("finished", 70)):
            at = ctx.clock.now() + timedelta(minutes=minutes)
            s.add(m.WorkLogEntry(job_id="j1", kind=kind, at=at, by="eng-wang"))
    dialog = SigningDialog(ctx, "j1")
    qtbot.addWidget(dialog)
    dialog.resize(1200, 600)
    assert dialog.engineer.name.text() == "eng-wang"  # the signed-in engineer
    assert dialog.on_site.text() == (
        "arrived 2026-11-20 17:00 +08:00 · started 2026-11-20 17:20 +08:00 · "
        "finished 2026-11-20 18:10 +08:00 (Asia/Shanghai)"
    )
    customer = dialog.signer.name.lineEdit()
    customer.clear()
    qtbot.keyClicks(customer, "Li Na")
    draw_signature(qtbot, dialog.signer.pad)
    qtbot.mouseClick(dialog.satisfaction.buttons[5], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.sign, Qt.MouseButton.LeftButton)
    assert "too short" in dialog.error.text() and dialog.result() == 0
    assert queries.job_detail(ctx, "j1").status == "resolved"

    engineer = dialog.engineer
    engineer.name.clear()
    qtbot.keyClicks(engineer.name, "Wang Jianguo")
    draw_signature(qtbot, engineer.pad)
    draw_signature(qtbot, engineer.pad)
    qtbot.mouseClick(engineer.undo, Qt.MouseButton.LeftButton)
    assert len(engineer.pad.strokes) == 1 and len(dialog.signer.pad.strokes) == 1
    qtbot.mouseClick(dialog.sign, Qt.MouseButton.LeftButton)
    assert queries.job_detail(ctx, "j1").status == "resolved"  # the pause before the lock
    qtbot.mouseClick(dialog.confirm.lock, Qt.MouseButton.LeftButton)
    assert queries.job_detail(ctx, "j1").status == "signed"
    slip = slips.load_slip(ctx, dialog.slip_id or "")
    content = slip.content()
    assert content["engineer"]["name"] == "Wang Jianguo"
    assert content["times"]["arrived"] == "2026-11-20T09:00:00.000000Z"
    assert [s["role"] for s in content["signatures"]] == ["customer", "engineer"]
    with ctx.db.read() as s:
        row = s.get(m.Slip, slip.id)
        assert row is not None and row.engineer_signature_id is not None
        signature = s.get(m.Signature, row.engineer_signature_id)
        assert signature is not None and signature.signer_name == "Wang Jianguo"


def test_engineer_pad_offers_the_name_the_center_knows(qtbot: QtBot, ctx: ServiceContext) -> None:
    seed_job(ctx, status="resolved")
    set_setting(ctx, "sync.display_name", "王建国")  # what login keeps from the center
    dialog = SigningDialog(ctx, "j1")
    qtbot.addWidget(dialog)
    assert dialog.engineer.name.text() == "王建国"


def test_customer_absent_slip_is_locked_with_the_engineers_reason(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path
) -> None:
    seed_job(ctx, status="resolved")
    dialog = SigningDialog(ctx, "j1")
    qtbot.addWidget(dialog)
    dialog.resize(1200, 700)
    engineer = dialog.engineer
    draw_signature(qtbot, engineer.pad)
    qtbot.mouseClick(engineer.lock_absent, Qt.MouseButton.LeftButton)
    assert "Say why the customer does not sign" in dialog.error.text()
    assert queries.job_detail(ctx, "j1").status == "resolved"

    qtbot.keyClicks(engineer.absent_reason, "Site closed, owner away until Monday")
    qtbot.mouseClick(engineer.lock_absent, Qt.MouseButton.LeftButton)
    assert queries.job_detail(ctx, "j1").status == "signed"
    slip = slips.load_slip(ctx, dialog.slip_id or "")
    content = slip.content()
    assert slip.verify()
    assert content["customer_absent"] == {"reason": "Site closed, owner away until Monday"}
    assert [s["role"] for s in content["signatures"]] == ["engineer"]
    with ctx.db.read() as s:
        row = s.get(m.Slip, slip.id)
        assert row is not None and row.customer_signature_id is None
        audit = s.query(m.AuditEntry).filter(m.AuditEntry.action == "slip.sign").one()
        assert "owner away" in str(audit.details)
    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(ctx.blobs.read_bytes(documents.slip_pdf(ctx, slip.id)))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    # The customer's language: Chinese.
    assert "客户未签字" in text and "客户满意度" not in text
    assert "工程师记录的原因：Site closed, owner away until Monday" in text
    assert "eng-wang · 工程师" in text and "· 客户 ·" not in text
    assert documents.verify_pdf(ctx, pdf).verdict is documents.Verdict.VALID
