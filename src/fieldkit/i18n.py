"""One translation catalog for UI, PDFs and CLI: gettext ``.po`` files in resources/locale.

The ``.po`` files are read directly (no compile step), so a translator's edit shows up on
the next start and the build needs no gettext tools. A translation whose ``{fields}``
differ from the source is ignored: a typo in a catalog must never crash a screen.
"""

from __future__ import annotations

import ast
import functools
import locale
import re
import string
from collections.abc import Callable
from pathlib import Path

from fieldkit.resources import resource_path

SUPPORTED = ("en", "zh_CN")
_catalog: dict[str, str] = {}
_language = "en"


def _fields(text: str) -> set[str]:
    try:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    except ValueError:
        return {"<invalid>"}


def parse_po(path: Path) -> dict[str, str]:
    """msgid -> msgstr for every translated, non-fuzzy entry whose fields match."""
    entries: dict[str, str] = {}
    msgid: list[str] = []
    msgstr: list[str] = []
    target: list[str] | None = None
    fuzzy = False

    def flush() -> None:
        src, dst = "".join(msgid), "".join(msgstr)
        if src and dst and not fuzzy and _fields(src) == _fields(dst):
            entries[src] = dst

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            flush()
            msgid, msgstr, target = [ast.literal_eval(line[6:])], [], None
            target = msgid
        elif line.startswith("msgstr "):
            msgstr = [ast.literal_eval(line[7:])]
            target = msgstr
        elif line.startswith('"') and target is not None:
            target.append(ast.literal_eval(line))
        elif not line:
            flush()
            msgid, msgstr, target, fuzzy = [], [], None, False
    flush()
    return entries


def system_language() -> str:
    lang = (locale.getlocale()[0] or "").lower()
    return "zh_CN" if re.match(r"zh", lang) else "en"


def set_language(language: str | None) -> str:
    """Switch the catalog; None follows the OS locale. Returns the language in effect."""
    global _catalog, _language
    lang = language or system_language()
    if lang not in SUPPORTED:
        lang = "en"
    _language = lang
    _catalog = {} if lang == "en" else catalog_for(lang)
    return lang


def current_language() -> str:
    return _language


def _(message: str) -> str:
    return _catalog.get(message, message)


def N_(message: str) -> str:
    """Mark a string for extraction where it is translated later (tables of labels)."""
    return message


@functools.lru_cache(maxsize=8)
def catalog_for(language: str) -> dict[str, str]:
    # Parsed once per process: documents are rendered often, catalogs change between releases.
    return parse_po(resource_path("locale", f"{language}.po"))


def translator(language: str) -> Callable[[str], str]:
    """A catalog for one document (a customer's language), independent of the UI language."""
    if language not in SUPPORTED or language == "en":
        return lambda message: message
    catalog = catalog_for(language)
    return lambda message: catalog.get(message, message)


def tr(message: str) -> str:
    """Translate a domain message (template + parameters) or a plain catalog string."""
    template = getattr(message, "template", None)
    if template is not None:
        params = getattr(message, "params", {})
        try:
            return _(template).format(**params)
        except (KeyError, IndexError, ValueError):
            return str(message)
    return _(message)
