"""Two engineers with a byte-identical file (the same vendor manual, the same photo sent
round by chat) through a real center: the second completes without sending the bytes again,
and both read it. Once the second was refused ("blob.foreign")."""

from __future__ import annotations

import hashlib
from pathlib import Path

import requests

from fieldkit.services import checklists
from tests.support.flow import arrive_and_diagnose
from tests.support.server import Client, Office, Server
from tests.sync.test_protocol import token_of


def _attach(client: Client, job: str, path: Path) -> str:
    view = checklists.backup_checklist(client.ctx, job)
    assert view is not None
    target = next(i for i in view.items if i.evidence_kind.value in ("file", "photo"))
    checklists.record_evidence(client.ctx, target.id, file=path)
    return target.id


def test_identical_file_of_two_engineers_travels_once_and_both_read_it(
    server: Server, office: Office, wang: Client, li: Client, tmp_path: Path
) -> None:
    shared = tmp_path / "vendor-config.bin"
    shared.write_bytes(b"identical controller export " * 20_000)  # 560 kB
    jobs_of = {"wang": office.new_job("wang"), "li": office.new_job("li")}
    for client in (wang, li):
        client.sync()
        arrive_and_diagnose(client.ctx, jobs_of[client.username])
        _attach(client, jobs_of[client.username], shared)
    first = wang.sync()
    assert (first.rejected, first.uploaded_blobs) == (0, 1)
    second = li.sync()
    assert second.rejected == 0, second.rejections
    assert second.uploaded_blobs == 0  # proved, not sent again
    assert second.bytes_sent < shared.stat().st_size // 4
    # Both engineers may read the file from the center.
    sha = hashlib.sha256(shared.read_bytes()).hexdigest()
    for client in (wang, li):
        reply = requests.get(
            f"{server.url}/blobs/{sha}",
            headers={"Authorization": f"Bearer {token_of(client)}"},
            timeout=10,
        )
        assert reply.status_code == 200 and reply.content == shared.read_bytes()
