"""A slip signed on site is verified against the service center by someone holding the PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.cli import main
from fieldkit.domain.enums import CauseArea, CauseOrigin, SignerRole
from fieldkit.services import documents, jobs, slips
from tests.services.fixtures import signature
from tests.support.flow import record_all_evidence
from tests.support.server import Client, Office, Server


def test_verify_against_the_center(
    server: Server, office: Office, wang: Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = office.new_job("wang")
    wang.sync()
    jobs.accept_job(wang.ctx, job)
    jobs.depart(wang.ctx, job)
    jobs.record_arrival(wang.ctx, job, "王主管")
    jobs.start_diagnosis(wang.ctx, job)
    jobs.classify_cause(wang.ctx, job, CauseArea.HARDWARE, CauseOrigin.SYSTEM_FAULT)
    record_all_evidence(wang.ctx, job, tmp_path, b"config" * 100)
    jobs.confirm_backup(wang.ctx, job)
    jobs.start_repair(wang.ctx, job)
    jobs.resolve(wang.ctx, job, "更换电源")
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
