"""Service slips: canonical content, its SHA-256, and the rule that a signed slip never changes.

Canonical form (the same for every payload version, see
:mod:`fieldkit.domain.slip_payload`), chosen so that any platform reproduces the bytes:
UTF-8 JSON, keys sorted, no insignificant whitespace, non-ASCII kept as is, strings in
Unicode NFC, ``Decimal`` as a plain decimal string (no exponent), datetimes converted to
UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``, dates as ``YYYY-MM-DD``, enums by value.
Floats are refused: their text form is not stable across languages.
"""

from __future__ import annotations

import base64
import hashlib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from fieldkit.domain.clock import require_aware
from fieldkit.domain.errors import InvalidValue, SlipLocked
from fieldkit.domain.slip_payload import SCHEMA_V2

SCHEMA = SCHEMA_V2  # what new slips are signed as; every older version still verifies


def _canonical(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Enum):
        return _canonical(value.value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        raise InvalidValue("Floats are not allowed in slip content; use Decimal or str")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidValue(f"Non-finite number in slip content: {value}")
        return format(value, "f")
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, datetime):
        return require_aware(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidValue(f"Slip content keys must be strings, got {key!r}")
            out[unicodedata.normalize("NFC", key)] = _canonical(item)
        return out
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    raise InvalidValue(f"Unsupported value in slip content: {type(value).__name__}")


def canonical_bytes(content: Mapping[str, Any]) -> bytes:
    return json.dumps(
        _canonical(content),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8")


def content_sha256(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(content)).hexdigest()


def verification_code(sha256_hex: str) -> str:
    """Short code a person can read over the phone: 12 base32 chars of the hash, grouped."""
    raw = base64.b32encode(bytes.fromhex(sha256_hex)).decode("ascii")[:12]
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def device_signature_ok(public_b64: str, sha256_hex: str, signature_b64: str) -> bool:
    """Whether the device key ``public_b64`` (Ed25519, base64) signed the content hash."""
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64)).verify(
            base64.b64decode(signature_b64), bytes.fromhex(sha256_hex)
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def key_fingerprint(public_key_b64: str) -> str:
    """Short, stable name of a device's public key (first 16 hex of its SHA-256)."""
    return hashlib.sha256(base64.b64decode(public_key_b64)).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class SlipDraft:
    id: str
    job_id: str
    content: Mapping[str, Any]
    supersedes_id: str | None = None

    def sign(self, at: datetime) -> SignedSlip:
        require_aware(at)
        payload = {
            **self.content,
            "schema": SCHEMA,
            "slip_id": self.id,
            "job_id": self.job_id,
            "supersedes": self.supersedes_id,
        }
        body = canonical_bytes(payload)
        return SignedSlip(
            id=self.id,
            job_id=self.job_id,
            canonical=body.decode("utf-8"),
            sha256=hashlib.sha256(body).hexdigest(),
            signed_at=at,
            supersedes_id=self.supersedes_id,
        )


@dataclass(frozen=True, slots=True)
class SignedSlip:
    id: str
    job_id: str
    canonical: str  # the exact canonical JSON text that was hashed
    sha256: str
    signed_at: datetime
    supersedes_id: str | None = None

    @property
    def code(self) -> str:
        return verification_code(self.sha256)

    def content(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.canonical)
        return loaded

    def verify(self) -> bool:
        """True if the stored text still matches its hash and is still canonical."""
        try:
            recanonical = canonical_bytes(self.content())
        except (ValueError, InvalidValue):
            return False
        return (
            recanonical == self.canonical.encode("utf-8")
            and hashlib.sha256(recanonical).hexdigest() == self.sha256
        )

    def edit(self, **_changes: Any) -> SignedSlip:
        raise SlipLocked(
            "This slip was signed and can never change. Create a correction slip that "
            "supersedes it; both stay on record."
        )

    def correction(self, new_id: str, content: Mapping[str, Any]) -> SlipDraft:
        return SlipDraft(id=new_id, job_id=self.job_id, content=content, supersedes_id=self.id)
