"""A requests adapter that misbehaves like a basement Wi-Fi: every failure a real network
produces, including the nasty one where the server committed but the reply never arrives."""

from __future__ import annotations

import io
import random
from collections import Counter
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest, Response

FAULTS = ("drop_request", "drop_response", "server_error", "truncate", "reset", "duplicate")


class FaultyAdapter(HTTPAdapter):
    def __init__(self, rng: random.Random, rate: float) -> None:
        super().__init__()
        self.rng = rng
        self.rate = rate
        self.injected: Counter[str] = Counter()
        self.requests = 0

    def send(self, request: PreparedRequest, **kwargs: Any) -> Response:  # type: ignore[override]
        self.requests += 1
        fault = self.rng.choice(FAULTS) if self.rng.random() < self.rate else None
        if fault is not None:
            self.injected[fault] += 1
        if fault == "drop_request":
            raise requests.ConnectionError("injected: request lost")
        if fault == "server_error":
            response = Response()
            response.status_code = 503
            response.raw = io.BytesIO(b"<html>Bad gateway</html>")  # read as a real body is
            response.headers["Content-Type"] = "text/html"
            response.request = request
            return response
        if fault == "duplicate":  # a proxy that retries on its own: the server sees it twice
            super().send(request, **kwargs).close()
        response = super().send(request, **kwargs)
        if fault in ("drop_response", "truncate", "reset"):
            response.close()
        if fault == "drop_response":
            raise requests.ConnectionError("injected: reply lost after the server committed")
        if fault == "truncate":
            raise requests.exceptions.ChunkedEncodingError("injected: body cut mid-way")
        if fault == "reset":
            raise requests.ConnectionError("injected: connection reset by peer")
        return response
