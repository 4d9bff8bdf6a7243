"""The job record opens the signed slip as the customer holds it: the center renders it from
the content it verified, so the office reads the slip even when the device's PDF never came."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import select

from fieldkit.server import tables as t
from tests.console.conftest import sign_in
from tests.server.inproc import Center


def _a_signed_slip(center: Center) -> tuple[str, str, str]:
    slips = t.ENTITY["slips"]
    with center.engine.connect() as conn:
        row = conn.execute(select(slips.c.id, slips.c.job_id, slips.c.number).limit(1)).one()
    return str(row.id), str(row.job_id), str(row.number)


def test_the_job_record_links_the_slip_pdf_rendered_by_the_center(
    center: Center, tmp_path: Path
) -> None:
    slip_id, job_id, number = _a_signed_slip(center)
    client = center.client()
    sign_in(client, "hotline")
    page = client.get(f"/console/jobs/{job_id}")
    link = f"/console/jobs/{job_id}/slips/{slip_id}/pdf"
    assert link in page.text
    reply = client.get(link)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/pdf"
    assert reply.headers["content-disposition"].startswith("inline")
    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(reply.content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert number in text
    download = client.get(link + "?download=1")
    assert download.headers["content-disposition"].startswith("attachment")


def test_a_slip_of_another_job_is_not_served(center: Center) -> None:
    slip_id, _, _ = _a_signed_slip(center)
    jobs = t.ENTITY["jobs"]
    with center.engine.connect() as conn:
        other = conn.scalar(select(jobs.c.id).where(jobs.c.status == "assigned").limit(1))
    client = center.client()
    sign_in(client, "office")
    reply = client.get(f"/console/jobs/{other}/slips/{slip_id}/pdf")
    assert reply.status_code == 404
    assert "This job has no such slip." in reply.text


def test_without_a_session_the_slip_pdf_is_not_served(center: Center) -> None:
    slip_id, job_id, _ = _a_signed_slip(center)
    reply = center.client().get(
        f"/console/jobs/{job_id}/slips/{slip_id}/pdf", follow_redirects=False
    )
    assert reply.status_code == 303
    assert reply.headers["location"].startswith("/console/login")
