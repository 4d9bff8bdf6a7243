"""Changing the size of text and controls while the app runs.

At start the chosen scale is Qt's own (``QT_SCALE_FACTOR``, set before Qt starts), which
nothing can change later. A change made in Settings is applied on top of it: the application
font and the touch rules (:mod:`fieldkit.ui.touch`) grow or shrink by the new scale over the
one the app started with; list rows sized from the touch target, table columns and the least
heights set in code (``touch.set_min_height``) follow.
The next start uses Qt's scale again, with the same result on screen.
"""

from __future__ import annotations

import os

from fieldkit.ui.qt import QApplication, QHeaderView, QTableView
from fieldkit.ui.touch import LIVE_FACTOR, apply_touch_sizes, rescale_min_heights, touch_px

START_SCALE = "fieldkitStartScale"
BASE_FONT = "fieldkitBaseFontPt"


def started_scale(app: QApplication) -> float:
    """The scale Qt applied at start (what ``QT_SCALE_FACTOR`` said then)."""
    value = app.property(START_SCALE)
    if value is None:
        try:
            value = float(os.environ.get("QT_SCALE_FACTOR") or 1)
        except ValueError:
            value = 1.0
        app.setProperty(START_SCALE, value)
    return float(value)


def live_factor(app: QApplication, scale: float) -> float:
    return scale / (started_scale(app) or 1.0)


def apply_scale(app: QApplication, scale: float) -> int:
    """Text and touch targets at ``scale`` (1.5 = 150 %); returns the new touch size."""
    factor = live_factor(app, scale)
    ratio = factor / float(app.property(LIVE_FACTOR) or 1.0)
    app.setProperty(LIVE_FACTOR, factor)
    for widget in app.allWidgets():  # columns a person sized or the code set, in proportion
        if isinstance(widget, QTableView) and ratio != 1.0:
            header = widget.horizontalHeader()
            last = header.count() - 1 if header.stretchLastSection() else header.count()
            for c in range(last):
                if header.sectionResizeMode(c) is QHeaderView.ResizeMode.Interactive:
                    header.resizeSection(c, round(header.sectionSize(c) * ratio))
    base = app.property(BASE_FONT)
    if base is None:
        base = app.font().pointSizeF()
        app.setProperty(BASE_FONT, base)
    font = app.font()
    font.setPointSizeF(float(base) * factor)
    app.setFont(font)
    before = touch_px()
    px = apply_touch_sizes(app, factor=factor)
    for widget in app.allWidgets():  # rows a finger taps, sized in code from the target
        if isinstance(widget, QTableView):
            header = widget.verticalHeader()
            if header.defaultSectionSize() == before:
                header.setDefaultSectionSize(px)
    rescale_min_heights(app)  # big buttons and fields whose height the code set
    return px
