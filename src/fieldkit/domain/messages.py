"""Messages the rules give to people, translatable without the domain knowing any language.

A :class:`Message` is the English text (so logs, tests and the CLI read naturally) and also
carries its template and parameters, so the app can look the template up in the catalog and
format it in the engineer's language.
"""

from __future__ import annotations

from typing import Any


def N_(template: str) -> str:
    """Mark a template for the translation catalog (the catalog test scans for it)."""
    return template


class Message(str):
    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Message:
        text = super().__new__(cls, template.format(**params))
        text.template = template
        text.params = params
        return text
