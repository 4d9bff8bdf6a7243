"""The remote wipe order: the center signs (device id, username, issued time) with its
Ed25519 key, and a device obeys only an order signed by the key it pinned when it logged in.
One definition of the signed bytes serves the center that signs and the app that checks."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

PURPOSE = b"fieldkit remote wipe v1"


def signed_bytes(device_id: str, username: str, issued_at: str) -> bytes:
    """What the signature covers: the purpose (so no other signature of the key can pass for
    a wipe order), then the device, the account and the time the office asked for it."""
    return b"\n".join((PURPOSE, device_id.encode(), username.encode(), issued_at.encode()))


def order_fields(device_id: str, username: str, issued_at: datetime) -> dict[str, str]:
    return {"device_id": device_id, "username": username, "issued_at": issued_at.isoformat()}


def order_refusal(
    pinned_key_b64: str | None, order: Mapping[str, Any], device_id: str, username: str
) -> str | None:
    """Why this device must not obey ``order`` (the detail of an ``auth.wipe`` answer), or
    None when the pinned center key signed it for this very device and account."""
    if not pinned_key_b64:
        return "no center key was pinned at login"
    fields = [order.get(k) for k in ("device_id", "username", "issued_at", "signature")]
    if not all(isinstance(v, str) and v for v in fields):
        return "the order is not signed"
    order_device, order_user, issued_at, signature = (str(v) for v in fields)
    if order_device != device_id or order_user != username:
        return "the order names another device or account"
    try:
        datetime.fromisoformat(issued_at)
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(pinned_key_b64, validate=True))
        key.verify(
            base64.b64decode(signature, validate=True),
            signed_bytes(order_device, order_user, issued_at),
        )
    except (InvalidSignature, ValueError):
        return "the signature is not the center's"
    return None
