"""Proof that a device holds a file's bytes, not only its hash, over ranges the center
chooses: the center sends a challenge (an opaque nonce and up to 16 windows of 32 KiB at
random offsets, the whole file when it is smaller than that), and the device answers with
SHA-256 over a fixed prefix, the engineer's name, the nonce and the bytes of those windows.
The prefix and the nonce come first, so neither the hash of the content (which another
engineer may have seen) nor an earlier answer lets anyone compute it; and a check reads at
most 512 KiB of the stored copy, however large the file. The center checks it against its
stored copy of a blob a second engineer uploads: the bytes need not travel again, and the
engineer becomes one of the blob's holders."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Iterator
from typing import BinaryIO

PREFIX = b"fieldkit blob possession v2\n"
WINDOW = 32 << 10
WINDOWS = 16


def challenge_ranges(size: int, rng: random.Random) -> list[tuple[int, int]]:
    """(offset, length) windows of a ``size``-byte file to prove, in file order."""
    if size <= WINDOW * WINDOWS:
        return [(0, size)]
    return [
        (start, WINDOW)
        for start in sorted(rng.randrange(size - WINDOW + 1) for _ in range(WINDOWS))
    ]


def read_ranges(fh: BinaryIO, ranges: Iterable[tuple[int, int]]) -> Iterator[bytes]:
    for start, length in ranges:
        fh.seek(start)
        yield fh.read(length)


def possession_proof(username: str, nonce: str, blocks: Iterable[bytes]) -> str:
    digest = hashlib.sha256(PREFIX + username.encode("utf-8") + b"\n" + nonce.encode() + b"\n")
    for block in blocks:
        digest.update(block)
    return digest.hexdigest()
