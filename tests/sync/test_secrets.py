"""After login and sync, no token or password is in any file or log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from fieldkit.services import jobs
from tests.support.server import PASSWORD, Client, Office, Server


def files_under(*roots: Path) -> list[Path]:
    return [p for root in roots for p in root.rglob("*") if p.is_file()]


def test_no_token_or_password_in_files_or_logs(
    server: Server, office: Office, wang: Client, caplog: pytest.LogCaptureFixture
) -> None:
    from fieldkit.sync import session

    caplog.set_level(logging.DEBUG)
    acct = session.account(wang.ctx)
    assert acct is not None
    token = session.credentials().load(acct.server_url, acct.username)
    assert token and len(token) > 30
    job = office.new_job("wang")
    wang.sync()
    jobs.accept_job(wang.ctx, job)
    wang.sync()
    data_dir = wang.ctx.db.path.parent
    wang.ctx.db.engine.dispose()  # flush the WAL into the main file too
    secrets = {token.encode(), PASSWORD.encode()}
    scanned = 0
    for path in files_under(data_dir, server.data_dir):
        content = path.read_bytes()
        scanned += 1
        for secret in secrets:
            assert secret not in content, f"secret found in {path}"
    assert scanned > 10  # the database, its WAL, blobs, the server's files and log
    for record in caplog.records:
        message = record.getMessage()
        assert token not in message and PASSWORD not in message
