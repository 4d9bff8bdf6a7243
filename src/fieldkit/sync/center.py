"""Which service center a data folder uses, decided from its settings alone: the app asks
before the store or any HTTP code is loaded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SERVER_URL_SETTING = "sync.server_url"
USERNAME_SETTING = "sync.username"
DEMO_CENTER_SETTING = "sync.demo_center"
# The center's public key (Ed25519, base64), pinned at login: it signs remote wipe orders.
CENTER_KEY_SETTING = "sync.center_key"


def uses_real_center(setting: Callable[[str], Any]) -> bool:
    """True once the folder logged in to a service center other than the local demo one.
    ``setting`` reads one persisted setting (None when unset)."""
    logged_in = setting(SERVER_URL_SETTING) and setting(USERNAME_SETTING)
    return bool(logged_in) and not setting(DEMO_CENTER_SETTING)
