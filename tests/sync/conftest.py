from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from tests.support.keyrings import MemoryKeyring
from tests.support.server import (
    Client,
    Office,
    Server,
    copy_template,
    make_client,
    seed,
    start_server,
)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def server_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seed once (users office/demo/wang/li, 24 jobs); each test serves its own copy."""
    template = tmp_path_factory.mktemp("server-template")
    seed(template)
    return template


@pytest.fixture
def server(server_template: Path, tmp_path: Path) -> Iterator[Server]:
    srv = start_server(copy_template(server_template, tmp_path / "server"))
    yield srv
    srv.stop()


@pytest.fixture
def office(server: Server) -> Office:
    return Office(server.url)


@pytest.fixture
def wang(server: Server, tmp_path: Path) -> Iterator[Client]:
    client = make_client(server.url, "wang", tmp_path / "wang")
    yield client
    client.close()


@pytest.fixture
def li(server: Server, tmp_path: Path) -> Iterator[Client]:
    client = make_client(server.url, "li", tmp_path / "li")
    yield client
    client.close()
