"""The center's own Ed25519 key: it signs remote wipe orders, and devices pin its public half
at login. Kept in the center's data folder (``center-key``, mode 0600), created at first start;
``FIELDKIT_CENTER_KEY_FILE`` points several servers of one center at the same key."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fieldkit.domain.wipe_order import order_fields, signed_bytes

FILE_NAME = "center-key"


@dataclass(frozen=True)
class CenterKey:
    private: Ed25519PrivateKey

    @property
    def public_b64(self) -> str:
        raw = self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return base64.b64encode(raw).decode("ascii")

    def derived_key(self, purpose: bytes) -> bytes:
        """A secret for ``purpose`` that every process of this center shares (one key file)."""
        raw = self.private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return hashlib.sha256(b"fieldkit derived key\n" + purpose + b"\n" + raw).digest()

    def wipe_order(self, device_id: str, username: str, issued_at: datetime) -> dict[str, str]:
        """The signed order a device of ``username`` obeys (see ``domain.wipe_order``)."""
        fields = order_fields(device_id, username, issued_at)
        signature = self.private.sign(signed_bytes(*fields.values()))
        return {**fields, "signature": base64.b64encode(signature).decode("ascii")}


def key_path(data_dir: Path) -> Path:
    configured = os.environ.get("FIELDKIT_CENTER_KEY_FILE", "").strip()
    return Path(configured) if configured else data_dir / FILE_NAME


def load_or_create(path: Path) -> CenterKey:
    """The key in ``path``; a new one is written there (0600) if there is none. Several
    processes starting at once agree on one key: the file appears whole or not at all."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(base64.b64encode(raw).decode("ascii") + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            with contextlib.suppress(FileExistsError):  # another process was first: use its
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise PermissionError(f"{path} must be readable by the center's account only (chmod 600)")
    raw = base64.b64decode(path.read_text(encoding="ascii").strip(), validate=True)
    return CenterKey(Ed25519PrivateKey.from_private_bytes(raw))
