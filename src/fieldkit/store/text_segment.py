"""Make Chinese searchable with FTS5's unicode61 tokenizer.

unicode61 keeps a run of ideographs as one token, so "上海示例大厦" would only match in
full. Spacing every CJK character makes each one a token; a query for "示例" then becomes the
phrase "示 例", which matches adjacent characters anywhere: substring search for Chinese,
word/prefix search for Latin text, from one index.
"""

from __future__ import annotations

import re

_CJK = re.compile(
    "([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0002ebef])"
)


def segment(text: str | None) -> str:
    if not text:
        return ""
    return _CJK.sub(r" \1 ", text)


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None
