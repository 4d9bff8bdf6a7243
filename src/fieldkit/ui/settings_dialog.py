"""Settings: language (default: the OS's), theme and UI scale, kept in the local store."""

from __future__ import annotations

from fieldkit.config import LANGUAGE_KEY, SCALE_KEY, THEME_KEY
from fieldkit.i18n import _
from fieldkit.services.context import ServiceContext
from fieldkit.services.settings import get_setting, set_setting
from fieldkit.ui.live_scale import apply_scale
from fieldkit.ui.qt import (
    QApplication,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)
from fieldkit.ui.retranslate import switch_language
from fieldkit.ui.theme import apply_theme
from fieldkit.ui.touch import touch_height

SCALES = ("1", "1.25", "1.5", "2")


class SettingsDialog(QDialog):
    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.setWindowTitle(_("Settings"))
        self.language = QComboBox()
        self.language.addItem(_("Same as the system"), None)
        self.language.addItem("English", "en")
        self.language.addItem("简体中文", "zh_CN")
        self.theme = QComboBox()
        self.theme.addItem(_("Light"), "light")
        self.theme.addItem(_("Dark, high contrast (sunlight)"), "dark")
        self.scale = QComboBox()
        for value in SCALES:
            self.scale.addItem(f"{float(value) * 100:.0f}%", value)
        for combo, key, default in (
            (self.language, LANGUAGE_KEY, None),
            (self.theme, THEME_KEY, "light"),
            (self.scale, SCALE_KEY, "1"),
        ):
            touch_height(combo)
            combo.setCurrentIndex(max(0, combo.findData(get_setting(ctx, key, default))))
        form = QFormLayout()
        form.addRow(_("Language"), self.language)
        form.addRow(_("Theme"), self.theme)
        form.addRow(_("Size of text and controls"), self.scale)
        note = QLabel(_("Language, theme and size change at once, in every open window."))
        note.setWordWrap(True)
        self.save_button = save = QPushButton(_("Save"))
        touch_height(save)
        save.clicked.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(save)

    def save(self) -> None:
        set_setting(self._ctx, LANGUAGE_KEY, self.language.currentData())
        set_setting(self._ctx, THEME_KEY, self.theme.currentData())
        set_setting(self._ctx, SCALE_KEY, self.scale.currentData())
        app = QApplication.instance()
        self.accept()  # closed first: the windows left open are the ones retranslated
        if isinstance(app, QApplication):
            apply_theme(app, str(self.theme.currentData()))
            apply_scale(app, float(self.scale.currentData()))
        switch_language(self.language.currentData())
