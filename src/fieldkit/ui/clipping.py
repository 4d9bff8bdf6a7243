"""Text cut off by its widget, where it can be computed: a label or a button whose text needs
more room than the layout gave it. Used by the screenshot run (the pseudo-locale's long
strings find what a translation would clip) and by tests."""

from __future__ import annotations

from fieldkit.ui.qt import QCheckBox, QLabel, QPushButton, QScrollArea, QWidget

SLACK = 1  # px: rounding between a size hint and a geometry
MARGIN = 8  # px round a button's text


def _shown(widget: QWidget, top: QWidget) -> bool:
    return widget.isVisibleTo(top) and widget.width() > 0 and widget.height() > 0


def clipped_texts(top: QWidget) -> list[str]:
    """Every visible label or button in ``top`` whose text does not fit it, and every page
    (a scroll area) too narrow for its controls, which hides those past its right edge."""
    found = []
    for widget in top.findChildren(QWidget):
        if not _shown(widget, top):
            continue
        if isinstance(widget, QScrollArea) and widget.horizontalScrollBar().maximum() > 0:
            inner = widget.widget()
            name = type(inner).__name__ if inner is not None else "page"
            more = widget.horizontalScrollBar().maximum()
            found.append(f"{name} scrolls sideways: {more} px too narrow")
        if isinstance(widget, QLabel):
            text = widget.text()
            if not text.strip() or not widget.pixmap().isNull():
                continue
            if widget.wordWrap():
                needed = widget.heightForWidth(widget.width())
                if needed > widget.height() + SLACK:
                    found.append(f"label {text[:60]!r}: {needed} px high needed, {widget.height()}")
                continue
            hint = widget.sizeHint().width()
            if hint > widget.width() + SLACK:
                found.append(f"label {text[:60]!r}: {hint} px wide needed, {widget.width()}")
        elif isinstance(widget, QPushButton | QCheckBox) and widget.text():
            # the text itself (and an icon), with a little room each side: a style's own
            # margins round it are not the text's
            needed = widget.fontMetrics().horizontalAdvance(widget.text()) + MARGIN
            if not widget.icon().isNull():
                needed += widget.iconSize().width()
            if isinstance(widget, QCheckBox):
                needed = widget.sizeHint().width()
            if needed > widget.width() + SLACK:
                found.append(
                    f"button {widget.text()[:60]!r}: {needed} px wide needed, {widget.width()}"
                )
    return found
