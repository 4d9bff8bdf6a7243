"""A center that answers garbage: HTML, endless JSON, invalid UTF-8, absurdly deep nesting,
the wrong shape, nothing. Each sync stops with a message that says what happened, the device's
unsent work stays in its outbox, and the next sync with the real center delivers it.

Also: a blob download whose connection drops mid-body resumes from the bytes received."""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fieldkit.services import jobs
from fieldkit.services.settings import set_setting
from fieldkit.store import models as m
from fieldkit.sync import session
from fieldkit.sync.center import SERVER_URL_SETTING
from fieldkit.sync.errors import BadReply, SyncError
from fieldkit.sync.transport import MAX_REPLY_BYTES, Transport
from tests.support.server import Client, Server, copy_template, start_server

Answer = Callable[[BaseHTTPRequestHandler], None]


class Hostile:
    """An HTTP server on loopback whose every answer is ``answer``; it records what it got."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        hostile = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                hostile.requests.append((self.command, self.path, dict(self.headers)))
                # The client stops reading an endless answer, as it should.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    hostile.answer(self)

            do_GET = do_POST = do_PATCH = do_PUT = _any

            def log_message(self, *_args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def reply(status: int, content_type: str, body: bytes) -> Answer:
    def answer(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return answer


def endless(content_type: str, opening: bytes, megabytes: int) -> Answer:
    """A body that does not end (chunked, no length, far past any cap): only a limit on the
    client stops it."""

    def answer(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        if opening:
            h.wfile.write(b"%x\r\n%s\r\n" % (len(opening), opening))
        block = b" " * (1 << 20)
        for _ in range(megabytes):
            h.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))

    return answer


# A JSON string that never ends.
endless_json = endless("application/json", b'{"changes": "', (MAX_REPLY_BYTES >> 20) + 16)


BAD_ANSWERS: dict[str, tuple[Answer, str]] = {
    "html page": (
        reply(200, "text/html", b"<html><body>Hotel Wi-Fi: please log in</body></html>"),
        "did not answer in the sync protocol",
    ),
    "endless json": (endless_json, "unreasonably large"),
    "invalid utf-8": (reply(200, "application/json", b'{"changes": "\xff\xfe\xfa"}'), "malformed"),
    "deep nesting": (reply(200, "application/json", b"[" * 200_000), "malformed"),
    "wrong shape": (reply(200, "application/json", b'{"unexpected": [1, 2, 3]}'), "malformed"),
    "empty body": (reply(200, "application/json", b""), "malformed"),
    "error page with html": (
        reply(400, "text/html", b"<html>" + b"\xff" * 64 + b"</html>"),
        r"refused the request: HTTP 400",
    ),
    "error with deep json": (reply(403, "application/json", b"[" * 200_000), "HTTP 403"),
}


@pytest.fixture
def server(server_template: Path, tmp_path: Path) -> Iterator[Server]:
    """The real center, on SQLite only: the bad answers come from the other server."""
    srv = start_server(copy_template(server_template, tmp_path / "server"))
    yield srv
    srv.stop()


def unsent(client: Client) -> int:
    with client.ctx.db.read() as s:
        return (
            s.scalar(
                select(func.count())
                .select_from(m.OutboxMutation)
                .where(m.OutboxMutation.state != "acked")
            )
            or 0
        )


def point_at(client: Client, url: str) -> None:
    """Make the device talk to ``url`` with its real token, as a captive portal or a broken
    proxy in front of the center would."""
    acct = session.account(client.ctx)
    assert acct is not None
    token = session.credentials().load(acct.server_url, acct.username)
    assert token
    session.credentials().save(url, acct.username, token)
    set_setting(client.ctx, SERVER_URL_SETTING, url)


@pytest.mark.parametrize("case", sorted(BAD_ANSWERS))
def test_a_bad_answer_stops_sync_clearly_and_loses_nothing(
    case: str, server: Server, wang: Client
) -> None:
    wang.sync()
    with wang.ctx.db.read() as s:
        job_id = s.scalars(select(m.Job.id).order_by(m.Job.number)).first()
    assert job_id
    jobs.add_note(wang.ctx, job_id, f"测量电源输出 23.1 V ({case})")
    before = unsent(wang)
    assert before >= 1

    answer, message = BAD_ANSWERS[case]
    hostile = Hostile(answer)
    try:
        point_at(wang, hostile.url)
        with pytest.raises(SyncError, match=message) as caught:
            wang.sync()
        assert hostile.requests, "the device never asked the bad server"
        # What the engineer reads: a sentence, not a traceback or a pile of bytes.
        text = str(caught.value)
        assert len(text) < 400 and "\\x" not in text and "Traceback" not in text
    finally:
        hostile.close()

    assert unsent(wang) == before
    assert wang.ctx.db.integrity_check() == "ok"
    point_at(wang, server.url)
    report = wang.sync()
    assert report.pushed >= before and unsent(wang) == 0
    notes = wang_notes_at_center(server, job_id)
    assert any(case in n for n in notes)


def wang_notes_at_center(center: Server, job_id: str) -> list[str]:
    from fieldkit.server import tables as t

    work_log = t.ENTITY["work_log"]
    with center.engine().connect() as conn:
        rows = conn.execute(select(work_log.c.note).where(work_log.c.job_id == job_id))
        return [str(r[0]) for r in rows]


def test_endless_reply_is_cut_off_at_the_cap() -> None:
    hostile = Hostile(endless_json)
    try:
        with Transport(hostile.url, retries=0) as http:
            http.max_reply_bytes = 4 << 20
            with pytest.raises(BadReply, match="over 4 MB"):
                http.request("GET", "/sync/pull")
    finally:
        hostile.close()


def test_download_dropped_mid_body_resumes_from_the_bytes_received(tmp_path: Path) -> None:
    blob = bytes(range(256)) * 8192  # 2 MB
    sha = hashlib.sha256(blob).hexdigest()
    cut = 700_000

    def flaky(h: BaseHTTPRequestHandler) -> None:
        asked = h.headers.get("Range")
        if not asked:  # first try: promise everything, send a part, drop the connection
            h.send_response(200)
            h.send_header("Content-Type", "application/octet-stream")
            h.send_header("Content-Length", str(len(blob)))
            h.end_headers()
            h.wfile.write(blob[:cut])
            h.wfile.flush()
            h.close_connection = True
            h.connection.shutdown(2)
            return
        start = int(asked.removeprefix("bytes=").rstrip("-"))
        h.send_response(206)
        h.send_header("Content-Type", "application/octet-stream")
        h.send_header("Content-Range", f"bytes {start}-{len(blob) - 1}/{len(blob)}")
        h.send_header("Content-Length", str(len(blob) - start))
        h.end_headers()
        h.wfile.write(blob[start:])

    hostile = Hostile(flaky)
    partial = tmp_path / "download-part"
    try:
        with Transport(hostile.url, retries=2, backoff=0.01) as http:
            http.download(f"/blobs/{sha}", partial, 64 << 20)
    finally:
        hostile.close()
    ranges = [headers.get("Range") for _, _, headers in hostile.requests]
    assert ranges[0] is None and len(ranges) == 2
    assert ranges[1] is not None
    resumed_at = int(ranges[1].removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_at <= cut  # what arrived before the drop was kept, not fetched again
    assert hashlib.sha256(partial.read_bytes()).hexdigest() == sha
    assert all(h.get("Accept-Encoding") == "identity" for _, _, h in hostile.requests)


def test_an_endless_download_is_refused_and_its_partial_file_removed(tmp_path: Path) -> None:
    hostile = Hostile(endless("application/octet-stream", b"", 64))
    partial = tmp_path / "download-part"
    try:
        with (
            Transport(hostile.url, retries=0) as http,
            pytest.raises(BadReply, match="over the 3 MB limit"),
        ):
            http.download("/blobs/" + "0" * 64, partial, 3 << 20)
    finally:
        hostile.close()
    assert not partial.exists()
