"""TLS is always verified; a private certificate authority can be configured."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fieldkit.domain.clock import SystemClock
from fieldkit.services.context import open_context
from fieldkit.sync import session
from fieldkit.sync.engine import SyncEngine
from fieldkit.sync.errors import Offline
from tests.support.server import PASSWORD, copy_template, start_server


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_untrusted_certificate_is_refused_and_private_ca_works(
    server_template: Path, tmp_path: Path
) -> None:
    cert, key = self_signed(tmp_path)
    server = start_server(copy_template(server_template, tmp_path / "server"), tls=(cert, key))
    try:
        ctx = open_context(tmp_path / "client", "wang", SystemClock())
        with pytest.raises(Offline, match="TLS certificate not trusted"):
            session.login(ctx, server.url, "wang", PASSWORD)
        session.login(ctx, server.url, "wang", PASSWORD, ca_bundle=cert)
        with session.connect(ctx) as transport:
            assert transport.session.verify == str(cert)
            report = SyncEngine(ctx, transport).run()
        assert report is not None and report.pulled > 0
        ctx.db.close()
    finally:
        server.stop()
