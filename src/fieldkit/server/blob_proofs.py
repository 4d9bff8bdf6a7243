"""Possession proofs of blobs, bounded: the center chooses the ranges (protocol.blob_proof),
so a check reads at most 512 KiB of the stored file however large it is; and each account
gets a limited number of challenges and checks a minute, so proofs are no lever on the
center's disk or CPU. A challenge looks the same for a stored blob and an unknown hash
(its windows depend only on the size declared): asking for one reveals nothing.

The nonce is self-checking (an expiry, a random value, and an HMAC over them, the hash, the
account and the size), so every API process of one center (one key) accepts the others'
challenges and nothing is stored. The windows follow from the nonce."""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import BinaryIO

from fieldkit.protocol.blob_proof import challenge_ranges, possession_proof, read_ranges
from fieldkit.protocol.wire import BlobChallenge

TTL_SECONDS = 300


class ProofDesk:
    def __init__(
        self,
        key: bytes | None = None,
        *,
        per_minute: int = 120,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.key = key or secrets.token_bytes(32)
        self.per_minute = per_minute
        self._wall, self._monotonic = wall, monotonic
        self._lock = threading.Lock()
        self._recent: dict[str, deque[float]] = {}  # per account: times of challenges, checks

    def challenge(self, sha: str, size: int, who: str) -> BlobChallenge:
        if not self._spend(who):
            return BlobChallenge(sha256=sha, size=size, nonce=None, ranges=[])
        expires = int(self._wall()) + TTL_SECONDS
        nonce = f"{expires}.{secrets.token_hex(16)}"
        nonce = f"{nonce}.{self._mac(sha, size, who, nonce)}"
        return BlobChallenge(sha256=sha, size=size, nonce=nonce, ranges=self.ranges(nonce, size))

    @staticmethod
    def ranges(nonce: str, size: int) -> list[tuple[int, int]]:
        return challenge_ranges(size, random.Random(nonce))

    def check(
        self,
        sha: str,
        size: int,
        who: str,
        nonce: str,
        proof: str,
        open_blob: Callable[[], BinaryIO],
    ) -> bool:
        """True if ``proof`` answers a live challenge of this center for this account, hash
        and size, over the stored bytes. Reads only the challenge's windows."""
        signed, _, mac = nonce.rpartition(".")
        stamp = signed.partition(".")[0]
        if not stamp.isdigit() or int(stamp) < self._wall():
            return False
        if not hmac.compare_digest(mac, self._mac(sha, size, who, signed)):
            return False
        if not self._spend(who):
            return False
        with open_blob() as fh:
            expected = possession_proof(who, nonce, read_ranges(fh, self.ranges(nonce, size)))
        return hmac.compare_digest(expected, proof.lower())

    def _mac(self, sha: str, size: int, who: str, nonce: str) -> str:
        message = "\n".join((sha, str(size), who, nonce)).encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def _spend(self, who: str) -> bool:
        """One of the account's challenges or checks this minute; False past the limit."""
        now = self._monotonic()
        with self._lock:
            recent = self._recent.setdefault(who, deque())
            while recent and recent[0] <= now - 60:
                recent.popleft()
            if len(recent) >= self.per_minute:
                return False
            recent.append(now)
            if len(self._recent) > 10_000:  # accounts gone quiet
                for name in [n for n, q in self._recent.items() if not q or q[-1] <= now - 60]:
                    del self._recent[name]
            return True
