"""Possession proofs are bounded (in process, a real SQLite center file): the center chooses
the ranges, so a check reads at most 512 KiB of the stored file however large it is; each
account gets a limited number of challenges and checks a minute; a challenge looks the same
for a stored blob and an unknown hash; and the old whole-file proof, one full read of the
stored file per request at the caller's will, completes nothing any more."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fieldkit.protocol.blob_proof import WINDOW, WINDOWS, possession_proof
from fieldkit.server.blob_proofs import TTL_SECONDS, ProofDesk
from tests.server.inproc import Center, open_center, token
from tests.server.test_blob_holders import prove, upload

BIG = os.urandom(4 << 20)
BIG_SHA = hashlib.sha256(BIG).hexdigest()


@pytest.fixture
def inproc(seeded_center: Path, tmp_path: Path) -> Iterator[Center]:
    yield from open_center(seeded_center, tmp_path)


def _challenge(client: Any, headers: dict[str, str], sha: str, size: int) -> dict[str, Any]:
    reply = client.post(f"/blobs/{sha}/challenge", json={"size": size}, headers=headers)
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def test_a_proof_covers_at_most_512_kib_chosen_by_the_center(inproc: Center) -> None:
    client = inproc.client()
    wang, li = token(client, "wang"), token(client, "li")
    assert upload(client, wang, BIG).json()["complete"] is True
    challenge = _challenge(client, li, BIG_SHA, len(BIG))
    ranges = challenge["ranges"]
    assert len(ranges) == WINDOWS and sum(n for _, n in ranges) == WINDOWS * WINDOW == 512 << 10
    assert all(a >= 0 and a + n <= len(BIG) for a, n in ranges)
    assert ranges != _challenge(client, li, BIG_SHA, len(BIG))["ranges"]  # random each time
    # The check reads those windows only: an answer from them alone is accepted ...
    windows = [BIG[a : a + n] for a, n in ranges]
    answer = possession_proof("li", challenge["nonce"], windows)
    # ... but never for another challenge: the nonce is part of what is hashed.
    other = _challenge(client, li, BIG_SHA, len(BIG))["nonce"]
    replay = client.post(
        f"/blobs/{BIG_SHA}/declare",
        json={"size": len(BIG), "proof": answer, "nonce": other},
        headers=li,
    )
    assert replay.json()["complete"] is False
    proved = client.post(
        f"/blobs/{BIG_SHA}/declare",
        json={"size": len(BIG), "proof": answer, "nonce": challenge["nonce"]},
        headers=li,
    )
    assert proved.json()["complete"] is True
    assert client.get(f"/blobs/{BIG_SHA}", headers=li).content == BIG


def test_the_old_whole_file_proof_completes_nothing(inproc: Center) -> None:
    """It made the center hash the whole stored file on every request, as often as asked."""
    client = inproc.client()
    wang, li = token(client, "wang"), token(client, "li")
    assert upload(client, wang, BIG).json()["complete"] is True
    whole = hashlib.sha256(b"fieldkit blob possession v1\nli\n" + BIG).hexdigest()
    reply = client.post(
        f"/blobs/{BIG_SHA}/declare", json={"size": len(BIG), "proof": whole}, headers=li
    )
    assert reply.status_code == 200 and reply.json()["complete"] is False
    assert client.get(f"/blobs/{BIG_SHA}", headers=li).status_code == 404


def test_challenges_and_checks_are_limited_per_account_a_minute(inproc: Center) -> None:
    client = inproc.client()
    wang, li = token(client, "wang"), token(client, "li")
    assert upload(client, wang, BIG).json()["complete"] is True
    first = _challenge(client, li, BIG_SHA, len(BIG))
    for _ in range(118):
        assert _challenge(client, li, BIG_SHA, len(BIG))["nonce"] is not None
    # The 120th of the minute is the last: a check needs one too, so the right answer to
    # the first challenge is no longer checked, and no further challenge is given.
    assert _challenge(client, li, BIG_SHA, len(BIG))["nonce"] is not None
    refused = _challenge(client, li, BIG_SHA, len(BIG))
    assert (refused["nonce"], refused["ranges"]) == (None, [])
    windows = [BIG[a : a + n] for a, n in first["ranges"]]
    late = client.post(
        f"/blobs/{BIG_SHA}/declare",
        json={
            "size": len(BIG),
            "proof": possession_proof("li", first["nonce"], windows),
            "nonce": first["nonce"],
        },
        headers=li,
    )
    assert late.json()["complete"] is False
    # Another account is not held back by li's.
    demo = token(client, "demo")
    assert prove(client, demo, "demo", BIG, BIG_SHA).json()["complete"] is True


def test_a_challenge_says_nothing_about_whether_a_blob_is_stored(inproc: Center) -> None:
    client = inproc.client()
    wang, li = token(client, "wang"), token(client, "li")
    assert upload(client, wang, BIG).json()["complete"] is True
    unknown = hashlib.sha256(b"never uploaded").hexdigest()

    def shape(sha: str) -> tuple[object, ...]:
        c = _challenge(client, li, sha, len(BIG))
        wrong = possession_proof("li", c["nonce"], [b"guess"])
        declared = client.post(
            f"/blobs/{sha}/declare",
            json={"size": len(BIG), "proof": wrong, "nonce": c["nonce"]},
            headers=li,
        ).json()
        return (
            sorted(c),
            c["size"],
            len(c["ranges"]),
            sum(n for _, n in c["ranges"]),
            len(c["nonce"]),
            declared["complete"],
            declared["offset"],
        )

    assert shape(BIG_SHA) == shape(unknown)


def test_a_nonce_holds_for_its_account_hash_and_size_until_it_expires() -> None:
    now = [1_800_000_000.0]
    desk = ProofDesk(b"k" * 32, wall=lambda: now[0])
    data = os.urandom(1 << 20)
    sha = hashlib.sha256(data).hexdigest()
    c = desk.challenge(sha, len(data), "li")
    assert c.nonce is not None
    answer = possession_proof("li", c.nonce, [data[a : a + n] for a, n in c.ranges])

    def check(sha_: str, size: int, who: str, nonce: str) -> bool:
        return desk.check(sha_, size, who, nonce, answer, lambda: io.BytesIO(data))

    assert check(sha, len(data), "li", c.nonce)
    assert not check(sha, len(data), "wang", c.nonce)
    assert not check("0" * 64, len(data), "li", c.nonce)
    assert not check(sha, len(data) + 1, "li", c.nonce)
    stamp, rest = c.nonce.split(".", 1)
    assert not check(sha, len(data), "li", f"{int(stamp) + 3600}.{rest}")  # extended: unsigned
    assert not check(sha, len(data), "li", "not a nonce")
    now[0] += TTL_SECONDS + 1
    assert not check(sha, len(data), "li", c.nonce)
    # Another center (another key) never accepts this center's nonce.
    assert not ProofDesk(b"x" * 32).check(
        sha, len(data), "li", c.nonce, answer, lambda: io.BytesIO(data)
    )
