"""The customer's rating of the service: five large buttons and "Declined to rate", none
chosen at first, so the slip only ever carries what the customer actively chose."""

from __future__ import annotations

from fieldkit.domain.slip_payload import DECLINED, Satisfaction
from fieldkit.i18n import _
from fieldkit.ui.qt import QButtonGroup, QHBoxLayout, QPushButton, QWidget, Signal


class SatisfactionPicker(QWidget):
    chosen = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[Satisfaction, QPushButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for score in (1, 2, 3, 4, 5):
            self._add(score, f"{score} / 5", layout)
        layout.addSpacing(16)
        self._add(DECLINED, _("Declined to rate"), layout)
        layout.addStretch(1)

    def _add(self, value: Satisfaction, text: str, layout: QHBoxLayout) -> None:
        button = QPushButton(text)
        button.setCheckable(True)
        button.setMinimumSize(64, 48)  # a finger's target
        button.clicked.connect(lambda _checked: self.chosen.emit())
        self.group.addButton(button)
        self.buttons[value] = button
        layout.addWidget(button)

    def value(self) -> Satisfaction | None:
        """The customer's choice; None until they choose."""
        return next((v for v, b in self.buttons.items() if b.isChecked()), None)
