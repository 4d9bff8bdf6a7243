"""Light and a dark high-contrast theme (for bright sunlight and night work), on Fusion so the
look is the same on every platform."""

from __future__ import annotations

from fieldkit.ui.qt import QApplication, QColor, QPalette, QStyleFactory

THEMES = ("light", "dark")


def apply_theme(app: QApplication, theme: str) -> None:
    app.setStyle(QStyleFactory.create("Fusion"))
    if theme != "dark":
        app.setPalette(app.style().standardPalette())
        return
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    palette = QPalette()
    colors = {
        role.Window: "#101418",
        role.WindowText: "#ffffff",
        role.Base: "#000000",
        role.AlternateBase: "#1b2127",
        role.Text: "#ffffff",
        role.Button: "#1f272e",
        role.ButtonText: "#ffffff",
        role.Highlight: "#ffd400",  # yellow on black: readable in direct sunlight
        role.HighlightedText: "#000000",
        role.ToolTipBase: "#ffffff",
        role.ToolTipText: "#000000",
        role.PlaceholderText: "#b8c2cc",
        role.Link: "#7cc4ff",
    }
    for r, c in colors.items():
        palette.setColor(r, QColor(c))
    for r in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(group.Disabled, r, QColor("#7d8790"))
    app.setPalette(palette)
