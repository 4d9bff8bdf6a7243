"""This device's Ed25519 key: the private half lives in the OS keyring (service ``fieldkit``),
the public half is registered with the service center at login. Every signed slip's content
hash is signed with it, so the center and `fieldkit verify` know which device issued a slip
and that nobody altered it since."""

from __future__ import annotations

import base64
import contextlib
import logging

import keyring
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from keyring.errors import KeyringError

from fieldkit.domain.slip import device_signature_ok, key_fingerprint
from fieldkit.services.context import ServiceContext
from fieldkit.services.settings import get_setting, set_setting

SERVICE = "fieldkit"
log = logging.getLogger(__name__)
_memory: dict[str, Ed25519PrivateKey] = {}


def _account(device_id: str) -> str:
    return f"device-key:{device_id}"


def _raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def private_key(ctx: ServiceContext) -> Ed25519PrivateKey:
    """Load this device's key, creating it on first use."""
    account = _account(ctx.device_id)
    if account in _memory:
        return _memory[account]
    stored = None
    try:
        stored = keyring.get_password(SERVICE, account)
    except (KeyringError, RuntimeError):
        stored = None
    if stored:
        key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(stored))
    else:
        key = Ed25519PrivateKey.generate()
        raw = key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        try:
            keyring.set_password(SERVICE, account, base64.b64encode(raw).decode())
        except (KeyringError, RuntimeError):
            log.warning("no keyring: the device key lasts until FieldKit closes")
    _memory[account] = key
    set_setting(ctx, "device.public_key", public_key_b64(key))
    return key


def erase(device_id: str) -> None:
    """Remove the device's private key from the keyring and this process (remote wipe)."""
    account = _account(device_id)
    _memory.pop(account, None)
    with contextlib.suppress(KeyringError, RuntimeError):
        keyring.delete_password(SERVICE, account)


def public_key_b64(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(_raw_public(key)).decode()


fingerprint = key_fingerprint


def sign_hash(ctx: ServiceContext, sha256_hex: str) -> tuple[str, str]:
    """(signature, public key), both base64, over the slip's content hash."""
    return sign_with(private_key(ctx), sha256_hex)


def sign_with(key: Ed25519PrivateKey, sha256_hex: str) -> tuple[str, str]:
    """(signature, public key) of ``key`` over a content hash."""
    return base64.b64encode(key.sign(bytes.fromhex(sha256_hex))).decode(), public_key_b64(key)


verify = device_signature_ok  # the rule lives in the domain, so the center shares it


def known_public_key(ctx: ServiceContext) -> str | None:
    value = get_setting(ctx, "device.public_key")
    return str(value) if value else None
