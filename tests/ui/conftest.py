"""Fixtures shared by the UI tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fieldkit.i18n import set_language


@pytest.fixture
def english() -> Iterator[None]:
    """The app in English for the test, and English again after it (a test may switch)."""
    set_language("en")
    yield
    set_language("en")
