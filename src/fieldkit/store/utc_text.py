"""How an aware datetime is written in the data file: fixed-width UTC ISO text, so stored
times sort and compare as text. Standard library only: the lean job-list reads use it too."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_text(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime cannot be stored; attach a time zone")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
