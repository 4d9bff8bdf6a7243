"""A fault-injecting TCP proxy on loopback, between a sync client and the server.

Per connection it picks a fault (or none): refuse (close at once), reset (RST after part of
the request), delay (slow start), truncate (half of the answer, then close), stall (part of
the answer, then silence past the client's read timeout), duplicate (the request is also
replayed to the server on a second connection, its answer thrown away). Real sockets, real
partial bytes: what a basement's Wi-Fi does, below any HTTP library.
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
import time
from collections import Counter

TCP_FAULTS = ("refuse", "reset", "delay", "truncate", "stall", "duplicate")


def _read_request(sock: socket.socket) -> bytes:
    """One HTTP request (headers and Content-Length body), or what arrived before EOF."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _rst(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class FaultProxy:
    def __init__(
        self, upstream_port: int, rng: random.Random, rate: float, stall_s: float = 3.0
    ) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.rng, self.rate, self.stall_s = rng, rate, stall_s
        self.injected: Counter[str] = Counter()
        self.connections = 0
        self._lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._stopped = True
        self._listener.close()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                fault = self.rng.choice(TCP_FAULTS) if self.rng.random() < self.rate else None
                cut = self.rng.random()
                if fault:
                    self.injected[fault] += 1
            threading.Thread(target=self._serve, args=(client, fault, cut), daemon=True).start()

    def _serve(self, client: socket.socket, fault: str | None, cut: float) -> None:
        try:
            if fault == "refuse":
                client.close()
                return
            request = _read_request(client)
            if fault == "reset":
                _rst(client)
                return
            if fault == "delay":
                time.sleep(0.05 + cut * 0.4)
            upstream = socket.create_connection(self.upstream)
            upstream.sendall(request)
            if fault == "duplicate":
                replay = socket.create_connection(self.upstream)
                replay.sendall(request)
                threading.Thread(target=_drain, args=(replay,), daemon=True).start()
            if fault in ("truncate", "stall"):
                answer = upstream.recv(65536)
                client.sendall(answer[: max(1, int(len(answer) * cut))])
                if fault == "stall":
                    time.sleep(self.stall_s)  # the client's read timeout fires first
                client.close()
                upstream.close()
                return
            # No fault (or after a delay / duplicate): relay both ways until either side ends.
            threading.Thread(target=_pump, args=(upstream, client), daemon=True).start()
            _pump(client, upstream)
        except OSError:
            client.close()


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while True:
            chunk = source.recv(65536)
            if not chunk:
                break
            target.sendall(chunk)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


def _drain(sock: socket.socket) -> None:
    try:
        sock.settimeout(30)
        while sock.recv(65536):
            pass
    except OSError:
        pass
    finally:
        sock.close()
