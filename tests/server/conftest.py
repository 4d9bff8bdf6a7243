from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from tests.server.center import Center, migrated_template
from tests.support.keyrings import MemoryKeyring
from tests.support.server import seed


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def center_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once; each test gets its own copy of the file."""
    return migrated_template(tmp_path_factory.mktemp("center-template"))


@pytest.fixture
def center(center_template: Path, tmp_path: Path) -> Iterator[Center]:
    c = Center.from_template(center_template, tmp_path / "center")
    yield c
    c.engine.dispose()


@pytest.fixture(scope="session")
def seeded_center(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A center seeded with the demo data once (the resource-limit tests copy it)."""
    folder = tmp_path_factory.mktemp("inproc-center")
    seed(folder)
    return folder
