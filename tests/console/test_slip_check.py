"""The public slip check /v/<slip id>, in-process: each verdict, the minimum it discloses,
no sign-in needed, both languages, hostile ids."""

from __future__ import annotations

import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

from fieldkit.domain.slip import verification_code
from fieldkit.server import tables as t
from fieldkit.server.mail import render_slip_pdf
from tests.server.inproc import Center

SLIPS = t.ENTITY["slips"]


def _a_slip(center: Center) -> tuple[str, str, str]:
    """(slip id, its code, its job number) of a demo slip."""
    jobs = t.ENTITY["jobs"]
    with center.engine.connect() as conn:
        row = conn.execute(
            select(SLIPS.c.id, SLIPS.c.content_sha256, jobs.c.number).join(
                jobs, jobs.c.id == SLIPS.c.job_id
            )
        ).first()
    assert row is not None
    return str(row.id), verification_code(row.content_sha256), str(row.number)


def test_valid_with_the_printed_code_and_only_the_minimum_shown(center: Center) -> None:
    slip_id, code, number = _a_slip(center)
    client = center.client()
    page = client.get(f"/v/{slip_id}", params={"code": code})
    assert page.status_code == 200 and 'data-verdict="valid"' in page.text
    assert number in page.text and "FieldKit Service" in page.text
    with center.engine.connect() as conn:
        customer = conn.scalar(select(t.ENTITY["customers"].c.name))
    assert str(customer) not in page.text  # no personal or customer data beyond the paper
    typed = client.get(f"/v/{slip_id}", params={"code": code.lower().replace("-", " ")})
    assert 'data-verdict="valid"' in typed.text  # as a person types it


def test_without_a_code_the_page_asks_for_it_and_says_nothing_of_the_job(
    center: Center,
) -> None:
    slip_id, _, number = _a_slip(center)
    page = center.client().get(f"/v/{slip_id}")
    assert page.status_code == 200 and "data-verdict" not in page.text
    assert 'name="code"' in page.text and "/console/static/verify.js" in page.text
    assert number not in page.text


def test_a_wrong_code_says_modified_and_discloses_nothing(center: Center) -> None:
    slip_id, code, number = _a_slip(center)
    wrong = ("A" if code[0] != "A" else "B") + code[1:]
    page = center.client().get(f"/v/{slip_id}", params={"code": wrong})
    assert 'data-verdict="modified"' in page.text and number not in page.text


def test_unknown_and_hostile_ids(center: Center) -> None:
    client = center.client()
    page = client.get(f"/v/{uuid.uuid4()}", params={"code": "ABCD-EFGH-IJKL"})
    assert page.status_code == 404 and 'data-verdict="unknown"' in page.text
    hostile = client.get('/v/<img src=x onerror="alert(1)">', params={"code": "<b>"})
    assert hostile.status_code == 404 and 'data-verdict="unknown"' in hostile.text
    assert "<img src=x" not in hostile.text and "&lt;img src=x" in hostile.text


def test_an_older_version_says_superseded(center: Center) -> None:
    slip_id, code, _ = _a_slip(center)
    with center.engine.begin() as conn:
        old = dict(conn.execute(select(SLIPS).where(SLIPS.c.id == slip_id)).mappings().one())
        conn.execute(
            insert(SLIPS).values(
                {
                    **old,
                    "id": str(uuid.uuid4()),
                    "number": old["number"] + "-C",
                    "supersedes_id": slip_id,
                    "signed_at": old["signed_at"] + timedelta(days=1),
                }
            )
        )
    page = center.client().get(f"/v/{slip_id}", params={"code": code})
    assert 'data-verdict="superseded"' in page.text
    assert f"{(old['signed_at'] + timedelta(days=1)):%Y-%m}" in page.text


def test_the_check_in_chinese(center: Center) -> None:
    slip_id, code, _ = _a_slip(center)
    client = center.client()
    page = client.get(f"/v/{slip_id}", params={"code": code, "lang": "zh_CN"})
    assert "有效" in page.text and "核验" in page.text
    browser = client.get(
        f"/v/{slip_id}", params={"code": code}, headers={"Accept-Language": "zh-CN,zh;q=0.9"}
    )
    assert "有效" in browser.text


def test_a_slip_the_center_e_mails_opens_its_public_address(center: Center, tmp_path: Path) -> None:
    slip_id, code, _ = _a_slip(center)
    public = "https://service.example.com"
    app = center.app(public_url=public)
    assert app.state.mail.center_url == public  # the e-mail sender renders with it
    with center.engine.connect() as conn:
        _number, pdf = render_slip_pdf(conn, slip_id, "zh_CN", app.state.mail.center_url)
    path = tmp_path / "mailed.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    last = info.stdout.split("Pages:")[1].split()[0]
    stem = str(tmp_path / "page")
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", "-f", last, "-l", last, str(path), stem],
        check=True,
    )
    scanned = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(tmp_path / "page.png")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert scanned == f"{public}/v/{slip_id}#{code}"
