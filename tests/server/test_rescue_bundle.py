"""Rescue bundle checks in process, over a SQLite center: every way a bundle can fail to be
the named device's own, unaltered work is refused before anything is written (H1)."""

from __future__ import annotations

import base64
import copy
import hashlib
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, func, insert, select

from fieldkit.protocol import rescue as fmt
from fieldkit.server import tables as t
from fieldkit.server.blobstore import ServerBlobs
from fieldkit.server.database import create_server_engine, migrate
from fieldkit.server.errors import ApiError
from fieldkit.server.rescue import import_bundle, inspect_bundle

DEVICE, OTHER, KEYLESS = (str(uuid.uuid4()) for _ in range(3))
KEY = Ed25519PrivateKey.generate()
PHOTO = b"\x89PNG evidence photo"
PHOTO_SHA = hashlib.sha256(PHOTO).hexdigest()


def public(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = create_server_engine(f"sqlite:///{tmp_path / 'server.db'}")
    migrate(eng)
    now = datetime.now(UTC)
    with eng.begin() as conn:
        for user_id, name in ((1, "li"), (2, "wang")):
            conn.execute(
                insert(t.users).values(
                    id=user_id,
                    username=name,
                    display_name=name,
                    role="engineer",
                    password_hash="x",
                    active=True,
                )
            )
        for device, user_id, key in (
            (DEVICE, 1, public(KEY)),
            (OTHER, 2, None),
            (KEYLESS, 2, None),
        ):
            conn.execute(
                insert(t.client_devices).values(
                    device_id=device,
                    user_id=user_id,
                    name="tablet",
                    registered_at=now,
                    last_seq=0,
                    public_key=key,
                    revoked=False,
                )
            )
    yield eng
    eng.dispose()


def mutation(seq: int, device: str = DEVICE, blobs: list[str] | None = None) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    return {
        "mutation_id": str(uuid.uuid4()),
        "device_id": device,
        "seq": seq,
        "name": "worklog.add.v1",
        "entity_type": "job",
        "entity_id": str(uuid.uuid4()),
        "base_version": None,
        "args": {"id": str(uuid.uuid4()), "at": now, "note": f"note {seq}"},
        "created_at": now,
        "blob_refs": blobs or [],
    }


def signed(bundle: dict[str, Any], key: Ed25519PrivateKey = KEY) -> dict[str, Any]:
    value = key.sign(bytes.fromhex(fmt.digest(bundle)))
    bundle["signature"] = {
        "algorithm": "ed25519",
        "public_key": public(key),
        "value": base64.b64encode(value).decode(),
    }
    return bundle


def genuine(device: str = DEVICE) -> dict[str, Any]:
    refused = {**mutation(2, device, [PHOTO_SHA]), "reason": "The job was re-assigned"}
    return {
        "format": fmt.FORMAT,
        "device_id": device,
        "engineer": "li",
        "exported_at": datetime.now(UTC).isoformat(),
        "mutations": [mutation(1, device)],
        "refused": [refused],
        "blobs": {PHOTO_SHA: base64.b64encode(PHOTO).decode()},
    }


def test_h1_genuine_bundle_is_shown_with_its_device_engineer_and_counts(engine: Engine) -> None:
    summary = inspect_bundle(engine, signed(genuine()))
    assert (summary.device_id, summary.engineer, len(summary.mutations)) == (DEVICE, "li", 1)
    assert [(m.name, why) for m, why in summary.refused] == [
        ("worklog.add.v1", "The job was re-assigned")
    ]
    assert summary.blobs == {PHOTO_SHA: PHOTO}
    text = "\n".join(summary.lines())
    assert f"signed by device {DEVICE}" in text and "of engineer li" in text
    assert "1 unsynced change(s) (seq 1-1)" in text and "1 change(s) the center refused" in text


def _tamper_note(b: dict[str, Any]) -> None:
    b["mutations"][0]["args"]["note"] = "changed"


def _tamper_reason(b: dict[str, Any]) -> None:
    b["refused"][0]["reason"] = "nothing happened"


def _swap_blob(b: dict[str, Any]) -> None:
    b["blobs"] = {PHOTO_SHA: base64.b64encode(b"other bytes").decode()}


FORGERIES: dict[str, tuple[Callable[[], object], str]] = {
    "not a bundle": (lambda: ["a list"], "rescue.format"),
    "old unsigned format": (lambda: {**genuine(), "format": fmt.LEGACY_FORMAT}, "rescue.unsigned"),
    "no signature": (genuine, "rescue.signature"),
    "signed by another key": (
        lambda: signed(genuine(), Ed25519PrivateKey.generate()),
        "rescue.signature",
    ),
    "note altered after signing": (
        lambda: _after(signed(genuine()), _tamper_note),
        "rescue.signature",
    ),
    "refused reason altered after signing": (
        lambda: _after(signed(genuine()), _tamper_reason),
        "rescue.signature",
    ),
    "file swapped after signing": (lambda: _after(signed(genuine()), _swap_blob), "rescue.blob"),
    "device never logged in": (lambda: signed(genuine(str(uuid.uuid4()))), "rescue.device"),
    "device without a key": (lambda: signed(genuine(KEYLESS)), "rescue.no_key"),
    "a change naming another device": (
        lambda: signed({**genuine(), "mutations": [mutation(1, OTHER)]}),
        "rescue.device",
    ),
    "a file no change refers to": (
        lambda: signed({**genuine(), "refused": []}),
        "rescue.blob",
    ),
}


def _after(bundle: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    out = copy.deepcopy(bundle)
    change(out)
    return out


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_h1_forged_or_altered_bundle_is_refused_and_writes_nothing(
    engine: Engine, tmp_path: Path, name: str
) -> None:
    make, code = FORGERIES[name]
    blobs = ServerBlobs(tmp_path / "blobs", engine, 1 << 20)
    with pytest.raises(ApiError) as refused:
        import_bundle(engine, blobs, make())
    assert refused.value.code == code, refused.value.message
    assert refused.value.message.endswith("Nothing was imported.")
    with engine.connect() as conn:
        for table in (t.processed_mutations, t.conflicts, t.blobs):
            assert conn.scalar(select(func.count()).select_from(table)) == 0, table.name
        assert set(conn.scalars(select(t.client_devices.c.last_seq))) == {0}
