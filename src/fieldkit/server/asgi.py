"""ASGI entry point for uvicorn workers: settings come from the environment."""

from __future__ import annotations

from fieldkit.server.app import create_app
from fieldkit.server.database import create_server_engine
from fieldkit.server.settings import load_server_settings

_settings = load_server_settings()
app = create_app(_settings, create_server_engine(_settings.database_url))
