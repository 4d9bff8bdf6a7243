"""Substring filters over typed text (device parameters, the parts list): what the engineer
types is matched literally, never read as SQL or as LIKE wildcards."""

from __future__ import annotations


def like_pattern(text: str) -> str:
    """A LIKE pattern (escape character ``\\``) that matches ``text`` anywhere, literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
