"""The language of a screen handed to the customer (signing the slip, approving a quote),
chosen on that screen while the rest of the app stays in the engineer's language.

A tap on a language shows the screen in it at once; errors shown on it while it is open are
in that language too. When the screen closes, every window is in the engineer's language
again.
"""

from __future__ import annotations

from fieldkit.i18n import _, current_language
from fieldkit.ui.qt import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
    Signal,
)
from fieldkit.ui.retranslate import show_window_in, switch_language
from fieldkit.ui.touch import touch_height

# Each language named in itself: a customer finds theirs whatever the screen shows now.
LANGUAGES = (("en", "English"), ("zh_CN", "简体中文"))


class CustomerLanguage(QWidget):
    """A row of big buttons, one per language, on a screen the customer reads."""

    chosen = Signal(str)

    def __init__(self, screen: QDialog) -> None:
        super().__init__(screen)
        self._screen = screen
        self.engineer_language = current_language()
        self.buttons: dict[str, QPushButton] = {}
        group = QButtonGroup(self)
        group.setExclusive(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(_("Language")))
        for code, name in LANGUAGES:
            button = QPushButton(name)
            button.setCheckable(True)
            button.setChecked(code == self.engineer_language)
            touch_height(button)
            button.clicked.connect(lambda _c=False, code=code: self.choose(code))
            group.addButton(button)
            layout.addWidget(button)
            self.buttons[code] = button
        layout.addStretch(1)
        screen.finished.connect(self._restore)

    def language(self) -> str:
        return current_language()

    def choose(self, language: str) -> None:
        self.buttons[language].setChecked(True)
        show_window_in(self._screen, language)
        self.chosen.emit(language)

    def _restore(self, _result: int = 0) -> None:
        switch_language(self.engineer_language)  # and the windows behind re-render theirs
