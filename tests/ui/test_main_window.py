from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtGui import QInputMethodEvent
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from fieldkit.demo.generator import DemoSize, generate
from fieldkit.domain.clock import FixedClock
from fieldkit.services.context import ServiceContext
from fieldkit.ui.job_list_model import COLUMNS, PAGE, JobIdRole
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import QApplication, Qt
from fieldkit.ui.theme import current_theme
from tests.conftest import NOW


@pytest.fixture
def demo_ctx(ctx: ServiceContext) -> ServiceContext:
    generate(
        ctx.db,
        ctx.blobs,
        DemoSize(jobs=450, devices_per_site=4, drawing_sites=1),
        engineer="eng-wang",
        now=NOW,
    )
    return ctx


def test_model_passes_qt_model_tester_and_loads_lazily(
    qtbot: QtBot, qtmodeltester: ModelTester, demo_ctx: ServiceContext
) -> None:
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    model = window.model
    assert model.total == 450
    assert model.rowCount() == PAGE  # only the first page is exposed until the view asks
    qtmodeltester.check(model)
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 450
    first = model.index(0, COLUMNS.index("severity"))
    assert model.data(first).startswith("1 ")  # most urgent open job first
    assert model.data(first, JobIdRole)


def test_search_and_filters_narrow_the_list(qtbot: QtBot, demo_ctx: ServiceContext) -> None:
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.search.setFocus()
    ime = QInputMethodEvent()
    ime.setCommitString("门禁")  # what a Chinese input method delivers
    QApplication.sendEvent(window.search, ime)
    assert window.search.text() == "门禁"
    qtbot.waitUntil(lambda: window.model.total < 450)
    found = window.model.total
    assert found > 0
    for row in range(window.model.rowCount()):
        job_id = window.model.data(window.model.index(row, 0), JobIdRole)
        assert job_id
    window.severity_filter.setCurrentIndex(window.severity_filter.findData(1))
    assert 0 < window.model.total < found
    assert all(
        window.model.data(window.model.index(r, 0)).startswith("1 ")
        for r in range(window.model.rowCount())
    )
    window.search.clear()
    window.severity_filter.setCurrentIndex(0)
    window.status_filter.setCurrentIndex(window.status_filter.findData("escalated"))
    statuses = {status_of(window, r) for r in range(window.model.rowCount())}
    assert statuses == {"Escalated"}
    # The count follows the rows (deferred until they are painted) and is exact.
    qtbot.waitUntil(lambda: window.count_label.text() == f"{window.model.total} jobs")
    assert window.model.total == len(statuses_of_all(window))


def listed_jobs(window: MainWindow, ctx: ServiceContext) -> list[tuple[str, datetime]]:
    """(job type, reported at) of every job the list shows."""
    from fieldkit.store import models as m

    while window.model.canFetchMore():
        window.model.fetchMore()
    ids = [
        window.model.data(window.model.index(r, 0), JobIdRole)
        for r in range(window.model.rowCount())
    ]
    with ctx.db.read() as s:
        return [(job.job_type, job.reported_at) for job in (s.get(m.Job, i) for i in ids) if job]


def test_type_and_reported_date_filters(
    qtbot: QtBot, demo_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    everything = listed_jobs(window, demo_ctx)
    window.type_filter.setCurrentIndex(window.type_filter.findData("periodic_inspection"))
    inspections = listed_jobs(window, demo_ctx)
    assert 0 < len(inspections) < len(everything)
    assert {kind for kind, _at in inspections} == {"periodic_inspection"}
    assert len(inspections) == sum(kind == "periodic_inspection" for kind, _at in everything)

    window.type_filter.setCurrentIndex(0)
    window.date_filter.setCurrentIndex(window.date_filter.findData(7))
    week = listed_jobs(window, demo_ctx)
    assert week and all(at >= NOW - timedelta(days=7) for _kind, at in week)
    assert len(week) == sum(at >= NOW - timedelta(days=7) for _kind, at in everything)
    assert len(week) < len(everything)

    # "Today" is the engineer's day: at 09:00 UTC in Shanghai it began 17 hours ago.
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        window.date_filter.setCurrentIndex(window.date_filter.findData(0))
        today = listed_jobs(window, demo_ctx)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    local_midnight = datetime(2026, 11, 20, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert today and all(at >= local_midnight for _kind, at in today)
    assert len(today) == sum(at >= local_midnight for _kind, at in everything)
    window.date_filter.setCurrentIndex(0)
    assert len(listed_jobs(window, demo_ctx)) == len(everything)


def status_of(window: MainWindow, row: int) -> str:
    """The job cell holds the number over the status."""
    number, status = str(window.model.data(window.model.index(row, COLUMNS.index("job")))).split(
        "\n"
    )
    assert number.startswith("SO-")
    return status


def statuses_of_all(window: MainWindow) -> list[str]:
    while window.model.canFetchMore():
        window.model.fetchMore()
    return [status_of(window, r) for r in range(window.model.rowCount())]


def test_countdown_turns_into_breach_as_the_clock_moves(
    qtbot: QtBot, ctx: ServiceContext, clock: FixedClock
) -> None:
    from tests.services.fixtures import seed_job

    seed_job(ctx)  # respond-by is 90 minutes from now
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    cell = window.model.index(0, COLUMNS.index("respond"))
    assert window.model.data(cell) == "1h 30m"
    clock.advance(timedelta(hours=2))
    with qtbot.waitSignal(window.model.dataChanged):
        window.model.tick()
    assert window.model.data(cell) == "Breached\n0h 30m ago"
    breached = window.model.data(cell, Qt.ItemDataRole.ForegroundRole).color().name()
    assert breached == current_theme().breached  # the missed deadline in the theme's colour


def test_sorting_by_column_reorders(qtbot: QtBot, demo_ctx: ServiceContext) -> None:
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    header = window.table.horizontalHeader()
    assert header.sortIndicatorSection() == COLUMNS.index("respond")  # urgency, the default
    col = COLUMNS.index("job")
    window.table.sortByColumn(col, Qt.SortOrder.AscendingOrder)
    asc = window.model.data(window.model.index(0, col))
    window.table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    desc = window.model.data(window.model.index(0, col))
    assert asc < desc
    col = COLUMNS.index("severity")
    window.table.sortByColumn(col, Qt.SortOrder.AscendingOrder)
    firsts = [str(window.model.data(window.model.index(r, col)))[0] for r in range(PAGE)]
    assert firsts == sorted(firsts) and firsts[0] == "1"
    window.table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    assert str(window.model.data(window.model.index(0, col))).startswith("4 ")


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # offscreen
def test_every_column_is_in_view_at_1280_by_800(qtbot: QtBot, demo_ctx: ServiceContext) -> None:
    """Severity, job and status, customer and site, and both countdowns: no sideways scroll."""
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    header = window.table.horizontalHeader()
    last = len(COLUMNS) - 1
    right_edge = header.sectionViewportPosition(last) + header.sectionSize(last)
    assert right_edge <= window.table.viewport().width()
    assert not window.table.horizontalScrollBar().isVisible()
    for column in range(len(COLUMNS)):
        assert header.sectionSize(column) >= 80, COLUMNS[column]
    customer, site = str(window.model.data(window.model.index(0, COLUMNS.index("customer")))).split(
        "\n"
    )
    assert customer and site


def test_urgency_puts_the_nearest_pending_deadline_first(
    qtbot: QtBot, ctx: ServiceContext, clock: FixedClock
) -> None:
    from datetime import timedelta as td

    from fieldkit.store import models as m
    from tests.services.fixtures import seed_job

    seed_job(ctx, job_id="settled")  # respond-by in 90 min, but already responded
    seed_job(ctx, job_id="pending")  # respond-by in 90 min, still waiting
    seed_job(ctx, job_id="done", status="closed")
    with ctx.db.write() as s:
        settled = s.get(m.Job, "settled")
        pending = s.get(m.Job, "pending")
        assert settled is not None and pending is not None
        settled.respond_by = clock.now() - td(hours=5)
        settled.responded_at = clock.now() - td(hours=6)
        settled.severity = 1
        pending.severity = 3
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    order = [window.model.data(window.model.index(r, 0), JobIdRole) for r in range(3)]
    assert order == ["pending", "settled", "done"]


def test_a_search_keeps_the_order_the_header_shows(qtbot: QtBot, demo_ctx: ServiceContext) -> None:
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    col = COLUMNS.index("job")
    window.table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    window.search.setText("SO")
    window.apply_filter()
    assert window.model.filter.text == "SO"
    assert (window.model.filter.sort, window.model.filter.descending) == ("number", True)
    numbers = [str(window.model.data(window.model.index(r, col))).split("\n")[0] for r in range(5)]
    assert numbers == sorted(numbers, reverse=True)
    header = window.table.horizontalHeader()
    assert header.sortIndicatorSection() == col


def test_a_count_interrupted_by_reading_rows_is_counted_again(
    qtbot: QtBot, demo_ctx: ServiceContext
) -> None:
    """Painting or scrolling rows interrupts a running count (the rows go first); the count
    must then come again for the same filter, and not for a filter that changed."""
    from dataclasses import replace

    from fieldkit.services.job_list import Superseded

    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.count_label.text() == "450 jobs")
    window.count_label.clear()
    # The count worker's Superseded result, delivered as the worker does: no person does it.
    window._count_failed(replace(window.model.filter, text="门禁"), Superseded())
    assert not window._count_timer.isActive() and window.count_label.text() == ""
    window._count_failed(window.model.filter, Superseded())
    qtbot.waitUntil(lambda: window.count_label.text() == "450 jobs")


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # offscreen
def test_the_backup_checklist_fits_the_workspace_at_1280_by_800(
    qtbot: QtBot, demo_ctx: ServiceContext
) -> None:
    """A long bilingual item label with both photo buttons must wrap, not push the buttons
    past the right edge (the pane scrolls vertically only)."""
    from fieldkit.services import checklists, queries
    from fieldkit.ui.qt import QPushButton, QScrollArea

    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.workspace.backup.cameras_present = lambda: True
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    diagnosing = queries.JobFilter(statuses=frozenset({"diagnosing"}))

    def has_photo_item(job_id: str) -> bool:
        view = checklists.backup_checklist(demo_ctx, job_id)
        return view is not None and any(i.evidence_kind.value == "photo" for i in view.items)

    job = next(j for j in queries.job_ids(demo_ctx, diagnosing) if has_photo_item(j))
    while window.model.canFetchMore():
        window.model.fetchMore()
    row = next(
        r
        for r in range(window.model.rowCount())
        if window.model.data(window.model.index(r, 0), JobIdRole) == job
    )
    window.table.selectRow(row)
    scroller = window.tabs.widget(0)
    assert isinstance(scroller, QScrollArea)
    assert window.workspace.backup.findChildren(QPushButton, "camera")
    assert window.workspace.minimumSizeHint().width() <= scroller.viewport().width()
