"""One service call from the hotline to the archive, in Chromium against a real center process
with real app clients (the app's services and sync engine on their own SQLite files):

the hotline operator takes the call and creates the job; the dispatcher assigns it on the
board to wang, whose device syncs, arrives, diagnoses and escalates; the supervisor records
the analysis and plan and re-assigns it to li, whose device receives the previous findings,
resolves, and has the customer sign; the dispatcher reviews the slip and closes the job, and
finds it in the archive by its number. A second page, the dispatcher's open board, shows every
step within 5 s of the sync that carried it. The slip PDF as the customer holds it: its QR
code (read by zbar) opens the public check, which says valid; a forged PDF, rendered with
changed content, and a mistyped code say modified."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest

from fieldkit.domain.enums import SignerRole
from fieldkit.domain.slip import SignedSlip, content_sha256
from fieldkit.reports.slip_pdf import render_slip
from fieldkit.services import documents, escalations, slips
from fieldkit.store import models as m
from tests.console.conftest import SIZES, login
from tests.console.test_slip_check_browser import _qr, _verdict
from tests.services.fixtures import signature
from tests.support.flow import arrive_and_diagnose, resolve_on_site
from tests.support.keyrings import MemoryKeyring
from tests.support.server import Office, Server, make_client

LIVE = 5_000  # ms: the board shows a synced change within 5 s


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def person(browser: Any) -> Iterator[Any]:
    """A browser of its own for each person (their own cookies, their own session)."""
    contexts: list[Any] = []

    def open_page(server: Server, username: str) -> Any:
        width, height = SIZES["small"]
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        login(page, server, username)
        return page

    yield open_page
    for context in contexts:
        context.close()


def _take_the_call(page: Any, server: Server, site: dict[str, Any]) -> tuple[str, str]:
    """The hotline operator finds the customer by site, records the fault at level 2 and
    creates the job; returns (job id, job number) as the confirmation shows them."""
    from playwright.sync_api import expect

    page.goto(server.url + "/console/hotline")
    page.get_by_label("Name, phone or site").fill(site["name"])
    page.get_by_label("Name, phone or site").press("Enter")
    page.wait_for_url(re.compile(r".*\?q=.*"))
    page.locator("#first-hit").click()
    page.wait_for_url(re.compile(r".*customer=.*"))
    if page.locator("#fault").count() == 0:  # a customer with several sites: choose this one
        page.locator("ul.sites").get_by_role("link", name=site["name"], exact=True).click()
    expect(page.locator("#fault")).to_be_visible()
    page.get_by_label("Caller (name, phone)").fill("刘工 139 0000 1111")
    page.get_by_label("What the caller says").fill("机房空调告警，温度持续上升 CRAC alarm")
    page.locator("#device").select_option(index=1)
    expect(page.locator("#warranty")).to_contain_text("arrant")  # said before the job exists
    page.locator("input[name=severity][value='2']").check()
    page.get_by_role("button", name="Create on-site job").click()
    page.wait_for_url(re.compile(r".*done=.*"))
    heading = page.locator("#done h2 a")
    number = re.search(r"SO-\d{6}-\d{6}", heading.inner_text())
    assert number, heading.inner_text()
    href = str(heading.get_attribute("href"))
    return href.rsplit("/", 1)[1], number.group(0)


def _forged_pdf(client: Any, slip_id: str, center: str, folder: Path) -> Path:
    """The customer's PDF with its content changed and re-rendered by the app's own renderer
    (a new QR code for the changed content): what a forger can make of the file."""
    with client.ctx.db.read() as s:
        row = s.get(m.Slip, slip_id)
        assert row is not None
        signed = SignedSlip(
            row.id, row.job_id, row.canonical, row.content_sha256, row.signed_at, row.supersedes_id
        )
    content = signed.content()
    assert content["work_performed"], content  # what the forger rewrites on the paper
    content["work_performed"] = "replaced the whole unit free of charge"
    forged = folder / "forged.pdf"
    forged.write_bytes(render_slip(content, content_sha256(content), [], "en", center_url=center))
    return forged


def test_a_call_from_the_hotline_to_the_archive_and_the_customers_slip_check(
    person: Any, console_center: Server, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    url = console_center.url
    site = Office(url).call("GET", "/dispatch/sites")[0]

    # 1. The hotline takes the call.
    hotline = person(console_center, "hotline")
    job, number = _take_the_call(hotline, console_center, site)
    assert "Level 2" in hotline.locator("#done").inner_text()

    # 3. The dispatcher's board, kept open on its own page for the whole journey: every
    # step below shows on it within 5 s of the sync (or the office action) that made it.
    board = person(console_center, "office")
    board.goto(url + "/console/board")
    lane_row = board.locator(f'table.lane tr[data-job="{number}"]')
    row = board.locator(f'table.jobs:not(.lane) tr[data-job="{number}"]')
    status = row.locator(".badge.status")
    expect(lane_row).to_have_count(1)

    # 2. The dispatcher assigns it to wang on the board (a second page of theirs).
    office = person(console_center, "office")
    office.goto(url + "/console/board")
    office.locator(f'table.lane tr[data-job="{number}"]').get_by_role("link", name="Assign").click()
    office.get_by_label("Engineer").select_option("wang")
    office.get_by_role("button", name="Assign", exact=True).click()
    office.wait_for_url("**/console/board*")
    expect(row.locator("td.engineer")).to_have_text("wang", timeout=LIVE)
    expect(lane_row).to_have_count(0, timeout=LIVE)
    expect(status).to_have_text("Assigned")

    wang = make_client(url, "wang", tmp_path / "wang")
    li = make_client(url, "li", tmp_path / "li")
    try:
        assert wang.sync().rejected == 0
        with wang.ctx.db.read() as s:
            mine = s.get(m.Job, job)
            assert mine is not None and mine.number == number and mine.severity == 2
        expect(board.locator('tr[data-engineer="wang"] td.seen')).to_have_text(
            "just now", timeout=LIVE
        )

        arrive_and_diagnose(wang.ctx, job)
        assert wang.sync().rejected == 0
        expect(status).to_have_text("Diagnosing", timeout=LIVE)

        log = tmp_path / "crac.log"
        log.write_text("E07 compressor high pressure trip\n" * 40)
        escalations.escalate(
            wang.ctx,
            job,
            "压缩机需厂家更换 compressor",
            "E07 high pressure, rack 3",
            "vendor",
            [log],
        )
        assert wang.sync().rejected == 0
        expect(status).to_have_text("Escalated", timeout=LIVE)

        # 4. The supervisor analyses it in the queue and re-assigns it to li.
        desk = person(console_center, "super")
        desk.goto(url + "/console/escalations")
        card = desk.locator(f"#job-{job}")
        expect(card).to_contain_text("E07 high pressure, rack 3")
        expect(card.get_by_role("link", name="crac.log")).to_be_visible()
        if not card.get_by_label("Analysis").is_visible():
            card.get_by_text("Analyse and decide").click()
        card.get_by_label("Analysis").fill("Compressor failed; vendor confirms the part")
        card.get_by_label("Plan").fill("Li replaces the compressor with the vendor's part")
        card.get_by_label("Next engineer").select_option("li")
        card.get_by_role("button", name="Re-assign").click()
        expect(desk.get_by_role("status")).to_contain_text("Re-assigned")
        expect(desk.locator(f"#job-{job}")).to_have_count(0)
        expect(row.locator("td.engineer")).to_have_text("li", timeout=LIVE)
        expect(status).to_have_text("Assigned", timeout=LIVE)

        assert li.sync().rejected == 0
        [seen] = escalations.escalations(li.ctx, job)
        assert (seen.state, seen.assigned_to, seen.by) == ("reassigned", "li", "wang")
        assert seen.findings == "E07 high pressure, rack 3"
        assert "vendor confirms the part" in seen.center_plan
        assert [f.filename for f in seen.files] == ["crac.log"] and seen.files[0].on_device
        expect(board.locator('tr[data-engineer="li"] td.seen')).to_have_text(
            "just now", timeout=LIVE
        )

        resolve_on_site(li.ctx, job, tmp_path, "更换压缩机 compressor replaced")
        customer = signature(SignerRole.CUSTOMER, "刘工")
        slip = slips.sign_slip(
            li.ctx, job, customer, signature(SignerRole.ENGINEER, "李工"), satisfaction=5
        ).entity_id
        assert slip is not None
        pdf = tmp_path / "slip.pdf"
        pdf.write_bytes(li.ctx.blobs.read_bytes(documents.slip_pdf(li.ctx, slip)))
        code = slips.load_slip(li.ctx, slip).code
        forged_pdf = _forged_pdf(li, slip, url, tmp_path)
        assert li.sync().rejected == 0
        expect(status).to_have_text("Signed", timeout=LIVE)
    finally:
        wang.close()
        li.close()

    # 5. The dispatcher reviews the signed slip on the job record and closes the job.
    office.goto(url + f"/console/jobs/{job}")
    expect(office.locator(".slip-state.state-valid")).to_contain_text(code)
    expect(office.get_by_role("img", name="Signature of 刘工")).to_be_visible()
    expect(office.locator("#esc-title + dl")).to_contain_text("E07 high pressure, rack 3")
    # The slip as the customer holds it, rendered by the center from what it verified.
    view = office.get_by_role("link", name="View the PDF")
    served = office.request.get(url + str(view.get_attribute("href")))
    assert served.ok and served.headers["content-type"] == "application/pdf"
    office_pdf = tmp_path / "office-slip.pdf"
    office_pdf.write_bytes(served.body())
    printed = subprocess.run(
        ["pdftotext", str(office_pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert code in printed
    office.get_by_role("button", name="Close the job").click()
    expect(office.get_by_role("status")).to_contain_text("closed and filed in the archive")
    expect(row).to_have_count(0, timeout=LIVE)

    office.goto(url + "/console/archive")
    office.get_by_label("Job number").fill(number)
    office.get_by_role("button", name="Search").click()
    found = office.locator(f'table.archive tr[data-job="{number}"]')
    expect(found).to_have_count(1)
    expect(found.locator("td.engineer")).to_have_text("li")
    expect(found).to_contain_text("compressor replaced")

    # 6. The customer's PDF: its QR code opens the public check (no sign-in).
    qr = _qr(pdf, tmp_path)
    assert qr == f"{url}/v/{slip}#{code}"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True)
    assert f"{url}/v/{slip}" in text.stdout.replace("\n", "")
    customer_page = hotline.context.browser.new_context(locale="en-US").new_page()  # no login
    try:
        assert _verdict(customer_page, qr) == "valid"
        expect(customer_page.locator("dl.facts")).to_contain_text(number)
        forged_text = subprocess.run(
            ["pdftotext", str(forged_pdf), "-"], capture_output=True, text=True, check=True
        )
        assert "replaced the whole unit free of charge" in forged_text.stdout
        forged = _qr(forged_pdf, tmp_path)
        assert forged.startswith(f"{url}/v/{slip}#") and forged != qr
        assert _verdict(customer_page, forged) == "modified"
        wrong = qr[:-1] + ("A" if qr[-1] != "A" else "B")
        assert _verdict(customer_page, wrong) == "modified"
    finally:
        customer_page.context.close()
