"""What the app writes itself shows in the reader's language: the labour and travel lines a
button adds (on screen and on the customer's PDF), the price list's unit, the device
registry's parameter names; and Chinese labels use Chinese punctuation."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.i18n import catalog_for, set_language
from fieldkit.services import documents
from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import Qt
from tests.services.fixtures import seed_job

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen


@pytest.fixture
def chinese() -> Iterator[None]:
    set_language("zh_CN")
    yield
    set_language("en")


def quote_tab(qtbot: QtBot, ctx: ServiceContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    rect = window.table.visualRect(window.model.index(0, 1))
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(2).center())
    assert window.tabs.currentWidget() is window.quote
    return window


def test_labour_and_travel_lines_show_in_the_language_of_the_reader(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path
) -> None:
    seed_job(ctx, paid=True, status="repairing")
    with ctx.db.write() as s:  # the customer reads Chinese
        customer = s.get(m.Customer, "c1")
        assert customer is not None
        customer.language = "zh"
    window = quote_tab(qtbot, ctx)  # an engineer working in English adds the lines
    builder = window.quote
    qtbot.mouseClick(builder.new_quote, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(builder.add_labour, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(builder.add_travel, Qt.MouseButton.LeftButton)
    table = builder.lines.table
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == [
        "Labour (hours)",
        "Travel",
    ]
    quote = builder.current()
    assert quote is not None
    pdf = tmp_path / "quote.pdf"
    pdf.write_bytes(ctx.blobs.read_bytes(documents.quote_pdf(ctx, quote.id)))
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "人工（小时）" in text and "差旅" in text  # the customer's copy
    assert "Labour (hours)" not in text and "Travel" not in text
    window.close()
    set_language("zh_CN")  # the tablet handed to a Chinese-speaking colleague
    try:
        again = quote_tab(qtbot, ctx)
        table = again.quote.lines.table
        assert [table.item(r, 0).text() for r in range(table.rowCount())] == [
            "人工（小时）",
            "差旅",
        ]
    finally:
        set_language("en")


def test_price_units_and_parameter_names_are_translated(
    qtbot: QtBot, ctx: ServiceContext, chinese: None
) -> None:
    seed_job(ctx, paid=True, status="repairing")
    with ctx.db.write() as s:
        s.add(m.SiteContact(id="sc1", site_id="s1", role="system_owner", name="赵伟"))
        s.add(
            m.DeviceParameter(
                id="p1",
                device_id="d1",
                key="ip_address",
                value_type="ip",
                value="10.0.0.8",
                unit="",
            )
        )
        s.add(
            m.DeviceParameter(
                id="p2", device_id="d1", key="poll_interval", value_type="int", value="30", unit="s"
            )
        )
    window = quote_tab(qtbot, ctx)
    qtbot.keyClicks(window.quote.part_search, "PSU")
    offers = [window.quote.parts.item(r).text() for r in range(window.quote.parts.count())]
    assert offers and all("/ 件" in o and "/ pc" not in o for o in offers), offers
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    table = window.dossier.registry.details
    rows = {table.item(r, 0).text(): table.item(r, 2).text() for r in range(table.rowCount())}
    assert rows["IP 地址"] == "" and rows["轮询间隔"] == "秒"
    summary = window.dossier.summary.text()
    assert "系统负责人：" in summary and ": " not in summary  # the site's owner, Chinese colon


def test_chinese_labels_use_chinese_colons() -> None:
    ascii_colon = re.compile(r"[\u4e00-\u9fff）]:\s")
    wrong = [(k, v) for k, v in catalog_for("zh_CN").items() if ascii_colon.search(v)]
    assert not wrong, wrong[:5]
