"""The sync report counts the bytes on the connection - compressed bodies and headers as
sent - checked against a relay on loopback that counts what really crossed it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldkit.services import jobs
from tests.support.counting_proxy import CountingProxy
from tests.support.server import Client, Office, Server, make_client


@pytest.fixture
def proxy(server: Server) -> Iterator[CountingProxy]:
    relay = CountingProxy(int(server.url.rsplit(":", 1)[1]))
    yield relay
    relay.close()


def close_to(reported: int, real: int) -> bool:
    return abs(reported - real) <= max(real // 100, 64)


@pytest.mark.parametrize("server", ["sqlite"], indirect=True)
def test_report_counts_the_bytes_on_the_socket(
    server: Server, proxy: CountingProxy, office: Office, tmp_path: Path
) -> None:
    wang: Client = make_client(proxy.url, "wang", tmp_path / "wang")
    try:
        proxy.reset()
        first = wang.sync()  # a first sync: gzip'd snapshot pages
        assert first.pulled > 0
        assert close_to(first.bytes_received, proxy.to_client), (first, proxy.to_client)
        assert close_to(first.bytes_sent, proxy.to_server), (first, proxy.to_server)
        job = office.jobs("wang")[0]["id"]
        office.call("PATCH", f"/dispatch/jobs/{job}", json={"severity": 1})
        jobs.add_note(wang.ctx, job, "一条备注 one note")
        proxy.reset()
        steady = wang.sync()  # one push, one small pull
        assert steady.pushed == 1
        assert close_to(steady.bytes_received, proxy.to_client), (steady, proxy.to_client)
        assert close_to(steady.bytes_sent, proxy.to_server), (steady, proxy.to_server)
    finally:
        wang.close()
