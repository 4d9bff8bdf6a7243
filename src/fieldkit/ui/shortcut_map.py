"""Help -> Keyboard shortcuts: the keys the open window really answers to, read from its
actions and shortcuts when the map opens (never a list kept beside them, which would drift)."""

from __future__ import annotations

from dataclasses import dataclass

from fieldkit.i18n import _
from fieldkit.ui.qt import (
    QAbstractItemView,
    QAction,
    QDialog,
    QHeaderView,
    QKeySequence,
    QPushButton,
    QShortcut,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class Shortcut:
    keys: str  # as the platform writes them ("Ctrl+L")
    does: str


def _does(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("….").strip()


def shortcuts_of(window: QWidget) -> list[Shortcut]:
    """Every key binding of ``window`` and its children, in menu order."""
    found: list[Shortcut] = []
    seen: set[str] = set()
    actions = [*window.actions(), *window.findChildren(QAction)]
    bindings: list[tuple[list[QKeySequence], str]] = [(a.shortcuts(), a.text()) for a in actions]
    bindings += [([s.key()], s.whatsThis()) for s in window.findChildren(QShortcut)]
    for sequences, text in bindings:
        for sequence in sequences:
            keys = sequence.toString(QKeySequence.SequenceFormat.NativeText)
            if not keys or keys in seen or not _does(text):
                continue
            seen.add(keys)
            found.append(Shortcut(keys, _does(text)))
    return found


class ShortcutMap(QDialog):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle(_("Keyboard shortcuts"))
        self.shortcuts = shortcuts_of(window)
        self.table = QTableWidget(len(self.shortcuts), 2)
        self.table.setHorizontalHeaderLabels([_("Keys"), _("What it does")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, shortcut in enumerate(self.shortcuts):
            self.table.setItem(row, 0, QTableWidgetItem(shortcut.keys))
            self.table.setItem(row, 1, QTableWidgetItem(shortcut.does))
        self.close_button = QPushButton(_("Close"))
        self.close_button.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.close_button)
        self.resize(520, 480)
