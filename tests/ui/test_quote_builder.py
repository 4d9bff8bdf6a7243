"""Post-warranty work in the app: a paid part is refused until the customer approved a
quote by signing; a declined quote stays on record with the reason."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from fieldkit.domain.enums import QuoteStatus
from fieldkit.services import quote_views
from fieldkit.services.context import ServiceContext
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import Qt
from fieldkit.ui.quote_builder import ApprovalDialog
from tests.services.fixtures import seed_job
from tests.ui.strokes import draw_signature


def quote_tab(qtbot: QtBot, ctx: ServiceContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.table.setCurrentIndex(window.model.index(0, 0))
    window.tabs.setCurrentWidget(window.quote)
    return window


def signed_approval(qtbot: QtBot, total: str) -> ApprovalDialog:
    dialog = ApprovalDialog(total)
    qtbot.addWidget(dialog)
    dialog.resize(800, 500)
    dialog.name.setText("李经理")
    pad = dialog.pad
    draw_signature(qtbot, pad)
    return dialog


def test_paid_part_needs_the_signed_quote(qtbot: QtBot, ctx: ServiceContext) -> None:
    seed_job(ctx, paid=True, status="repairing")
    window = quote_tab(qtbot, ctx)
    builder = window.quote
    assert "Post-warranty" in builder.billing.text()
    assert builder.status.text() == "No quote yet for this job."
    answers = iter(["SN-OLD-1", "SN-NEW-1"] * 2)
    builder.ask = lambda _prompt: next(answers)
    builder.part_search.setText("PSU")
    assert builder.parts.count() >= 1
    # Before any approved quote the replacement is refused, with the reason.
    assert not builder.record_replacement()
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
    assert builder.lines.rowCount() == 3
    assert quote.totals.total.amount > quote.totals.subtotal.amount  # tax added
    assert f"{quote.totals.total.amount:,.2f}" in builder.totals.text()

    builder.approve_with = lambda total: signed_approval(qtbot, total)
    qtbot.mouseClick(builder.approve, Qt.MouseButton.LeftButton)
    quote = builder.current()
    assert quote is not None and quote.status is QuoteStatus.APPROVED, builder.error.text()
    assert "李经理" in builder.status.text()
    assert not builder.add_part.isEnabled()  # an approved quote is locked

    assert builder.record_replacement(), builder.error.text()
    assert "replaced" in builder.error.text()


def test_declined_quote_is_kept_with_the_reason(qtbot: QtBot, ctx: ServiceContext) -> None:
    seed_job(ctx, paid=True, status="repairing")
    builder = quote_tab(qtbot, ctx).quote
    builder.start_quote()
    builder.part_search.setText("PSU")
    builder.add_selected_part()
    answers = iter(["王主管", "价格超出预算"])
    builder.ask = lambda _prompt: next(answers)
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
    builder.start_quote()
    builder.part_search.setText("PSU")
    builder.add_selected_part()
    builder.show_preview()
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
