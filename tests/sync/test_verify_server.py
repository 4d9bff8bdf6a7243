"""A slip signed on site is verified against the service center by someone holding the PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.cli import main
from fieldkit.domain.enums import SignerRole
from fieldkit.services import documents, slips
from tests.services.fixtures import signature
from tests.support.flow import resolve_on_site
from tests.support.server import Client, Office, Server


def test_verify_against_the_center(
    server: Server, office: Office, wang: Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = office.new_job("wang")
    wang.sync()
    resolve_on_site(wang.ctx, job, tmp_path)
    slip_id = slips.sign_slip(
        wang.ctx, job, signature(), signature(SignerRole.ENGINEER, "王工"), satisfaction=5
    ).entity_id
    assert slip_id is not None
    report = wang.sync()
    assert report.rejected == 0  # the center verified the device signature and took it
    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(wang.ctx.blobs.read_bytes(documents.slip_pdf(wang.ctx, slip_id)))
    auditor = str(tmp_path / "auditor")
    capsys.readouterr()
    assert main(["--data-dir", auditor, "verify", str(pdf), "--server", server.url]) == 0
    assert capsys.readouterr().out.startswith("valid:")
    forged = tmp_path / "forged.pdf"
    slip = slips.load_slip(wang.ctx, slip_id)
    forged.write_bytes(pdf.read_bytes().replace(slip.sha256.encode(), b"0" * 64))
    assert main(["--data-dir", auditor, "verify", str(forged), "--server", server.url]) == 1
    assert capsys.readouterr().out.startswith("modified:")
    stranger = tmp_path / "stranger.pdf"
    stranger.write_bytes(pdf.read_bytes().replace(slip_id.encode(), b"0" * len(slip_id)))
    assert main(["--data-dir", auditor, "verify", str(stranger), "--server", server.url]) == 1
    assert capsys.readouterr().out.startswith("unknown:")
