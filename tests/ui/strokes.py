"""A customer's signature drawn on a pad with real mouse events."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from fieldkit.ui.qt import QPoint, Qt
from fieldkit.ui.signature_pad import SignaturePad


def draw_signature(qtbot: QtBot, pad: SignaturePad) -> None:
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(40, 120))
    for i in range(1, 40):
        qtbot.mouseMove(pad, QPoint(40 + i * 9, 120 + (25 if i % 6 < 3 else -25)))
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(400, 120))
