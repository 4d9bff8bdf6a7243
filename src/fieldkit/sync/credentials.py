"""Tokens live in the OS keyring (service ``fieldkit``), never in a file or a log.

Without a usable keyring (no Secret Service on a bare Linux, say) the token is kept in
memory for this run only and the user is told they will have to log in again.
"""

from __future__ import annotations

import contextlib
import logging

import keyring
from keyring.errors import KeyringError

SERVICE = "fieldkit"
log = logging.getLogger(__name__)


class CredentialStore:
    def __init__(self) -> None:
        self._memory: dict[str, str] = {}
        self.persistent = True
        self.warning = ""

    @staticmethod
    def _account(server_url: str, username: str) -> str:
        return f"{username}@{server_url.rstrip('/')}"

    def save(self, server_url: str, username: str, token: str) -> None:
        account = self._account(server_url, username)
        try:
            keyring.set_password(SERVICE, account, token)
            self.persistent = True
        except (KeyringError, RuntimeError) as exc:
            self._memory[account] = token
            self.persistent = False
            self.warning = (
                "No system keyring is available: you stay logged in until FieldKit "
                "closes, then you will be asked to log in again."
            )
            log.warning("keyring unavailable (%s); token kept in memory only", type(exc).__name__)

    def load(self, server_url: str, username: str) -> str | None:
        account = self._account(server_url, username)
        if account in self._memory:
            return self._memory[account]
        try:
            return keyring.get_password(SERVICE, account)
        except (KeyringError, RuntimeError):
            return None

    def delete(self, server_url: str, username: str) -> None:
        account = self._account(server_url, username)
        self._memory.pop(account, None)
        with contextlib.suppress(KeyringError, RuntimeError):
            keyring.delete_password(SERVICE, account)
