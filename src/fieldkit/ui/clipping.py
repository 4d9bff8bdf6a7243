"""Text cut off by its widget, where it can be computed: a label or a button whose text needs
more room than the layout gave it, a combo box whose chosen text is wider than its field, a
line edit whose placeholder is wider than its text area. Used by the screenshot run (the
pseudo-locale's long strings find what a translation would clip) and by tests."""

from __future__ import annotations

from fieldkit.ui.qt import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStyle,
    QStyleOptionComboBox,
    QStyleOptionFrame,
    QToolButton,
    QWidget,
)

SLACK = 1  # px: rounding between a size hint and a geometry
MARGIN = 8  # px round a button's text
EDIT_MARGIN = 2  # px each side of a line edit's text inside its contents rect (Qt's own)


def combo_room(combo: QComboBox) -> int:
    """Width of the field a combo box draws its current text in (its arrow left out)."""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    return field.width()


def combo_needs(combo: QComboBox) -> int:
    needed = combo.fontMetrics().horizontalAdvance(combo.currentText())
    if not combo.itemIcon(combo.currentIndex()).isNull():
        needed += combo.iconSize().width() + 4
    return needed


def placeholder_room(edit: QLineEdit) -> int:
    """Width of a line edit's text area: its contents less its text margins and the buttons
    (clear, actions) drawn inside it."""
    option = QStyleOptionFrame()
    edit.initStyleOption(option)
    contents = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, edit)
    left, right = contents.left(), contents.right()
    for button in edit.findChildren(QToolButton):
        if button.parentWidget() is not edit or not button.isVisibleTo(edit):
            continue
        if button.geometry().center().x() > contents.center().x():
            right = min(right, button.geometry().left() - 1)
        else:
            left = max(left, button.geometry().right() + 1)
    margins = edit.textMargins()
    return right - left + 1 - margins.left() - margins.right() - 2 * EDIT_MARGIN


def _shown(widget: QWidget, top: QWidget) -> bool:
    return widget.isVisibleTo(top) and widget.width() > 0 and widget.height() > 0


def clipped_texts(top: QWidget) -> list[str]:
    """Every visible label, button, combo box or empty line edit's placeholder in ``top``
    whose text does not fit it, and every page (a scroll area) too narrow for its controls,
    which hides those past its right edge."""
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
        elif isinstance(widget, QComboBox) and not widget.isEditable() and widget.currentText():
            needed, room = combo_needs(widget), combo_room(widget)
            if needed > room + SLACK:
                text = widget.currentText()
                found.append(f"combo {text[:60]!r}: {needed} px wide needed, {room}")
        elif isinstance(widget, QLineEdit) and not widget.text() and widget.placeholderText():
            text = widget.placeholderText()
            needed = widget.fontMetrics().horizontalAdvance(text)
            room = placeholder_room(widget)
            if needed > room + SLACK:
                found.append(f"placeholder {text[:60]!r}: {needed} px wide needed, {room}")
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
