"""A pseudo-locale for finding clipped layouts: every catalog message, accented and made
about 40 % longer, in brackets ("Save diagnosis" -> "[Šàvé ðîàĝñöšîš ~~~~~~]"). Generated
from the catalog at run time (nothing to keep up to date); ``{fields}``, markup and
``%`` directives stay as they are, so every message still formats. The brackets show where a
text is cut: a label missing its "]" is clipped."""

from __future__ import annotations

import math
import re

from fieldkit import i18n

ACCENTED = str.maketrans(
    "acdeghiklnorstuyzACDEGHIKLNORSTUYZ",
    "àçðéĝĥîķļñöŕšţüýžÅÇÐÉĜĤÎĶĻÑÖŔŠŢÜÝŽ",
)
# What must reach the formatter or the renderer unchanged.
KEEP = re.compile(r"\{[^{}]*\}|<[^<>]*>|&[#\w]+;|%[-+ #0]*\d*(?:\.\d+)?[a-zA-Z%]")
GROWTH = 0.4


def pseudo(message: str) -> str:
    if not message.strip():
        return message
    parts, last = [], 0
    for match in KEEP.finditer(message):
        parts.append(message[last : match.start()].translate(ACCENTED))
        parts.append(match.group())
        last = match.end()
    parts.append(message[last:].translate(ACCENTED))
    padding = "~" * max(2, math.ceil(len(message) * GROWTH))
    return f"[{''.join(parts)} {padding}]"


def install(source: str = "zh_CN") -> None:
    """Put the pseudo-locale in effect for the UI: every message of ``source``'s catalog."""
    i18n.set_language("en")
    i18n._catalog = {message: pseudo(message) for message in i18n.catalog_for(source)}
    i18n._plurals = {message: [pseudo(message)] * 2 for message in i18n.plurals_for(source)}
