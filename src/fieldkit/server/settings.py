"""Server configuration from the environment, with defaults for a single-machine center."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path


@dataclass(frozen=True)
class ServerSettings:
    data_dir: Path
    database_url: str
    token_ttl: timedelta = timedelta(days=30)  # engineers sync rarely; revocation is instant
    login_window: timedelta = timedelta(minutes=15)
    login_max_failures: int = 5
    max_blob_bytes: int = 2 << 30

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"


def load_server_settings(
    data_dir: str | Path | None = None, database_url: str | None = None
) -> ServerSettings:
    root = Path(
        data_dir or os.environ.get("FIELDKIT_SERVER_DATA", "fieldkit-server-data")
    ).resolve()
    url = database_url or os.environ.get("FIELDKIT_SERVER_DB") or f"sqlite:///{root / 'server.db'}"
    return ServerSettings(data_dir=root, database_url=url)
