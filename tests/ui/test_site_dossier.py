"""The site dossier tab on demo data: documents, drawing, device registry search and copy."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.demo.generator import DemoSize, generate
from fieldkit.services import dossier
from fieldkit.services.context import ServiceContext
from fieldkit.ui.job_list_model import JobIdRole
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import QGuiApplication, Qt
from tests.conftest import NOW


@pytest.fixture
def demo_ctx(ctx: ServiceContext) -> ServiceContext:
    generate(
        ctx.db,
        ctx.blobs,
        DemoSize(jobs=20, devices_per_site=6, drawing_sites=1),
        engineer="eng-wang",
        now=NOW,
    )
    return ctx


@pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen
def test_dossier_opens_the_site_drawing_and_searches_devices(
    qtbot: QtBot, demo_ctx: ServiceContext
) -> None:
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    job_with_drawings = next(
        i
        for i in range(window.model.rowCount())
        if any(
            d.on_device
            for d in dossier.site_dossier(
                demo_ctx, str(window.model.data(window.model.index(i, 0), JobIdRole))
            ).documents
        )
    )
    window.table.selectRow(job_with_drawings)
    panel = window.dossier
    assert panel.documents.count() == 0  # not loaded until the tab is shown
    with qtbot.waitSignal(panel.viewer.view.idle, timeout=20000):
        window.tabs.setCurrentWidget(panel)
    assert panel.documents.count() > 0
    assert panel.viewer.view.pages  # the first drawing is open and sharp

    window.show()
    # With the job list beside it the dossier is narrow: facts and documents go above the
    # drawing, side by side, not in a column a word wide. Folding the list puts them back.
    qtbot.waitUntil(lambda: panel.width() > 0)
    assert not window.table.isHidden()  # 1280 px: the list beside the job
    assert panel.width() < 900
    assert panel.splitter.orientation() is Qt.Orientation.Vertical
    qtbot.waitUntil(lambda: panel.summary.width() >= 250)
    qtbot.mouseClick(window.list_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.table.isHidden())
    qtbot.waitUntil(lambda: panel.splitter.orientation() is Qt.Orientation.Horizontal)
    bar = panel.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())  # Devices
    assert panel.tabs.currentIndex() == 1
    registry = panel.registry
    qtbot.keyClicks(panel.device_search, "ip_address")
    qtbot.waitUntil(lambda: "devices found" in registry.count.text())
    assert registry.devices.rowCount() > 0  # one row per device that has one
    details = registry.details
    names = [details.item(r, 0).text() for r in range(details.rowCount())]
    assert "IP address" in names  # its display name
    value = details.item(names.index("IP address"), 1)
    cell = details.visualItemRect(value).center()
    qtbot.mouseClick(details.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert QGuiApplication.clipboard().text() == value.text() != ""
    assert registry.copied.text() == f"Copied: {value.text()}"

    panel.device_search.selectAll()
    qtbot.keyClicks(panel.device_search, "%' OR 1=1 --")  # typed text, never SQL
    qtbot.waitUntil(lambda: registry.devices.rowCount() == 0)


def test_parameter_search_treats_wildcards_as_text(demo_ctx: ServiceContext) -> None:
    site_id = dossier.site_dossier(demo_ctx, demo_ctx_job(demo_ctx)).site_id
    every = dossier.device_parameters(demo_ctx, site_id)
    assert every
    assert dossier.device_parameters(demo_ctx, site_id, "%") == []  # no value contains "%"
    ips = dossier.device_parameters(demo_ctx, site_id, "ip_address")
    assert ips and all(r.key == "ip_address" for r in ips)
    assert dossier.device_parameters(demo_ctx, site_id, "ip%address") == []


def demo_ctx_job(ctx: ServiceContext) -> str:
    from fieldkit.services import queries

    return queries.job_ids(ctx, queries.JobFilter())[0]


def test_workspace_says_whether_the_site_pack_is_on_the_device(
    qtbot: QtBot, demo_ctx: ServiceContext
) -> None:
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    asked: list[object] = []
    window.present = asked.append  # not logged in: the login dialog would be modal
    row = next(
        i
        for i in range(window.model.rowCount())
        if dossier.site_pack(
            demo_ctx, str(window.model.data(window.model.index(i, 0), JobIdRole))
        ).documents
    )
    window.table.selectRow(row)
    ws = window.workspace
    assert ws.pack.text().startswith("Ready offline: all")
    assert ws.prepare.isHidden()
    job_id = ws.job_id
    assert job_id is not None
    site = dossier.site_dossier(demo_ctx, job_id)
    gone = next(d for d in site.documents if d.on_device)
    demo_ctx.blobs.path(
        next(  # the blob behind that document, as if it had never been downloaded
            sha for sha in demo_ctx.blobs if demo_ctx.blobs.size(sha) == gone.size_bytes
        )
    ).unlink()
    ws.show_job(job_id)
    assert ws.pack.text().startswith("Not ready offline: 1 of")
    assert not ws.prepare.isHidden()
    with qtbot.waitSignal(ws.prepare_requested):
        ws.prepare.click()
    # Not logged in yet: preparing starts with the login to the service center.
    assert [type(d).__name__ for d in asked] == ["LoginDialog"]
