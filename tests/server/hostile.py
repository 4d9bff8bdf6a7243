"""A hostile engineer's device: raw mutations with forged ids, numbers, hashes and slips."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from fieldkit.domain.clock import FixedClock
from fieldkit.domain.slip import SCHEMA, canonical_bytes
from fieldkit.server.auth import Principal
from fieldkit.services.context import ServiceContext
from tests.server.center import Center
from tests.services.fixtures import seed_job

STROKES = [[[10.0 + i, 20.0, 0.5, 10.0 * i] for i in range(12)]]


@dataclass
class Rogue:
    """li's device, driven by hand: it signs with its own registered key."""

    who: Principal
    key: Ed25519PrivateKey

    def slip(
        self,
        *,
        slip_id: str,
        job_id: str,
        number: str,
        content_job_id: str | None = None,
        content_slip_id: str | None = None,
        supersedes: str | None = None,
        comments: str = "",
        signature_id: str = "sig-rogue",
        satisfaction: Any = 5,
    ) -> tuple[str, dict[str, Any]]:
        at = datetime.now(UTC)
        payload = {  # a fieldkit.slip/2 payload that meets the app's rule (check_payload)
            "schema": SCHEMA,
            "slip_id": content_slip_id or slip_id,
            "job_id": content_job_id or job_id,
            "supersedes": supersedes,
            "number": number,
            "comments": comments,
            "satisfaction": satisfaction,
            "job": {"number": number.rsplit("-S", 1)[0]},
            "customer": {"name": "客户"},
            "site": {"name": "主楼", "timezone": "Asia/Shanghai"},
            "engineer": {"username": self.who.username, "name": self.who.username},
            "times": {"arrived": None, "started": None, "finished": None},
            "customer_absent": None,
            "signatures": [
                {"role": r, "name": "客户", "at": at, "strokes_sha256": "0" * 64}
                for r in ("customer", "engineer")
            ],
        }
        body = canonical_bytes(payload)
        sha = hashlib.sha256(body).hexdigest()
        args = {
            "slip_id": slip_id,
            "number": number,
            "canonical": body.decode("utf-8"),
            "sha256": sha,
            "supersedes": supersedes,
            "customer_signature_id": signature_id,
            "engineer_signature_id": f"{signature_id}-eng",
            "signatures": [
                signature(signature_id, "客户"),
                signature(f"{signature_id}-eng", self.who.username, "engineer"),
            ],
            "job_id": job_id,
            "signed_at": datetime.now(UTC).isoformat(),
            "device_signature": base64.b64encode(self.key.sign(bytes.fromhex(sha))).decode(),
            "device_public_key": public_b64(self.key),
        }
        return "slip.sign.v1", args


def public_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def signature(sig_id: str, name: str, role: str = "customer") -> dict[str, Any]:
    return {
        "id": sig_id,
        "role": role,
        "signer_name": name,
        "signed_at": datetime.now(UTC).isoformat(),
        "canvas_width": 600,
        "canvas_height": 240,
        "strokes": STROKES,
    }


@dataclass
class Field:
    """wang holds j1 (the app's job); li holds j2 since the office re-assigned it to her."""

    ctx: ServiceContext
    center: Center
    wang: Principal
    li: Rogue


def two_engineers(
    ctx: ServiceContext,
    center: Center,
    *,
    j1: str = "assigned",
    j2: str = "assigned",
    paid: bool = False,
) -> Field:
    seed_job(ctx, status=j1, paid=paid)
    seed_job(ctx, job_id="j2", status="assigned")
    center.copy_from(ctx)
    center.assign("j2", "li", datetime.now(UTC) - timedelta(hours=2))
    if j2 != "assigned":
        center.set("jobs", "j2", status=j2)
    key = Ed25519PrivateKey.generate()
    li = Rogue(center.device("li", public_key=public_b64(key)), key)
    return Field(ctx, center, center.app_device(ctx), li)


def now_clock() -> FixedClock:
    return FixedClock(datetime.now(UTC).replace(microsecond=0))
