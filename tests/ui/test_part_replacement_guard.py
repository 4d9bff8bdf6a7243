"""A replacement the rules refuse is refused before the engineer types two serial numbers."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m
from fieldkit.ui.qt import Qt
from tests.services.fixtures import seed_job
from tests.ui.test_quote_builder import quote_tab


def replacements(ctx: ServiceContext) -> int:
    with ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(m.PartReplacement)) or 0)


def test_a_paid_part_without_approval_is_refused_before_any_serial_is_asked(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    seed_job(ctx, paid=True, status="repairing")
    builder = quote_tab(qtbot, ctx).quote
    asked: list[str] = []
    builder.ask = lambda prompt: asked.append(prompt) or "SN-X"  # type: ignore[func-returns-value]
    qtbot.keyClicks(builder.part_search, "PSU")
    qtbot.mouseClick(builder.replace, Qt.MouseButton.LeftButton)
    assert asked == []  # no serial numbers typed for nothing
    assert "the customer must approve a quote containing it" in builder.error.text()
    assert replacements(ctx) == 0


def test_an_allowed_replacement_asks_for_both_serials_and_records_them(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    seed_job(ctx, status="repairing")  # in warranty: no quote needed
    builder = quote_tab(qtbot, ctx).quote
    answers = iter(["OLD-1", "NEW-1"])
    asked: list[str] = []
    builder.ask = lambda prompt: asked.append(prompt) or next(answers)  # type: ignore[func-returns-value]
    qtbot.keyClicks(builder.part_search, "PSU")
    qtbot.mouseClick(builder.replace, Qt.MouseButton.LeftButton)
    assert asked == ["Serial number of the part removed", "Serial number of the part installed"]
    assert builder.error.text() == "Recorded: PSU-24V replaced"
    with ctx.db.read() as s:
        rep = s.scalars(select(m.PartReplacement)).one()
        assert (rep.serial_removed, rep.serial_installed) == ("OLD-1", "NEW-1")
