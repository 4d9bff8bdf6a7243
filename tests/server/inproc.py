"""An in-process service center over a real, seeded demo SQLite file, for the resource-limit
tests (milliseconds per request). Its fixtures are in conftest.py (``seeded_center``) and in
the test module (``center``)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fieldkit.server.app import create_app
from fieldkit.server.database import create_server_engine
from fieldkit.server.settings import ServerSettings, load_server_settings
from tests.support.server import PASSWORD, copy_template


@dataclasses.dataclass
class Center:
    folder: Path
    settings: ServerSettings
    engine: Engine

    def app(self, **changes: Any) -> Any:
        return create_app(dataclasses.replace(self.settings, **changes), self.engine)

    def client(self, app: Any = None, source: str = "127.0.0.1", **changes: Any) -> TestClient:
        return TestClient(app or self.app(**changes), client=(source, 50000))


def open_center(seeded: Path, tmp_path: Path) -> Iterator[Center]:
    """A copy of the seeded center for one test."""
    folder = copy_template(seeded, tmp_path / "center")
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
