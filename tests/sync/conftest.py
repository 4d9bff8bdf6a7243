from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from tests.support.keyrings import MemoryKeyring
from tests.support.postgres import Postgres, start_postgres
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
def postgres() -> Iterator[Postgres]:
    pg = start_postgres()
    yield pg
    pg.stop()


@pytest.fixture(scope="session")
def server_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seed once (users office/demo/wang/li, 24 jobs); each test serves its own copy."""
    template = tmp_path_factory.mktemp("server-template")
    seed(template)
    return template


@pytest.fixture(scope="session")
def pg_template(postgres: Postgres, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The same seed in a PostgreSQL template database (cloned per test by CREATE DATABASE)."""
    folder = tmp_path_factory.mktemp("pg-template")
    name = postgres.create_database()
    seed(folder, db=postgres.url(name))
    return folder, name


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    if request.param == "sqlite":
        srv = start_server(
            copy_template(request.getfixturevalue("server_template"), tmp_path / "server")
        )
    else:
        postgres: Postgres = request.getfixturevalue("postgres")
        folder, template = request.getfixturevalue("pg_template")
        db = postgres.url(postgres.create_database(template=template))
        srv = start_server(copy_template(folder, tmp_path / "server"), db=db)
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
