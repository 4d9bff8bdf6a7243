"""A supervisor works the escalation queue in Chromium against a real center: hostile text
from a device stays text and the layout holds at 1366x768; the analysis is typed, the next
engineer chosen and the job re-assigned with the keyboard and mouse a person uses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from fieldkit.server import tables as t
from tests.console.conftest import login
from tests.console.test_desk import HOSTILE, escalate_in
from tests.support.server import Server


def test_supervisor_reassigns_from_the_queue_and_hostile_text_stays_text(
    console_center: Server, page: Any
) -> None:
    engine = console_center.engine()
    job = escalate_in(engine, HOSTILE)
    alerts: list[str] = []
    page.on("dialog", lambda d: (alerts.append(d.message), d.dismiss()))
    login(page, console_center, "super")
    page.goto(console_center.url + "/console/escalations")
    card = page.locator(f"#job-{job}")
    card.wait_for()
    assert card.get_by_text('<script>alert("x")</script>', exact=False).count() == 1
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    if not card.get_by_label("Analysis").is_visible():
        card.get_by_text("Analyse and decide").click()
    card.get_by_label("Analysis").fill("Backplane fault confirmed by the vendor")
    card.get_by_label("Plan").fill("Li replaces the backplane")
    card.get_by_label("Next engineer").select_option("li")
    card.get_by_role("button", name="Re-assign").click()
    page.get_by_role("status").wait_for()
    assert "Re-assigned" in page.get_by_role("status").inner_text()
    assert page.locator(f"#job-{job}").count() == 0
    assert alerts == []  # no script from the device's text ran
    with engine.connect() as conn:
        row = conn.execute(
            select(t.ENTITY["jobs"].c.status, t.ENTITY["jobs"].c.assigned_engineer).where(
                t.ENTITY["jobs"].c.id == job
            )
        ).one()
    engine.dispose()
    assert tuple(row) == ("assigned", "li")
