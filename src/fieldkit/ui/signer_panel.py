"""One signer on a signing screen: the name (offered from the people the job knows, and
editable), the pad, and Undo stroke / Clear. A screen with two signers (customer and
engineer) holds two of these."""

from __future__ import annotations

from collections.abc import Sequence

from fieldkit.domain.enums import SignerRole
from fieldkit.domain.signature import SignatureCapture
from fieldkit.i18n import _
from fieldkit.ui.qt import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.signature_pad import SignaturePad
from fieldkit.ui.theme import mark
from fieldkit.ui.touch import touch_height


class SignerPanel(QWidget):
    def __init__(
        self,
        role: SignerRole,
        name_label: str,
        names: Sequence[str] = (),
        prompt: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.role = role
        self.name = QComboBox()
        self.name.setEditable(True)  # the offered names are suggestions; anyone can sign
        self.name.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.name.addItems(list(names))
        self.name.setCurrentIndex(0 if names else -1)
        touch_height(self.name)
        mark(self.name, emphasis="larger")  # read and typed by the customer
        edit = self.name.lineEdit()
        assert edit is not None  # an editable combo has one
        edit.setPlaceholderText(_("Type the name or choose it from the list"))
        self.pad = SignaturePad()
        self.undo = QPushButton(_("Undo stroke"))
        self.clear = QPushButton(_("Clear"))
        for button in (self.undo, self.clear):
            touch_height(button)
        self.undo.clicked.connect(self.pad.undo)
        self.clear.clicked.connect(self.pad.clear)
        self.pad.changed.connect(self._update_buttons)
        self._update_buttons()

        form = QFormLayout()
        form.addRow(name_label, self.name)
        pad_buttons = QHBoxLayout()
        pad_buttons.addStretch(1)
        pad_buttons.addWidget(self.undo)
        pad_buttons.addWidget(self.clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        if prompt:
            layout.addWidget(QLabel(prompt))
        layout.addWidget(self.pad, 1)
        layout.addLayout(pad_buttons)

    def _update_buttons(self) -> None:
        drawn = bool(self.pad.strokes)
        self.undo.setEnabled(drawn)
        self.clear.setEnabled(drawn)

    def signer_name(self) -> str:
        return self.name.currentText().strip()

    def capture(self) -> SignatureCapture:
        """The signature as drawn; raises a domain error (no name, too short) to show here."""
        capture = self.pad.capture(self.role, self.signer_name())
        capture.validate()
        return capture
