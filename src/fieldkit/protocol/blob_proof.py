"""Proof that a device holds a file's bytes, not only its hash: SHA-256 over a fixed prefix,
the engineer's name and then the content. The prefix comes first, so the hash of the content
alone (which another engineer may have seen) does not let anyone compute it. The center
checks it against its stored copy of a blob a second engineer uploads: the bytes need not
travel again, and the engineer becomes one of the blob's holders."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

PREFIX = b"fieldkit blob possession v1\n"


def possession_proof(username: str, blocks: Iterable[bytes]) -> str:
    digest = hashlib.sha256(PREFIX + username.encode("utf-8") + b"\n")
    for block in blocks:
        digest.update(block)
    return digest.hexdigest()
