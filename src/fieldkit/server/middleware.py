"""Protocol check, body limits and the server clock on every answer, as plain ASGI middleware.

Body limits hold on the bytes actually received, whatever the framing: a ``Content-Length``
over the limit is refused before the body is read, and a chunked (or lying) body is counted
as it arrives and cut off with 413 at the limit, so no request, with or without a token, can
make the center buffer more than the limit. Plain ASGI (not Starlette's BaseHTTPMiddleware):
the 413 raised in ``receive`` reaches the route as itself and becomes the API's JSON error."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fieldkit.protocol import (
    HEADER_CENTER_KEY,
    HEADER_PROTOCOL,
    HEADER_SERVER_TIME,
    SUPPORTED_PROTOCOLS,
)

MAX_JSON_BYTES = 32 << 20
MAX_BLOB_REQUEST_BYTES = 9 << 20  # one 8 MiB chunk plus headroom
TOO_LARGE = json.dumps(
    {"code": "request.too_large", "message": "Request body too large", "detail": {}}
).encode()
UNSUPPORTED = json.dumps(
    {
        "code": "protocol.unsupported",
        "message": "This app version is not supported by the service center; "
        "update the app (your unsynced work is kept)",
        "detail": {},
    }
).encode()


def body_limit(path: str) -> int:
    return MAX_BLOB_REQUEST_BYTES if path.startswith("/blobs/") else MAX_JSON_BYTES


class BodyTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(413, "Request body too large")


async def _answer(send: Send, status: int, body: bytes) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class ProtocolAndLimits:
    def __init__(
        self, app: ASGIApp, now: Callable[[], datetime], center_key: str | None = None
    ) -> None:
        self.app, self.now = app, now
        # The center's public signing key on every answer: a device that logged in before
        # keys were pinned at login pins it on its first verified sync (sync/center_trust).
        self.center_key = center_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        version = headers.get(HEADER_PROTOCOL.lower().encode())
        if version is not None and (
            not version.isdigit() or int(version) not in SUPPORTED_PROTOCOLS
        ):
            await _answer(send, 426, UNSUPPORTED)
            return
        limit = body_limit(scope.get("path", ""))
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _answer(send, 413, TOO_LARGE)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                stamp = MutableHeaders(scope=message)
                stamp[HEADER_SERVER_TIME] = self.now().isoformat()
                if self.center_key:
                    stamp[HEADER_CENTER_KEY] = self.center_key
            await send(message)

        await self.app(scope, counted, stamped)
