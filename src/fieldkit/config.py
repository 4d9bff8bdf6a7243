"""Where data lives and who is using it: typed settings with their defaults in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

ENV_DATA_DIR = "FIELDKIT_DATA_DIR"
ENV_USER = "FIELDKIT_USER"
# Settings kept in the data file (services/settings.py) that apply before Qt starts.
LANGUAGE_KEY, THEME_KEY, SCALE_KEY = "ui.language", "ui.theme", "ui.scale"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    user: str = "demo"
    language: str | None = None  # None: follow the OS locale


def resolve_data_dir(cli_value: str | None) -> Path:
    """--data-dir beats $FIELDKIT_DATA_DIR beats the platform's per-user data folder, so tests
    and benchmarks never touch an engineer's real data."""
    if cli_value:
        return Path(cli_value).expanduser().resolve()
    if os.environ.get(ENV_DATA_DIR):
        return Path(os.environ[ENV_DATA_DIR]).expanduser().resolve()
    return Path(user_data_dir("FieldKit", "FieldKit"))


def load_settings(data_dir: str | None = None) -> Settings:
    return Settings(data_dir=resolve_data_dir(data_dir), user=os.environ.get(ENV_USER, "demo"))
