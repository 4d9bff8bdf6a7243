"""The rescue bundle format shared by the tablet (writes it) and the center (imports it).

A bundle is JSON: who wrote it (``device_id``, ``engineer``), when, the changes the center
never confirmed (``mutations``), the changes the center refused and the engineer had not
resolved (``refused``, each with the reason it was given), and the files they need
(``blobs``, base64 by SHA-256). The device signs its digest with its Ed25519 key, the key it
registered with the center at login, so the center imports only bundles that the named
device wrote and nobody altered since.

The digest covers every field except the blob bytes themselves, which are bound by their
SHA-256 names (the center checks each file against its name). The text hashed starts with
the format name, so a bundle digest can never equal a slip's content hash (the same key
signs both).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

FORMAT = "fieldkit.outbox/2"
LEGACY_FORMAT = "fieldkit.outbox/1"  # unsigned: written by releases before signed bundles
SIGNED_FIELDS = ("format", "device_id", "engineer", "exported_at", "mutations", "refused")


def digest(bundle: dict[str, Any]) -> str:
    """SHA-256 (hex) of what the device signs: the same on both sides for the same bundle."""
    signed = {name: bundle.get(name) for name in SIGNED_FIELDS}
    signed["blobs"] = sorted(dict(bundle.get("blobs") or {}))
    body = json.dumps(
        signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256(f"{FORMAT}\n{body}".encode()).hexdigest()
