"""The CJK font shipped with the app, made available to Qt so Chinese never shows as boxes on
a machine without Chinese fonts (the PDFs embed the same font)."""

from __future__ import annotations

from fieldkit.resources import resource_path
from fieldkit.ui.qt import QFont, QFontDatabase

_families: list[str] = []


def install_cjk_font() -> list[str]:
    """Register the shipped font once per process; returns its family names.

    The families become substitutes of the default UI font, so text the system font cannot
    draw falls back to ours even where fontconfig would not find it.
    """
    if not _families:
        font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts", "wqy-microhei.ttc")))
        if font_id < 0:
            raise RuntimeError("the shipped CJK font could not be loaded")
        _families.extend(QFontDatabase.applicationFontFamilies(font_id))
        base = QFont().family()
        QFont.insertSubstitutions(base, [*QFont.substitutes(base), *_families])
    return list(_families)
