"""Console tests: an in-process center for rules and permissions (milliseconds), and a real
center process driven by Debian's Chromium through Playwright for what a person does."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.server.inproc import Center, open_center
from tests.support.server import PASSWORD, Server, copy_template, seed, start_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SIZES = {"small": (1366, 768), "large": (1920, 1080)}


@pytest.fixture(scope="session")
def seeded_console(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("console-center")
    seed(folder)
    return folder


@pytest.fixture
def center(seeded_console: Path, tmp_path: Path) -> Iterator[Center]:
    """An in-process copy of the seeded center for one test."""
    yield from open_center(seeded_console, tmp_path)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign ``client`` in to the console as a person does (the form, its token); returns the
    session's CSRF token, read from the page it lands on."""
    form = client.get("/console/login")
    assert form.status_code == 200, form.text
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token is not None
    reply = client.post(
        "/console/login",
        data={"username": username, "password": password, "login_token": token.group(1)},
    )
    assert reply.status_code == 200, reply.text  # followed the redirect to a page
    csrf = re.search(r'name="csrf" value="([^"]+)"', reply.text)
    assert csrf is not None, reply.text[:2000]
    return csrf.group(1)


@pytest.fixture(scope="module")
def console_center(
    tmp_path_factory: pytest.TempPathFactory, seeded_console: Path
) -> Iterator[Server]:
    """A real center process with the demo data (module scope: start once per test file)."""
    folder = copy_template(seeded_console, tmp_path_factory.mktemp("console-live") / "c")
    server = start_server(folder)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Module scope: Playwright's sync API runs an event loop in the main thread while it is
    open, and later tests that call asyncio.run() must not find one running."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run tools/test-deps.sh (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    width, height = SIZES["small"]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def login(page: Any, server: Server, username: str, password: str = PASSWORD) -> None:
    """Sign in with the keyboard, as an operator does at the start of a shift."""
    page.goto(server.url + "/console/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(re.compile(r".*/console/(?!login).*"))
