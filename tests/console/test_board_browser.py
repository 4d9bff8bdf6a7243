"""The dispatch board in Chromium against a real center process: a dispatcher assigns and
re-assigns from the board, and the open board shows an engineer's synced change by itself
within 5 s (a real app client, synced over HTTP)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from sqlalchemy import select

from fieldkit.server import tables as t
from fieldkit.services import jobs
from tests.console.conftest import login
from tests.support.keyrings import MemoryKeyring
from tests.support.server import Office, Server, make_client

E = t.ENTITY


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def _number(server: Server, job_id: str) -> str:
    engine = server.engine()
    with engine.connect() as conn:
        number = conn.scalar(select(E["jobs"].c.number).where(E["jobs"].c.id == job_id))
    engine.dispose()
    return str(number)


def test_assign_and_reassign_from_the_board(page: Any, console_center: Server) -> None:
    from playwright.sync_api import expect

    office = Office(console_center.url)
    body = {"site_id": office.any_site(), "fault_description": "门禁离线 offline", "severity": 2}
    job = str(office.call("POST", "/dispatch/jobs", json=body)["id"])  # no engineer yet
    number = _number(console_center, job)
    login(page, console_center, "office")
    page.goto(console_center.url + "/console/board")
    lane = page.locator("table.lane")
    lane.locator(f'tr[data-job="{number}"]').get_by_role("link", name="Assign").click()
    page.get_by_label("Engineer").select_option("li")
    page.get_by_role("button", name="Assign", exact=True).click()
    page.wait_for_url("**/console/board*")
    row = page.locator(f'table.jobs:not(.lane) tr[data-job="{number}"]')
    expect(row.locator("td.engineer")).to_have_text("li")
    expect(lane.locator(f'tr[data-job="{number}"]')).to_have_count(0)

    row.get_by_role("link", name="Re-assign").click()
    page.get_by_label("Engineer").select_option("wang")
    page.get_by_role("button", name="Re-assign", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Say why the job changes hands")
    page.get_by_label("Engineer").select_option("wang")
    page.get_by_label("Reason").first.fill("李工 is ill today")
    page.get_by_role("button", name="Re-assign", exact=True).click()
    page.wait_for_url("**/console/board*")
    expect(row.locator("td.engineer")).to_have_text("wang")
    assert [j["assigned_engineer"] for j in office.jobs() if j["id"] == job] == ["wang"]


def test_the_open_board_shows_an_engineers_sync_within_5_s(
    page: Any, console_center: Server, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    wang = make_client(console_center.url, "wang", tmp_path / "wang")
    try:
        wang.sync()
        engine = console_center.engine()
        with engine.connect() as conn:
            job = str(
                conn.scalar(
                    select(E["jobs"].c.id).where(
                        E["jobs"].c.assigned_engineer == "wang", E["jobs"].c.status == "assigned"
                    )
                )
            )
        engine.dispose()
        number = _number(console_center, job)
        login(page, console_center, "office")
        page.goto(console_center.url + "/console/board?engineer=wang")
        status = page.locator(f'table.jobs:not(.lane) tr[data-job="{number}"] .badge.status')
        expect(status).to_have_text("Assigned")
        time.sleep(2.5)  # the page has polled at least once: it is idle, not loading
        jobs.accept_job(wang.ctx, job)
        report = wang.sync()
        synced = time.monotonic()
        assert report is not None
        expect(status).to_have_text("Accepted", timeout=5_000)
        assert time.monotonic() - synced < 5.0
        seen = page.locator('tr[data-engineer="wang"] td.seen')
        expect(seen).to_have_text("just now")
    finally:
        wang.close()
