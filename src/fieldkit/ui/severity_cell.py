"""The job list's severity cell keeps its colours on the selected row: the selection (solid
yellow in the sunlight theme) painted over it hid how urgent the open job is. The rest of
the row shows the selection."""

from __future__ import annotations

from fieldkit.ui.qt import (
    QModelIndex,
    QPersistentModelIndex,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)


class SeverityCell(QStyledItemDelegate):
    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.state &= ~QStyle.StateFlag.State_Selected
