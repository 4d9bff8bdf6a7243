"""A slip locked without the customer (not present, or refuses): the center takes it from the
same domain rule the app signed it by, and refuses one that does not say why."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from fieldkit.cli import main
from fieldkit.domain.enums import SignerRole
from fieldkit.services import documents, slips
from fieldkit.services.settings import get_setting
from tests.services.fixtures import signature
from tests.support.flow import resolve_on_site
from tests.support.server import Client, Office, Server
from tests.sync.test_protocol import push, slip_content, slip_mutation


def test_center_takes_a_slip_without_the_customer_only_with_a_reason(
    server: Server, office: Office, wang: Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Login keeps the engineer's name as the center knows it, for the engineer's signature.
    assert get_setting(wang.ctx, "sync.display_name") == "王工 Wang"
    job = office.new_job("wang")
    wang.sync()
    resolve_on_site(wang.ctx, job, tmp_path)
    engineer = signature(SignerRole.ENGINEER, "王工")
    with pytest.raises(Exception, match="Say why"):
        slips.lock_without_customer(wang.ctx, job, engineer, "  ")
    slip_id = slips.lock_without_customer(wang.ctx, job, engineer, "客户拒绝签字").entity_id
    assert slip_id is not None
    assert wang.sync().rejected == 0  # the center checked the payload and took it
    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(wang.ctx.blobs.read_bytes(documents.slip_pdf(wang.ctx, slip_id)))
    capsys.readouterr()
    auditor = str(tmp_path / "auditor")
    assert main(["--data-dir", auditor, "verify", str(pdf), "--server", server.url]) == 0
    assert capsys.readouterr().out.startswith("valid:")

    # What the app refuses, the center refuses: no reason, or no engineer's signature.
    other = office.new_job("wang")
    wang.sync()
    for content, message in (
        ({**slip_content("", ("engineer",)), "customer_absent": {"reason": ""}}, "Say why"),
        ({**slip_content("", ()), "customer_absent": {"reason": "不在"}}, "engineer signs"),
    ):
        mutation = slip_mutation(wang, other, str(uuid.uuid4()), "", content=content)
        mutation["args"]["customer_signature_id"] = None
        result = push(server, wang, [mutation]).json()["results"][0]
        assert result["code"] == "slip.content" and message in result["reason"]
