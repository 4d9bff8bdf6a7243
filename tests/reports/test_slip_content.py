"""What a paid repair's slip tells the customer, read back from the PDF with poppler: the
engineer, the site's local times with their offset, the charges, and a signature block that
never leaves its heading behind on another page."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from fieldkit.domain.clock import FixedClock
from fieldkit.domain.enums import QuoteLineKind, SignerRole
from fieldkit.reports.samples import slip_sample
from fieldkit.services import checklists, documents, jobs, quotes, slips
from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m
from tests.services.fixtures import seed_job, signature
from tests.support.flow import arrive_and_diagnose, record_all_evidence


def pages(path: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    count = int(info.stdout.split("Pages:")[1].split()[0])
    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for n in range(1, count + 1)
    ]


def paid_repair(ctx: ServiceContext, clock: FixedClock, tmp_path: Path, work: str) -> str:
    """A paid job walked on site: arrival 09:00 UTC, repair 09:30, finished 10:40."""
    seed_job(ctx, paid=True)
    arrive_and_diagnose(ctx, "j1")
    record_all_evidence(ctx, "j1", tmp_path, b"config")
    jobs.confirm_backup(ctx, "j1")
    qid = quotes.create_quote(ctx, "j1").entity_id or ""
    quotes.add_quote_line(ctx, qid, QuoteLineKind.PART, 1, part_no="PSU-24V")
    quotes.add_quote_line(
        ctx,
        qid,
        QuoteLineKind.LABOUR,
        "1.5",
        description="人工",
        unit_price="180",
        tax_rate="0.06",
    )
    quotes.add_quote_line(
        ctx, qid, QuoteLineKind.TRAVEL, 1, description="差旅", unit_price="120", tax_rate="0.06"
    )
    quotes.record_customer_approval(ctx, qid, signature())
    clock.advance(timedelta(minutes=30))
    jobs.start_repair(ctx, "j1")
    quotes.record_part_replacement(ctx, "j1", "PSU-24V", 1, "OLD-1", "NEW-1")
    clock.advance(timedelta(minutes=70))
    jobs.resolve(ctx, "j1", work)
    assert checklists.backup_checklist(ctx, "j1") is not None
    return "j1"


@pytest.mark.parametrize("timezone, offset", [("Asia/Shanghai", "+08:00"), ("UTC", "+00:00")])
def test_paid_slip_shows_engineer_local_times_and_charges(
    ctx: ServiceContext, clock: FixedClock, tmp_path: Path, timezone: str, offset: str
) -> None:
    job = paid_repair(ctx, clock, tmp_path, "更换电源，恢复配置")
    with ctx.db.write() as s:
        site = s.get(m.Site, "s1")
        assert site is not None
        site.timezone = timezone
        customer = s.get(m.Customer, "c1")
        assert customer is not None
        customer.language = "en"
    slip_id = slips.sign_slip(
        ctx, job, signature(), signature(SignerRole.ENGINEER, "王建国"), satisfaction=5
    ).entity_id
    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(ctx.blobs.read_bytes(documents.slip_pdf(ctx, slip_id or "")))
    text = "\n".join(pages(pdf))
    hours = {"+08:00": ("17:00", "18:40"), "+00:00": ("09:00", "10:40")}[offset]
    assert "王建国" in text.split("Signatures")[0]  # named in the facts, not only under the pad
    assert f"Arrived on site                       2026-11-20 {hours[0]} {offset}" in text
    assert f"Work finished                         2026-11-20 {hours[1]} {offset}" in text
    assert "UTC " not in text.replace(f"{timezone} (UTC", "")  # no time printed as UTC
    # PSU 286.00, labour 270.00, travel 120.00; VAT 13 % and 6 %: 37.18 + 23.40.
    assert "SO-j1-Q1" in text
    for label, amount in (("Labour", "270.00"), ("Travel", "120.00"), ("Tax amount", "60.58")):
        assert any(
            line.strip().startswith(label) and line.split()[-1] == amount
            for line in text.splitlines()
        )
    assert "CNY 736.58" in text
    assert "To check this slip, give the service center the verification code" in text


def test_signature_heading_stays_with_the_signatures(tmp_path: Path) -> None:
    """Work texts of growing length push the signatures down page 1 and over to page 2: at
    every length the heading is on the page that shows both signatures."""
    pdf = tmp_path / "slip.pdf"
    for lines in range(0, 40, 3):
        pdf.write_bytes(
            slip_sample("en", "Replaced the PSU and tested doors. " * lines, paid=False)
        )
        shown = [page for page in pages(pdf) if "Signatures" in page]
        assert len(shown) == 1, lines
        assert "李经理 · Customer" in shown[0] and "王工 · Engineer" in shown[0], lines


def test_quote_approval_time_is_the_sites_local_time(
    ctx: ServiceContext, clock: FixedClock, tmp_path: Path
) -> None:
    paid_repair(ctx, clock, tmp_path, "更换电源")
    with ctx.db.read() as s:
        qid = s.query(m.Quote.id).scalar()
    pdf = tmp_path / "quote.pdf"
    pdf.write_bytes(ctx.blobs.read_bytes(documents.quote_pdf(ctx, qid)))
    text = "\n".join(pages(pdf))
    assert "李经理 · 2026-11-20 17:00 +08:00" in text and "UTC" not in text
