"""File-less keyring backends for tests (no OS keyring daemon exists on CI machines)."""

from __future__ import annotations

import os

from keyring.backend import KeyringBackend


class MemoryKeyring(KeyringBackend):
    """Process-local; what a real keyring does, minus persistence."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


class EnvKeyring(MemoryKeyring):
    """For client subprocesses: the parent hands the token over in the environment."""

    def get_password(self, service: str, username: str) -> str | None:
        return super().get_password(service, username) or os.environ.get("FIELDKIT_TEST_TOKEN")
