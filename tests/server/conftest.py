"""An in-process service center over a real, seeded SQLite file (milliseconds per request)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fieldkit.server.app import create_app
from fieldkit.server.database import create_server_engine
from fieldkit.server.settings import ServerSettings, load_server_settings
from tests.support.server import PASSWORD, copy_template, seed


@pytest.fixture(scope="session")
def seeded_center(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inproc-center")
    seed(folder)
    return folder


@dataclasses.dataclass
class Center:
    folder: Path
    settings: ServerSettings
    engine: Engine

    def app(self, **changes: Any) -> Any:
        return create_app(dataclasses.replace(self.settings, **changes), self.engine)

    def client(self, app: Any = None, source: str = "127.0.0.1", **changes: Any) -> TestClient:
        return TestClient(app or self.app(**changes), client=(source, 50000))


@pytest.fixture
def center(seeded_center: Path, tmp_path: Path) -> Iterator[Center]:
    folder = copy_template(seeded_center, tmp_path / "center")
    settings = load_server_settings(folder)
    engine = create_server_engine(settings.database_url)
    yield Center(folder, settings, engine)
    engine.dispose()


def login(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    return client.post(
        "/auth/login",
        json={"username": username, "password": password, "device_id": str(uuid.uuid4())},
    )


def token(client: TestClient, username: str) -> dict[str, str]:
    reply = login(client, username)
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['token']}"}


Login = Callable[[TestClient, str], Any]
