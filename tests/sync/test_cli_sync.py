"""The sync commands of `fieldkit`, against a real server."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from fieldkit.cli import main
from tests.support.server import Office, Server


def fk(data: Path, *args: str) -> int:
    return main(["--data-dir", str(data), *args])


def test_login_sync_status_conflicts_export(
    server: Server,
    office: Office,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "tablet"
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong\n"))
    assert fk(data, "login", "--server", server.url, "--user", "wang", "--password-stdin") == 2
    assert "Wrong user name or password" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("fieldkit-demo\n"))
    assert fk(data, "login", "--server", server.url, "--user", "wang", "--password-stdin") == 0
    assert "logged in as 王工 Wang" in capsys.readouterr().out
    assert fk(data, "sync") == 0
    assert "received" in capsys.readouterr().out
    job = next(j["id"] for j in office.jobs("wang") if j["status"] == "assigned")
    from fieldkit.domain.clock import SystemClock
    from fieldkit.services import jobs
    from fieldkit.services.context import open_context

    ctx = open_context(data, "wang", SystemClock())
    jobs.accept_job(ctx, job)
    ctx.db.close()
    office.assign(job, "li")
    assert fk(data, "export-outbox", str(tmp_path / "rescue.json")) == 0
    bundle = json.loads((tmp_path / "rescue.json").read_text(encoding="utf-8"))
    assert [m["args"]["action"] for m in bundle["mutations"]] == ["accept"]
    capsys.readouterr()
    assert fk(data, "sync") == 0
    assert "rejected: The job was re-assigned" in capsys.readouterr().out
    assert fk(data, "status") == 0
    assert "rejected: job.transition.v1" in capsys.readouterr().out
    assert fk(data, "conflicts") == 0
    listing = capsys.readouterr().out
    assert "1 change to decide" in listing
    mutation_id = listing.split()[0]
    assert fk(data, "conflicts", "--use-server", mutation_id) == 0
    capsys.readouterr()
    assert fk(data, "conflicts") == 0
    assert "0 changes to decide" in capsys.readouterr().out
    assert fk(data, "logout") == 0
    assert fk(data, "sync") == 2
    assert "log in" in capsys.readouterr().err.lower()
