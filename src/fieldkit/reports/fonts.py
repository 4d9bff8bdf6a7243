"""The shipped CJK TrueType font, registered once; ReportLab embeds a subset in each PDF."""

from __future__ import annotations

import threading

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from fieldkit.resources import resource_path

SANS = "FieldKitSans"
_lock = threading.Lock()


def register() -> str:
    with _lock:
        if SANS not in pdfmetrics.getRegisteredFontNames():
            path = resource_path("fonts", "wqy-microhei.ttc")
            pdfmetrics.registerFont(TTFont(SANS, str(path), subfontIndex=0))
    return SANS
