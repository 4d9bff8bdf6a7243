"""The quote tab by its visible controls: a draft's line is corrected or removed, a mistaken
draft withdrawn, each quote's state is in the chooser, a signed job takes no new quote; the
approval screen shows the lines, offers the name, keeps its errors and has a Cancel."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.domain.enums import QuoteLineKind, QuoteStatus, SignerRole
from fieldkit.services import quote_views, quotes, slips
from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m
from fieldkit.ui.approval_dialog import ApprovalDialog
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import QDialog, QPoint, Qt, QTableWidget
from fieldkit.ui.quote_builder import QuoteBuilder
from tests.services.fixtures import seed_job, signature
from tests.ui.dialogs import answer_dialogs, type_text
from tests.ui.strokes import draw_signature

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen


def quote_tab(qtbot: QtBot, ctx: ServiceContext) -> QuoteBuilder:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.table.setCurrentIndex(window.model.index(0, 0))
    window.tabs.setCurrentWidget(window.quote)
    return window.quote


def click_row(qtbot: QtBot, table: QTableWidget, row: int) -> None:
    item = table.item(row, 0)
    assert item is not None
    qtbot.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualItemRect(item).center()
    )


def replace_text(qtbot: QtBot, widget: object, text: str) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)


def build_draft(qtbot: QtBot, builder: QuoteBuilder) -> None:
    qtbot.mouseClick(builder.new_quote, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(builder.part_search, "PSU")
    qtbot.mouseClick(builder.add_part, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(builder.add_travel, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(builder.add_travel, Qt.MouseButton.LeftButton)  # the second tap: a mistake


def test_a_drafts_lines_are_corrected_and_removed(qtbot: QtBot, ctx: ServiceContext) -> None:
    seed_job(ctx, paid=True, status="repairing")
    builder = quote_tab(qtbot, ctx)
    build_draft(qtbot, builder)
    panel = builder.lines
    assert panel.table.rowCount() == 3
    assert not panel.remove.isEnabled()  # nothing selected yet

    click_row(qtbot, panel.table, 2)
    qtbot.mouseClick(panel.remove, Qt.MouseButton.LeftButton)
    assert panel.table.rowCount() == 2, builder.error.text()

    click_row(qtbot, panel.table, 0)
    assert panel.description.text() == "24V 电源"
    replace_text(qtbot, panel.quantity, "2")
    replace_text(qtbot, panel.unit_price, "270")
    replace_text(qtbot, panel.description, "24V PSU, DIN rail")
    qtbot.mouseClick(panel.save, Qt.MouseButton.LeftButton)
    quote = builder.current()
    assert quote is not None, builder.error.text()
    line = quote.lines[0]
    assert (line.description, line.quantity, line.unit_price.amount) == (
        "24V PSU, DIN rail",
        Decimal(2),
        Decimal("270.00"),
    )
    assert panel.table.item(0, 4).text() == "540.00"  # type: ignore[union-attr]
    assert builder.totals.text() == "Subtotal 690.00 · tax 79.20 · total 769.20 CNY"

    click_row(qtbot, panel.table, 1)  # the travel line, removed with the Delete key
    qtbot.keyPress(panel.table, Qt.Key.Key_Delete)
    assert [li.description for li in quote_views.quotes_for_job(ctx, "j1")[0].lines] == [
        "24V PSU, DIN rail"
    ]


def test_a_mistaken_draft_is_withdrawn_and_each_quote_shows_its_state(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    seed_job(ctx, paid=True, status="repairing")
    builder = quote_tab(qtbot, ctx)
    build_draft(qtbot, builder)
    prompts = answer_dialogs(qtbot, ["travel added twice"])
    qtbot.mouseClick(builder.withdraw, Qt.MouseButton.LeftButton)
    assert "withdrawn" in prompts[0]
    [q1] = quote_views.quotes_for_job(ctx, "j1")
    assert q1.status is QuoteStatus.WITHDRAWN and q1.decline_reason == "travel added twice"
    assert "Withdrawn by eng-wang: travel added twice" in builder.status.text()
    assert not builder.approve.isEnabled() and not builder.add_part.isEnabled()
    assert not builder.withdraw.isEnabled()

    build_draft(qtbot, builder)
    texts = [builder.chooser.itemText(i) for i in range(builder.chooser.count())]
    assert texts[0].startswith("SO-j1-Q1 · Withdrawn · ") and texts[0].endswith(" CNY")
    assert texts[1].startswith("SO-j1-Q2 · Draft · ")
    assert builder.chooser.currentIndex() == 1  # the new draft is the one being built


def test_a_signed_job_takes_no_new_quote_and_a_stale_draft_only_withdraws(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    seed_job(ctx, paid=True, status="resolved")
    qid = quotes.create_quote(ctx, "j1").entity_id
    assert qid is not None
    quotes.add_quote_line(ctx, qid, QuoteLineKind.PART, 1, part_no="PSU-24V")
    slips.sign_slip(ctx, "j1", signature(), signature(SignerRole.ENGINEER, "王工"), satisfaction=4)
    builder = quote_tab(qtbot, ctx)
    assert "this job takes no new quote" in builder.status.text()
    assert not builder.new_quote.isEnabled()
    assert not builder.approve.isEnabled() and not builder.decline.isEnabled()
    click_row(qtbot, builder.lines.table, 0)
    assert not builder.lines.save.isEnabled() and not builder.lines.remove.isEnabled()
    answer_dialogs(qtbot, ["left over after signing"])
    qtbot.mouseClick(builder.withdraw, Qt.MouseButton.LeftButton)
    assert quote_views.quotes_for_job(ctx, "j1")[0].status is QuoteStatus.WITHDRAWN


def test_the_approval_screen_shows_the_lines_keeps_its_errors_and_cancels(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    seed_job(ctx, paid=True, status="repairing")
    with ctx.db.write() as s:
        s.add(m.SiteContact(site_id="s1", role="installer", name="赵工"))
        s.add(m.SiteContact(site_id="s1", role="system_owner", name="张伟"))
    builder = quote_tab(qtbot, ctx)
    build_draft(qtbot, builder)
    screens: list[ApprovalDialog] = []

    def on_screen(dialog: ApprovalDialog) -> bool:
        qtbot.addWidget(dialog)
        dialog.resize(1000, 700)
        dialog.show()
        screens.append(dialog)
        table = dialog.lines
        assert table.rowCount() == 3
        assert [table.item(0, c).text() for c in range(4)] == [  # type: ignore[union-attr]
            "PSU-24V · 24V 电源",
            "1",
            "286.00",
            "286.00",
        ]
        assert "Subtotal 586.00 · tax 55.18 · total 641.18 CNY" in dialog.total.text()
        names = [dialog.signer.name.itemText(i) for i in range(dialog.signer.name.count())]
        assert names == ["张伟", "赵工"]  # the system owner first
        # Approve with no signature: the customer is told on this screen, which stays open.
        qtbot.mouseClick(dialog.approve, Qt.MouseButton.LeftButton)
        assert "signature is empty" in dialog.error.text() and dialog.isVisible()
        # No name: the same.
        edit = dialog.signer.name.lineEdit()
        assert edit is not None
        replace_text(qtbot, edit, "")
        qtbot.keyClick(edit, Qt.Key.Key_Backspace)
        draw_signature(qtbot, dialog.signer.pad)
        qtbot.mouseClick(dialog.approve, Qt.MouseButton.LeftButton)
        assert "Enter the signer's name" in dialog.error.text() and dialog.isVisible()
        # A stray stroke is undone with the visible button.
        pad = dialog.signer.pad
        qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(60, 160))
        qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(60, 160))
        assert len(pad.strokes) == 2
        qtbot.mouseClick(dialog.signer.undo, Qt.MouseButton.LeftButton)
        assert len(pad.strokes) == 1
        type_text(qtbot, edit, "张伟")
        qtbot.mouseClick(dialog.cancel, Qt.MouseButton.LeftButton)  # changed their mind
        return dialog.result() == QDialog.DialogCode.Accepted

    builder.approve_with = on_screen
    qtbot.mouseClick(builder.approve, Qt.MouseButton.LeftButton)
    assert screens and not screens[0].isVisible()
    assert builder.error.text() == ""  # nothing was shown on the engineer's view
    assert quote_views.quotes_for_job(ctx, "j1")[0].status is QuoteStatus.DRAFT
