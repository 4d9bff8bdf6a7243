"""The dossier's device registry: one row per device with model, serial, firmware and
location; the chosen device's parameters beside it under their display names; a search that
keeps the columns still and says how many devices match; a tap that copies a value."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.i18n import set_language
from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m
from fieldkit.ui.device_registry import DeviceRegistry
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import QGuiApplication, Qt, QTableWidget
from tests.services.fixtures import seed_job
from tests.ui.dialogs import type_text

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen


def seed_devices(ctx: ServiceContext) -> None:
    seed_job(ctx)
    with ctx.db.write() as s:
        d1 = s.get(m.Device, "d1")
        assert d1 is not None
        d1.location, d1.firmware_version = "B1 机房 rack A3", "4.2.1"
        s.add(
            m.Device(
                id="d2",
                site_id="s1",
                name="NVR-02 录像机",
                manufacturer="Hikvision",
                model="DS-9632NI",
                serial="SN-NVR-0002",
                firmware_version="V4.61",
                location="3F 弱电间",
            )
        )
        for i, (device, key, kind, value, unit) in enumerate(
            (
                ("d1", "ip_address", "ip", "10.3.0.13", ""),
                ("d1", "poll_interval", "int", "30", "s"),
                ("d1", "temperature_limit", "int", "45", "°C"),
                ("d2", "ip_address", "ip", "10.3.0.21", ""),
                ("d2", "subnet_mask", "ip", "255.255.255.0", ""),
                ("d2", "port", "int", "8000", ""),
                ("d2", "enabled", "bool", "true", ""),
            )
        ):
            s.add(
                m.DeviceParameter(
                    id=f"p{i}", device_id=device, key=key, value_type=kind, value=value, unit=unit
                )
            )


def open_registry(qtbot: QtBot, ctx: ServiceContext) -> tuple[MainWindow, DeviceRegistry]:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    rect = window.table.visualRect(window.model.index(0, 1))
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())  # dossier
    inner = window.dossier.tabs.tabBar()
    qtbot.mouseClick(inner, Qt.MouseButton.LeftButton, pos=inner.tabRect(1).center())  # devices
    registry = window.dossier.registry
    assert window.dossier.tabs.currentWidget() is registry
    return window, registry


def column(table: QTableWidget, c: int) -> list[str]:
    return [table.item(r, c).text() for r in range(table.rowCount())]


def rows(table: QTableWidget) -> list[tuple[str, ...]]:
    return [
        tuple(table.item(r, c).text() for c in range(table.columnCount()))
        for r in range(table.rowCount())
    ]


def tap_row(qtbot: QtBot, table: QTableWidget, row: int, col: int = 0) -> None:
    rect = table.visualItemRect(table.item(row, col))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_one_row_per_device_with_its_parameters_beside_it(
    qtbot: QtBot, ctx: ServiceContext, english: None
) -> None:
    seed_devices(ctx)
    _window, registry = open_registry(qtbot, ctx)
    headers = [registry.devices.horizontalHeaderItem(c).text() for c in range(5)]
    assert headers == ["Tag", "Model", "Serial number", "Firmware", "Location"]
    assert rows(registry.devices) == [
        ("NVR-02 录像机", "DS-9632NI", "SN-NVR-0002", "V4.61", "3F 弱电间"),
        ("门禁控制器", "C3-400", "SN1", "4.2.1", "B1 机房 rack A3"),
    ]
    assert registry.count.text() == "2 devices found"
    tap_row(qtbot, registry.devices, 1, 2)  # the access controller
    details = rows(registry.details)
    assert ("IP address", "10.3.0.13", "") in details
    assert ("Poll interval", "30", "s") in details
    assert ("Temperature limit", "45", "°C") in details
    assert ("Serial number", "SN1", "") in details
    assert not any("_" in name for name, _v, _u in details)  # no raw keys

    # Tap a value: it is on the clipboard, and the screen says so.
    ip = column(registry.details, 1).index("10.3.0.13")
    tap_row(qtbot, registry.details, ip, 1)
    assert QGuiApplication.clipboard().text() == "10.3.0.13"
    assert registry.copied.text() == "Copied: 10.3.0.13"
    tap_row(qtbot, registry.devices, 0, 0)  # the recorder beside it now
    assert ("Enabled", "Yes", "") in rows(registry.details)  # a yes/no setting in words


def test_search_keeps_columns_still_and_counts_the_matches(
    qtbot: QtBot, ctx: ServiceContext, english: None
) -> None:
    seed_devices(ctx)
    _window, registry = open_registry(qtbot, ctx)
    widths = [registry.devices.columnWidth(c) for c in range(5)]
    qtbot.keyClicks(registry.search, "10.3.0.21")  # a value of one device's parameter
    qtbot.waitUntil(lambda: registry.count.text() == "1 device found")
    assert column(registry.devices, 0) == ["NVR-02 录像机"]
    assert ("IP address", "10.3.0.21", "") in rows(registry.details)  # shown at once
    assert [registry.devices.columnWidth(c) for c in range(5)] == widths

    registry.search.selectAll()
    qtbot.keyClicks(registry.search, "poll interval")  # the name on screen, not the key
    qtbot.waitUntil(lambda: column(registry.devices, 0) == ["门禁控制器"])
    registry.search.selectAll()
    qtbot.keyClicks(registry.search, "SN-NVR")  # a serial number
    qtbot.waitUntil(lambda: column(registry.devices, 0) == ["NVR-02 录像机"])
    registry.search.selectAll()
    qtbot.keyClicks(registry.search, "%' OR 1=1 --")  # typed text, never SQL
    qtbot.waitUntil(lambda: registry.devices.rowCount() == 0)
    assert registry.count.text() == "0 devices found" and registry.details.rowCount() == 0
    assert [registry.devices.columnWidth(c) for c in range(5)] == widths


def test_the_registry_reads_chinese(qtbot: QtBot, ctx: ServiceContext) -> None:
    seed_devices(ctx)
    set_language("zh_CN")
    try:
        _window, registry = open_registry(qtbot, ctx)
        headers = [registry.devices.horizontalHeaderItem(c).text() for c in range(5)]
        assert headers == ["位号", "型号", "序列号", "固件", "位置"]
        assert registry.count.text() == "找到 2 台设备"
        type_text(qtbot, registry.search, "轮询")  # the Chinese display name
        qtbot.waitUntil(lambda: registry.count.text() == "找到 1 台设备")
        assert ("轮询间隔", "30", "秒") in rows(registry.details)
    finally:
        set_language("en")
