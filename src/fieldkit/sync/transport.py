"""HTTP to the service center: timeouts, TLS verification, retries with backoff and jitter."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from pydantic import BaseModel, ValidationError

from fieldkit import __version__
from fieldkit.protocol import (
    HEADER_CENTER_KEY,
    HEADER_PROTOCOL,
    HEADER_SCHEMA,
    HEADER_SERVER_TIME,
    PROTOCOL_VERSION,
)
from fieldkit.sync.errors import (
    AuthRequired,
    BadReply,
    DeviceWiped,
    Offline,
    ServerRefused,
    ServerUnavailable,
)

T = TypeVar("T", bound=BaseModel)
RETRY_STATUS = {429, 500, 502, 503, 504}
MAX_REPLY_BYTES = 64 << 20  # a pull page of 2,000 changes is a few MB
DOWNLOAD_BLOCK = 256 << 10
MAX_RETRY_AFTER = 60.0  # a longer wait is the center's problem, not a reason to hang a sync


def is_loopback(url: str) -> bool:
    """True when ``url`` names this machine (127.0.0.0/8, ::1 or localhost)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_server_url(url: str) -> None:
    """Plain http:// carries the password and token in clear text: loopback only."""
    if url.startswith("https://") and urlsplit(url).hostname:
        return
    if url.startswith("http://") and is_loopback(url):
        return
    raise ValueError("Server URL must start with https:// (or http:// on loopback)")


def retry_after(headers: Mapping[str, str]) -> float | None:
    """The center's Retry-After in seconds (delta form), capped; None when absent."""
    value = headers.get("Retry-After", "").strip()
    if not value.isdigit():
        return None
    return min(float(value), MAX_RETRY_AFTER)


@dataclass(frozen=True)
class Reply:
    """A complete answer from the center, its body already read (and size-checked)."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


class Transport:
    """One ``requests.Session`` per server. Every request in the protocol is idempotent
    (mutations carry ids, blobs carry offsets), so every transient failure is retried."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        ca_bundle: Path | None = None,
        timeout: tuple[float, float] = (5.0, 60.0),
        retries: int = 4,
        backoff: float = 0.5,
        schema_version: str = "",
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        check_server_url(base_url)
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._sleep, self._jitter = sleep, jitter
        self.session = requests.Session()
        self.session.verify = str(ca_bundle) if ca_bundle else True  # never disabled
        self.session.headers.update(
            {
                HEADER_PROTOCOL: str(PROTOCOL_VERSION),
                HEADER_SCHEMA: schema_version,
                "User-Agent": f"FieldKit/{__version__}",
                "Accept-Encoding": "gzip",
            }
        )
        if token:
            self.set_token(token)
        self.max_reply_bytes = MAX_REPLY_BYTES
        self.bytes_sent = 0
        self.bytes_received = 0
        self.server_time: datetime | None = None
        # Told of each attempt that could not reach the center, before it is retried.
        self.on_attempt_failed: Callable[[Exception], None] | None = None
        # Told of the center key each successful answer to an authenticated request carries
        # (None when it carries none) and the URL it came from; it may raise to stop.
        self.on_center_key: Callable[[str | None, str], None] | None = None

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def set_token(self, token: str | None) -> None:
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        else:
            self.session.headers.pop("Authorization", None)

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (200,),
    ) -> Reply:
        body = (
            data
            if data is not None
            else (
                json.dumps(json_body, ensure_ascii=False).encode()
                if json_body is not None
                else None
            )
        )
        send_headers = dict(headers or {})
        if json_body is not None:
            send_headers["Content-Type"] = "application/json"
        return self._exchange(method, path, body, params, lambda: send_headers, ok, None)

    def download(self, path: str, partial: Path, max_bytes: int) -> None:
        """GET ``path`` into ``partial``, resuming from its size with HTTP Range. Each block is
        on disk as soon as it arrives, so a dropped link, a retry or a killed process goes on
        from the last byte received instead of from the start. A file growing past
        ``max_bytes`` (the store's own limit) is deleted and the download refused: an endless
        body must not fill the tablet's disk."""

        def range_header() -> dict[str, str]:
            have = partial.stat().st_size if partial.exists() else 0
            # Identity: drawings and photos are compressed already, and a Range then counts
            # the bytes we store.
            return {"Accept-Encoding": "identity", **({"Range": f"bytes={have}-"} if have else {})}

        def write(response: requests.Response) -> None:
            if response.status_code == 416:  # everything arrived before the last drop
                return
            with partial.open("ab" if response.status_code == 206 else "wb") as fh:
                for block in response.iter_content(DOWNLOAD_BLOCK):
                    fh.write(block)
                    if fh.tell() > max_bytes:
                        break
            if partial.stat().st_size > max_bytes:
                partial.unlink()
                raise BadReply(
                    f"The service center sent a file over the {max_bytes >> 20} MB limit; "
                    "sync stopped, nothing was changed"
                )

        self._exchange("GET", path, None, None, range_header, (200, 206, 416), write)

    def _exchange(
        self,
        method: str,
        path: str,
        body: bytes | None,
        params: Mapping[str, Any] | None,
        headers: Callable[[], dict[str, str]],
        ok: tuple[int, ...],
        sink: Callable[[requests.Response], None] | None,
    ) -> Reply:
        """One request with retries. A successful body goes to ``sink`` when given, else it is
        read into memory up to ``max_reply_bytes``: a broken or hostile server cannot make
        the tablet buffer an endless reply."""
        last: Exception | None = None
        asked: float | None = None  # the center's Retry-After on the last answer
        for attempt in range(self.retries + 1):
            if attempt:
                # Exponential backoff with full jitter: many tablets coming back online at once
                # must not hammer the center in lockstep. A busy center's Retry-After is a
                # floor: coming back sooner only queues again.
                wait = self.backoff * (2 ** (attempt - 1)) * (0.5 + self._jitter())
                self._sleep(max(wait, asked or 0.0))
                asked = None
            try:
                with self.session.request(
                    method,
                    self.base_url + path,
                    data=body,
                    params=params,
                    headers=headers(),
                    timeout=self.timeout,
                    # Explicit per request: requests otherwise lets REQUESTS_CA_BUNDLE in the
                    # environment replace the CA bundle the user configured.
                    verify=self.session.verify,
                    stream=True,
                ) as response:
                    # The whole body is read inside the retry loop, so truncation is retried.
                    if sink is not None and response.status_code in ok:
                        sink(response)
                        content = b""
                    else:
                        content = self._read_capped(response)
            except requests.exceptions.SSLError as exc:
                raise Offline(f"TLS certificate not trusted: {exc}") from exc
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
            ) as exc:
                last = exc
                if self.on_attempt_failed is not None:
                    self.on_attempt_failed(exc)
                continue
            sent, received = wire_bytes(response)
            self.bytes_sent += sent
            self.bytes_received += received
            reply = Reply(response.status_code, response.headers, content)
            self._note_server_time(reply)
            if reply.status_code in ok:
                if self.on_center_key is not None and "Authorization" in self.session.headers:
                    key = reply.headers.get(HEADER_CENTER_KEY) or None
                    self.on_center_key(key, response.url or self.base_url + path)
                return reply
            if reply.status_code in RETRY_STATUS and not _throttled_login(reply):
                asked = retry_after(reply.headers)
                last = ServerUnavailable(
                    f"The service center is busy or failing "
                    f"(HTTP {reply.status_code}); try again later"
                )
                continue
            code, message = _error(reply)
            if reply.status_code == 401 and code == "auth.wipe" and self._may_wipe():
                raise DeviceWiped(
                    message, url=response.url or self.base_url + path, order=_detail(reply)
                )
            if reply.status_code == 401:
                raise AuthRequired(message or "Please log in again")
            raise ServerRefused(reply.status_code, code, message)
        if isinstance(last, ServerUnavailable):
            raise last
        raise Offline(type(last).__name__ if last else "")

    def _may_wipe(self) -> bool:
        """Erase this tablet's data only on an answer to an authenticated request over a
        verified TLS channel (certificate checks are never disabled), or from the local demo
        center on loopback: anyone on the network path can forge a plain-HTTP answer."""
        if "Authorization" not in self.session.headers:
            return False
        return self.base_url.startswith("https://") or is_loopback(self.base_url)

    def _read_capped(self, response: requests.Response) -> bytes:
        received = bytearray()
        for block in response.iter_content(DOWNLOAD_BLOCK):
            received += block
            if len(received) > self.max_reply_bytes:
                raise BadReply(
                    "The service center's reply is unreasonably large "
                    f"(over {self.max_reply_bytes >> 20} MB); sync stopped, nothing was changed"
                )
        return bytes(received)

    def get_model(
        self,
        path: str,
        model: type[T],
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> T:
        return parse(self.request("GET", path, params=params, headers=headers), model)

    def post_model(
        self, path: str, body: BaseModel, model: type[T], headers: Mapping[str, str] | None = None
    ) -> T:
        reply = self.request("POST", path, json_body=body.model_dump(mode="json"), headers=headers)
        return parse(reply, model)

    def _note_server_time(self, response: Reply) -> None:
        stamp = response.headers.get(HEADER_SERVER_TIME)
        if stamp:
            with contextlib.suppress(ValueError):
                self.server_time = datetime.fromisoformat(stamp)


def wire_bytes(response: requests.Response) -> tuple[int, int]:
    """(sent, received) bytes of one exchange on the connection: the request line, headers
    and body as sent; the status line, headers and body as received - compressed, as the
    center sent it, not as decoded (read after the body has been consumed)."""
    request = response.request
    url = urlsplit(request.url or "")
    head = f"{request.method} {request.path_url} HTTP/1.1\r\nHost: {url.netloc}\r\n"
    sent = len(head.encode()) + _header_bytes(request.headers.items())
    body = request.body
    sent += len(body.encode() if isinstance(body, str) else body or b"")
    status = f"HTTP/1.1 {response.status_code} {response.reason or ''}\r\n"
    received = len(status.encode("latin-1", "replace")) + _header_bytes(response.headers.items())
    tell = getattr(response.raw, "tell", None)  # bytes read off the connection, undecoded
    return sent, received + (int(tell()) if callable(tell) else 0)


def _header_bytes(items: Any) -> int:
    return (
        sum(len(f"{name}: {value}\r\n".encode("latin-1", "replace")) for name, value in items) + 2
    )


def parse(response: Reply, model: type[T]) -> T:
    if "json" not in response.headers.get("Content-Type", ""):
        raise BadReply(
            "The service center did not answer in the sync protocol (got "
            f"{response.headers.get('Content-Type', 'no content type')}); is the "
            "server URL right?"
        )
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        raise BadReply(
            f"The service center's reply is malformed ({exc.error_count()} errors); "
            "sync stopped, nothing was changed"
        ) from exc


def _throttled_login(reply: Reply) -> bool:
    """Too many failed logins: retrying in a loop only lengthens the wait; the message says
    when to try again."""
    return reply.status_code == 429 and _error(reply)[0] == "auth.throttled"


def _detail(response: Reply) -> dict[str, Any]:
    """The ``detail`` object of an error answer (empty if there is none)."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError, RecursionError):
        return {}
    return detail if isinstance(detail, dict) else {}


def _error(response: Reply) -> tuple[str, str]:
    try:
        body = response.json()
        message = body.get("message") or body.get("detail") or f"HTTP {response.status_code}"
        return str(body.get("code", "http")), str(message)
    except (ValueError, AttributeError, RecursionError):  # not JSON, not an object, too deep
        return "http", f"HTTP {response.status_code}"
