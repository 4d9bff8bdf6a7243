"""One translation catalog for UI, PDFs and CLI: gettext ``.po`` files in resources/locale.

The ``.po`` files are read directly (no compile step), so a translator's edit shows up on
the next start and the build needs no gettext tools. A translation whose ``{fields}``
differ from the source is ignored: a typo in a catalog must never crash a screen.

Counts use gettext's plural entries (``msgid_plural`` with ``msgstr[0]``, ``msgstr[1]``...)
through :func:`ngettext`; each language's plural rule picks the form (Chinese has one).
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
# Which msgstr[i] a count takes, per language (gettext's Plural-Forms, as code).
PLURAL_RULES: dict[str, Callable[[int], int]] = {
    "en": lambda n: 0 if n == 1 else 1,
    "zh_CN": lambda n: 0,
}
_catalog: dict[str, str] = {}
_plurals: dict[str, list[str]] = {}
_language = "en"
# Per language, text shown -> the msgid it came from, for what this process translated: how
# open windows find each label's source when the language changes at run time.
_shown: dict[str, dict[str, str]] = {"en": {}}


def _fields(text: str) -> set[str]:
    try:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    except ValueError:
        return {"<invalid>"}


def parse_po(path: Path) -> dict[str, str]:
    """msgid -> msgstr for every translated, non-fuzzy entry whose fields match."""
    return _parse(path)[0]


def parse_po_plurals(path: Path) -> dict[str, list[str]]:
    """msgid -> [msgstr[0], msgstr[1], ...] for every complete plural entry whose fields
    match the source's."""
    return _parse(path)[1]


def _parse(path: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    entries: dict[str, str] = {}
    plurals: dict[str, list[str]] = {}
    msgid: list[str] = []
    msgid_plural: list[str] = []
    msgstr: list[str] = []
    forms: dict[int, list[str]] = {}
    target: list[str] | None = None
    fuzzy = False

    def flush() -> None:
        src, dst = "".join(msgid), "".join(msgstr)
        if not src or fuzzy:
            return
        if msgid_plural:
            fields = _fields(src) | _fields("".join(msgid_plural))
            texts = ["".join(forms[i]) for i in sorted(forms)]
            complete = texts and all(texts) and sorted(forms) == list(range(len(forms)))
            if complete and all(_fields(t) <= fields for t in texts):
                plurals[src] = texts
        elif dst and _fields(src) == _fields(dst):
            entries[src] = dst

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            flush()
            msgid, msgid_plural, msgstr, forms = [ast.literal_eval(line[6:])], [], [], {}
            target = msgid
        elif line.startswith("msgid_plural "):
            msgid_plural = [ast.literal_eval(line[13:])]
            target = msgid_plural
        elif line.startswith("msgstr["):
            index, _sep, text = line[7:].partition("]")
            target = forms.setdefault(int(index), [])
            target.append(ast.literal_eval(text.strip()))
        elif line.startswith("msgstr "):
            msgstr = [ast.literal_eval(line[7:])]
            target = msgstr
        elif line.startswith('"') and target is not None:
            target.append(ast.literal_eval(line))
        elif not line:
            flush()
            msgid, msgid_plural, msgstr, forms, target, fuzzy = [], [], [], {}, None, False
    flush()
    return entries, plurals


def system_language() -> str:
    lang = (locale.getlocale()[0] or "").lower()
    return "zh_CN" if re.match(r"zh", lang) else "en"


def set_language(language: str | None) -> str:
    """Switch the catalog; None follows the OS locale. Returns the language in effect."""
    global _catalog, _plurals, _language
    lang = language or system_language()
    if lang not in SUPPORTED:
        lang = "en"
    _language = lang
    _shown.setdefault(lang, {})
    _catalog = {} if lang == "en" else catalog_for(lang)
    _plurals = {} if lang == "en" else plurals_for(lang)
    return lang


def current_language() -> str:
    return _language


def _(message: str) -> str:
    text = _catalog.get(message, message)
    _shown[_language][text] = message
    return text


def source_of(text: str, language: str) -> str | None:
    """The msgid a text shown in ``language`` was translated from, if ``_`` made it (texts
    with fields filled in, and data, are not found: their owners render them again)."""
    return _shown.get(language, {}).get(text)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the count ``n`` ("1 job", "2 jobs"), in the UI language;
    the caller formats the result with the count."""
    forms = _plurals.get(singular)
    if forms:
        index = PLURAL_RULES.get(_language, PLURAL_RULES["en"])(n)
        return forms[min(index, len(forms) - 1)]
    return singular if n == 1 else plural


def N_(message: str) -> str:
    """Mark a string for extraction where it is translated later (tables of labels)."""
    return message


@functools.lru_cache(maxsize=8)
def catalog_for(language: str) -> dict[str, str]:
    # Parsed once per process: documents are rendered often, catalogs change between releases.
    return parse_po(resource_path("locale", f"{language}.po"))


@functools.lru_cache(maxsize=8)
def plurals_for(language: str) -> dict[str, list[str]]:
    return parse_po_plurals(resource_path("locale", f"{language}.po"))


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
