"""Blob holders and the bytes the center accepts, in process (a real SQLite center file).

A blob has holders: whoever uploaded its bytes, proved they hold them, or had a change
accepted that references it. A second engineer's byte-identical file completes at once with
a proof of possession, or by uploading it (verified, then dropped). Knowing a hash gives
nothing: no answer says "complete" to someone who does not hold the blob."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert

from fieldkit.domain.enums import EvidenceKind
from fieldkit.protocol.blob_proof import possession_proof
from fieldkit.protocol.mutations import ChecklistAnswerV1
from fieldkit.server import tables as t
from fieldkit.server.blobstore import ServerBlobs
from fieldkit.server.errors import ApiError
from fieldkit.server.scope import can_read_blob
from fieldkit.services.context import ServiceContext
from tests.server.center import Center as PushCenter
from tests.server.hostile import two_engineers
from tests.server.inproc import Center, open_center, token
from tests.server.test_hostile_device import item


def _may_read_blob(engine: Engine, engineer: str, sha: str) -> bool:
    with engine.connect() as conn:
        return can_read_blob(conn, engineer, sha)


DATA = b"\x89PNG same photo of the same rack " + os.urandom(300_000)
SHA = hashlib.sha256(DATA).hexdigest()


def _may_read_blob(engine: Engine, engineer: str, sha: str) -> bool:
    with engine.connect() as conn:
        return can_read_blob(conn, engineer, sha)


@pytest.fixture
def inproc(seeded_center: Path, tmp_path: Path) -> Iterator[Center]:
    yield from open_center(seeded_center, tmp_path)


def upload(
    client: TestClient, headers: dict[str, str], data: bytes, proof: str | None = None
) -> Any:
    sha = hashlib.sha256(data).hexdigest()
    body: dict[str, object] = {"size": len(data)}
    if proof is not None:
        body["proof"] = proof
    declared = client.post(f"/blobs/{sha}/declare", json=body, headers=headers)
    assert declared.status_code == 200, declared.text
    if declared.json()["complete"]:
        return declared
    return client.patch(
        f"/blobs/{sha}",
        content=data,
        headers={**headers, "Upload-Offset": "0", "Upload-Length": str(len(data))},
    )


def prove(
    client: TestClient, headers: dict[str, str], username: str, data: bytes, sha: str = SHA
) -> Any:
    """Ask the center for a challenge and answer it from ``data``, as the app does."""
    challenge = client.post(f"/blobs/{sha}/challenge", json={"size": len(data)}, headers=headers)
    assert challenge.status_code == 200, challenge.text
    nonce, ranges = challenge.json()["nonce"], challenge.json()["ranges"]
    proof = possession_proof(username, nonce, [data[a : a + n] for a, n in ranges])
    return client.post(
        f"/blobs/{sha}/declare",
        json={"size": len(data), "proof": proof, "nonce": nonce},
        headers=headers,
    )


def test_a_second_engineer_proves_an_identical_file_and_reads_it(inproc: Center) -> None:
    client = inproc.client()
    wang, li = token(client, "wang"), token(client, "li")
    assert upload(client, wang, DATA).json()["complete"] is True
    # A proof made for someone else, or from other bytes, completes nothing.
    nonce = client.post(f"/blobs/{SHA}/challenge", json={"size": len(DATA)}, headers=li).json()[
        "nonce"
    ]
    for wrong in (
        possession_proof("wang", nonce, [DATA]),
        possession_proof("li", nonce, [DATA + b"x"]),
    ):
        reply = client.post(
            f"/blobs/{SHA}/declare",
            json={"size": len(DATA), "proof": wrong, "nonce": nonce},
            headers=li,
        )
        assert reply.json()["complete"] is False
    assert client.get(f"/blobs/{SHA}", headers=li).status_code == 404
    # li's own proof: complete at once, no byte sent.
    proved = prove(client, li, "li", DATA)
    assert proved.json() == {
        "sha256": SHA,
        "complete": True,
        "offset": len(DATA),
        "size": len(DATA),
    }
    assert client.get(f"/blobs/{SHA}/status", headers=li).json()["complete"] is True
    assert client.get(f"/blobs/{SHA}", headers=li).content == DATA
    assert client.get(f"/blobs/{SHA}", headers=wang).content == DATA  # still wang's too
    assert list((inproc.folder / "blobs" / "partial").iterdir()) == []


def test_a_second_engineer_uploading_identical_bytes_becomes_a_holder(inproc: Center) -> None:
    client = inproc.client()
    wang, li, demo = (token(client, u) for u in ("wang", "li", "demo"))
    assert upload(client, wang, DATA).json()["complete"] is True
    stored = inproc.folder / "blobs" / SHA[:2] / SHA
    inode = stored.stat().st_ino
    # A client without the proof sends the bytes: verified, dropped, li holds the blob.
    reply = upload(client, li, DATA)
    assert reply.status_code == 200 and reply.json()["complete"] is True, reply.text
    assert stored.stat().st_ino == inode  # the stored copy is untouched
    assert client.get(f"/blobs/{SHA}", headers=li).content == DATA
    # Other bytes under the same hash are refused and change nothing.
    client.post(f"/blobs/{SHA}/declare", json={"size": len(DATA)}, headers=demo)
    junk = client.patch(
        f"/blobs/{SHA}",
        content=os.urandom(len(DATA)),
        headers={**demo, "Upload-Offset": "0", "Upload-Length": str(len(DATA))},
    )
    assert junk.status_code == 422 and junk.json()["code"] == "blob.hash_mismatch"
    assert client.get(f"/blobs/{SHA}", headers=demo).status_code == 404
    assert client.get(f"/blobs/{SHA}", headers=wang).content == DATA
    assert list((inproc.folder / "blobs" / "partial").iterdir()) == []


def test_knowing_a_hash_is_no_oracle_in_declare_or_upload(inproc: Center) -> None:
    """Once, declaring or sending a byte for a stored blob's hash answered "complete"."""
    client = inproc.client()
    wang, li = token(client, "wang"), token(client, "li")
    assert upload(client, wang, DATA).json()["complete"] is True
    unknown = hashlib.sha256(b"nothing like it").hexdigest()

    def answers(sha: str) -> tuple[object, ...]:
        patch = client.patch(
            f"/blobs/{sha}",
            content=b"x",
            headers={**li, "Upload-Offset": "0", "Upload-Length": str(len(DATA))},
        )
        declare = client.post(f"/blobs/{sha}/declare", json={"size": len(DATA)}, headers=li)
        status = client.get(f"/blobs/{sha}/status", headers=li)
        return (
            patch.status_code,
            patch.json()["code"],
            declare.json()["complete"],
            declare.json()["offset"],
            status.json()["complete"],
        )

    assert answers(SHA) == answers(unknown) == (409, "blob.undeclared", False, 0, False)


def test_a_holder_by_accepted_reference_keeps_reading(
    ctx: ServiceContext, center: PushCenter
) -> None:
    """An engineer whose accepted change references a blob of their scope (a drawing of the
    job's site he attaches as evidence) holds it: it stays readable after the job moves on,
    while a drawing of that site he never referenced does not."""
    f = two_engineers(ctx, center, j1="on_site", j2="on_site")
    other = hashlib.sha256(b"another drawing").hexdigest()
    site = center.rows("jobs", id="j1")[0]["site_id"]
    for n, sha in enumerate((SHA, other)):
        center.blob(sha, "office")
        with center.engine.begin() as conn:
            conn.execute(
                insert(t.ENTITY["documents"]).values(
                    id=f"doc-{n}",
                    site_id=site,
                    kind="drawing",
                    title=f"rack {n}",
                    version_label="",
                    blob_sha256=sha,
                    mime="image/png",
                    size_bytes=10,
                    page_count=None,
                    updated_at=datetime.now(UTC),
                )
            )
    assert _may_read_blob(center.engine, "eng-wang", SHA)  # by scope, for now
    answer = ChecklistAnswerV1(
        answer_id="w-a",
        run_item_id=item(ctx, "photo", "j1"),
        kind=EvidenceKind.PHOTO,
        at=datetime.now(UTC),
        blob_sha256=SHA,
    )
    assert center.send(f.wang, answer, answer.run_item_id).status == "applied"
    assert sorted((r["username"], r["how"]) for r in center.rows("blob_holders", sha256=SHA)) == [
        ("eng-wang", "reference"),
        ("office", "upload"),
    ]
    center.set("jobs", "j1", status="escalated")  # escalated and re-assigned: the site is li's
    center.assign("j1", "li", datetime.now(UTC))
    assert not _may_read_blob(center.engine, "eng-wang", other)
    assert _may_read_blob(center.engine, "eng-wang", SHA)  # his own evidence still


def test_h4_bytes_only_for_a_declared_hash_or_one_a_stopped_push_waits_for(
    ctx: ServiceContext, center: PushCenter, tmp_path: Path
) -> None:
    f = two_engineers(ctx, center, j1="on_site", j2="on_site")
    blobs = ServerBlobs(tmp_path / "blobs", center.engine, 1 << 30, max_partial_bytes=1 << 20)
    answer = ChecklistAnswerV1(
        answer_id="w-a",
        run_item_id=item(ctx, "photo", "j1"),
        kind=EvidenceKind.PHOTO,
        at=datetime.now(UTC),
        blob_sha256=SHA,
    )
    pending = center.mutation(f.wang, answer, answer.run_item_id)
    stopped = center.push(f.wang, pending)
    assert (stopped.stopped, stopped.expected_seq) == ("blob_missing", pending.seq)
    # li's device has no change waiting for this hash: no bytes from her.
    with pytest.raises(ApiError) as refused:
        blobs.append(SHA, 0, len(DATA), DATA[:1000], f.li.who.username)
    assert refused.value.code == "blob.undeclared"
    # The per-user cap holds on this path too.
    with pytest.raises(ApiError) as capped:
        blobs.append(SHA, 0, 2 << 20, DATA[:1000], f.wang.username)
    assert capped.value.code == "blob.quota"
    # wang's stopped push waits for it: his bytes are taken without a declaration.
    done, size = blobs.append(SHA, 0, len(DATA), DATA, f.wang.username)
    assert (done, size) == (True, len(DATA))
    assert center.rows("blob_wants") == []
    result = center.push(f.wang, pending).results
    assert [r.status for r in result] == ["applied"]
