from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fieldkit.domain.clock import FixedClock
from fieldkit.services.context import ServiceContext, open_context

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "qtbot" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gui)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def ctx(tmp_path: Path, clock: FixedClock) -> Iterator[ServiceContext]:
    context = open_context(tmp_path / "data", "eng-wang", clock)
    yield context
    context.db.close()
