"""The slip a customer holds, checked as they would: a real slip signed on an engineer's
device and synced to a real center, its QR code read off the PDF by zbar, the URL opened in
Chromium (the code travels in the fragment, the page's script hands it to the check). Valid;
a changed code says modified; an unknown slip id unknown; the first version of a corrected
slip superseded. `fieldkit verify` still works offline on the same PDF."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from fieldkit.cli import main
from fieldkit.domain.enums import SignerRole
from fieldkit.services import documents, slips
from tests.services.fixtures import signature
from tests.support.flow import resolve_on_site
from tests.support.server import Office, Server, make_client


def _qr(pdf: Path, work: Path) -> str:
    """What a phone reads off the printed slip's last page."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    last = info.stdout.split("Pages:")[1].split()[0]
    stem = work / f"{pdf.stem}-page"
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", "-f", last, "-l", last, str(pdf), stem],
        check=True,
    )
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", f"{stem}.png"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def _verdict(page: Any, url: str) -> str:
    page.goto(url)
    verdict = page.locator("[data-verdict]")
    verdict.wait_for()
    return str(verdict.get_attribute("data-verdict"))


def test_the_qr_code_opens_the_check_which_says_valid_modified_unknown_superseded(
    console_center: Server, page: Any, tmp_path: Path, capsys: Any
) -> None:
    office = Office(console_center.url)
    job = office.new_job("wang")
    wang = make_client(console_center.url, "wang", tmp_path / "wang")
    try:
        wang.sync()
        resolve_on_site(wang.ctx, job, tmp_path)
        engineer = signature(SignerRole.ENGINEER, "王工")
        first = slips.sign_slip(wang.ctx, job, signature(), engineer, satisfaction=4).entity_id
        assert first is not None
        pdf = tmp_path / "first.pdf"
        pdf.write_bytes(wang.ctx.blobs.read_bytes(documents.slip_pdf(wang.ctx, first)))
        assert wang.sync().rejected == 0
        url = _qr(pdf, tmp_path)
        code = slips.load_slip(wang.ctx, first).code
        assert url == f"{console_center.url}/v/{first}#{code}"
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True)
        assert f"{console_center.url}/v/{first}" in text.stdout.replace("\n", "")

        assert _verdict(page, url) == "valid"
        assert page.get_by_text("FieldKit Service").is_visible()
        wrong = url[:-1] + ("A" if url[-1] != "A" else "B")
        assert _verdict(page, wrong) == "modified"
        stranger = re.sub(r"/v/[0-9a-f-]{36}", "/v/00000000-0000-4000-8000-000000000000", url)
        assert _verdict(page, stranger) == "unknown"
        page.goto(url.split("#")[0])  # no fragment: the customer types the printed code
        page.get_by_label("Verification code").fill(code)
        page.get_by_label("Verification code").press("Enter")
        assert page.locator("[data-verdict]").get_attribute("data-verdict") == "valid"

        second = slips.sign_slip(
            wang.ctx, job, signature(), engineer, satisfaction=5, supersedes_id=first
        ).entity_id
        assert wang.sync().rejected == 0
        assert _verdict(page, url) == "superseded"
        newer = tmp_path / "second.pdf"
        newer.write_bytes(wang.ctx.blobs.read_bytes(documents.slip_pdf(wang.ctx, str(second))))
        assert _verdict(page, _qr(newer, tmp_path)) == "valid"

        capsys.readouterr()
        assert main(["--data-dir", str(tmp_path / "wang"), "verify", str(pdf)]) == 0
        assert capsys.readouterr().out.startswith("valid:")  # offline, the device's record
    finally:
        wang.close()
