"""Post-warranty work in the app: a paid part is refused until the customer approved a
quote by signing; a declined quote stays on record with the reason."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.domain.enums import QuoteStatus
from fieldkit.services import quote_views
from fieldkit.services.context import ServiceContext
from fieldkit.ui.approval_dialog import ApprovalDialog
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import QDialog, Qt
from tests.services.fixtures import seed_job
from tests.ui.dialogs import answer_dialogs, type_text
from tests.ui.strokes import draw_signature

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen


def quote_tab(qtbot: QtBot, ctx: ServiceContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.table.setCurrentIndex(window.model.index(0, 0))
    window.tabs.setCurrentWidget(window.quote)
    return window


def sign_on_screen(qtbot: QtBot, dialog: ApprovalDialog, name: str = "李经理") -> bool:
    """The customer types their name, signs and taps Approve on the approval screen."""
    qtbot.addWidget(dialog)
    dialog.resize(1000, 700)
    dialog.show()
    edit = dialog.signer.name.lineEdit()
    assert edit is not None
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, edit, name)
    draw_signature(qtbot, dialog.signer.pad)
    qtbot.mouseClick(dialog.approve, Qt.MouseButton.LeftButton)
    return dialog.result() == QDialog.DialogCode.Accepted


def test_paid_part_needs_the_signed_quote(qtbot: QtBot, ctx: ServiceContext) -> None:
    seed_job(ctx, paid=True, status="repairing")
    window = quote_tab(qtbot, ctx)
    builder = window.quote
    assert "Post-warranty" in builder.billing.text()
    assert builder.status.text() == "No quote yet for this job."
    qtbot.keyClicks(builder.part_search, "PSU")
    assert builder.parts.count() >= 1
    # Before any approved quote the replacement is refused, with the reason.
    answer_dialogs(qtbot, ["SN-OLD-1", "SN-NEW-1"])
    qtbot.mouseClick(builder.replace, Qt.MouseButton.LeftButton)
    assert "must approve a quote" in builder.error.text()

    qtbot.mouseClick(builder.new_quote, Qt.MouseButton.LeftButton)
    assert builder.current() is not None
    assert not builder.approve.isEnabled()  # nothing to approve yet
    qtbot.mouseClick(builder.add_part, Qt.MouseButton.LeftButton)
    builder.hours.setValue(1.5)
    qtbot.mouseClick(builder.add_labour, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(builder.add_travel, Qt.MouseButton.LeftButton)
    quote = builder.current()
    assert quote is not None and len(quote.lines) == 3
    assert builder.lines.table.rowCount() == 3
    assert quote.totals.total.amount > quote.totals.subtotal.amount  # tax added
    assert f"{quote.totals.total.amount:,.2f}" in builder.totals.text()

    builder.approve_with = lambda dialog: sign_on_screen(qtbot, dialog)
    qtbot.mouseClick(builder.approve, Qt.MouseButton.LeftButton)
    quote = builder.current()
    assert quote is not None and quote.status is QuoteStatus.APPROVED, builder.error.text()
    assert "李经理" in builder.status.text()
    assert not builder.add_part.isEnabled()  # an approved quote is locked

    answer_dialogs(qtbot, ["SN-OLD-1", "SN-NEW-1"])
    qtbot.mouseClick(builder.replace, Qt.MouseButton.LeftButton)
    assert "replaced" in builder.error.text()


def test_declined_quote_is_kept_with_the_reason(qtbot: QtBot, ctx: ServiceContext) -> None:
    seed_job(ctx, paid=True, status="repairing")
    builder = quote_tab(qtbot, ctx).quote
    qtbot.mouseClick(builder.new_quote, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(builder.part_search, "PSU")
    qtbot.mouseClick(builder.add_part, Qt.MouseButton.LeftButton)
    answer_dialogs(qtbot, ["王主管", "价格超出预算"])
    qtbot.mouseClick(builder.decline, Qt.MouseButton.LeftButton)
    [quote] = quote_views.quotes_for_job(ctx, "j1")
    assert quote.status is QuoteStatus.DECLINED
    assert (quote.decided_by, quote.decline_reason) == ("王主管", "价格超出预算")
    assert "价格超出预算" in builder.status.text()


def test_quote_preview_renders_off_the_ui_thread(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: object
) -> None:
    from pathlib import Path

    seed_job(ctx, paid=True, status="repairing")
    builder = quote_tab(qtbot, ctx).quote
    builder.present = lambda _dialog: None  # offscreen: no window manager to show it on
    qtbot.mouseClick(builder.new_quote, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(builder.part_search, "PSU")
    qtbot.mouseClick(builder.add_part, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(builder.preview_button, Qt.MouseButton.LeftButton)
    assert not builder.preview_button.isEnabled()  # rendering in the background
    qtbot.waitUntil(lambda: builder.preview is not None, timeout=20000)
    preview = builder.preview
    assert preview is not None
    qtbot.addWidget(preview)
    qtbot.waitUntil(lambda: bool(preview.viewer.view.pages), timeout=20000)
    target = Path(str(tmp_path)) / "quote.pdf"
    preview.choose_target = lambda _name: target
    qtbot.mouseClick(preview.export_button, Qt.MouseButton.LeftButton)
    assert target.read_bytes().startswith(b"%PDF")
