"""Signing in to the console: who may, the session cookie, CSRF, and the languages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.console.conftest import login, sign_in
from tests.server.inproc import Center
from tests.support.server import Server


@pytest.mark.parametrize("username", ["office", "hotline", "super"])
def test_each_office_role_signs_in(center: Center, username: str) -> None:
    client = center.client()
    sign_in(client, username)
    page = client.get("/console/account")
    assert page.status_code == 200
    assert username in page.text


def test_an_engineer_is_told_to_use_the_app(center: Center) -> None:
    client = center.client()
    form = client.get("/console/login")
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token
    reply = client.post(
        "/console/login",
        data={"username": "demo", "password": "fieldkit-demo", "login_token": token.group(1)},
    )
    assert reply.status_code == 403
    assert "Engineers use the FieldKit app" in reply.text
    assert client.get("/console/account").url.path == "/console/login"


def test_wrong_password_says_so_and_keeps_the_name(center: Center) -> None:
    client = center.client()
    form = client.get("/console/login")
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token
    reply = client.post(
        "/console/login",
        data={"username": "office", "password": "guess", "login_token": token.group(1)},
    )
    assert reply.status_code == 401
    assert "Wrong user name or password." in reply.text
    assert 'value="office"' in reply.text


def test_a_sign_in_form_from_elsewhere_is_refused(center: Center) -> None:
    """Login CSRF: a form posted from another site lacks this browser's sign-in token."""
    client = center.client()
    reply = client.post("/console/login", data={"username": "office", "password": "fieldkit-demo"})
    assert reply.status_code == 400
    assert "fieldkit_console" not in client.cookies


def test_session_cookie_is_httponly_strict_and_secure_under_tls(center: Center) -> None:
    client = center.client()
    client.base_url = "https://testserver"  # type: ignore[assignment]
    form = client.get("/console/login")
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token
    reply = client.post(
        "/console/login",
        data={"username": "office", "password": "fieldkit-demo", "login_token": token.group(1)},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    cookie = next(
        v
        for k, v in reply.headers.multi_items()
        if k == "set-cookie" and v.startswith("fieldkit_console=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert "Secure" in cookie


def test_a_forged_post_is_refused_and_changes_nothing(center: Center) -> None:
    client = center.client()
    csrf = sign_in(client, "office")
    forged = client.post("/console/logout", data={})
    assert forged.status_code == 403
    assert "Nothing was changed" in forged.text
    wrong = client.post("/console/logout", data={"csrf": csrf[:-2] + "xx"})
    assert wrong.status_code == 403
    assert client.get("/console/account").status_code == 200  # still signed in
    signed_out = client.post("/console/logout", data={"csrf": csrf})
    assert signed_out.url.path == "/console/login"
    assert client.get("/console/account").url.path == "/console/login"


def test_pages_redirect_to_sign_in_and_back_but_never_off_site(center: Center) -> None:
    client = center.client()
    first = client.get("/console/account", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/console/login?next=/console/account"
    form = client.get("/console/login?next=//evil.example/")
    assert 'name="next" value=""' in form.text
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token
    reply = client.post(
        "/console/login",
        data={
            "username": "office",
            "password": "fieldkit-demo",
            "login_token": token.group(1),
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert reply.headers["location"].startswith("/console/")


def test_pages_are_not_cached_or_framed(center: Center) -> None:
    client = center.client()
    sign_in(client, "office")
    reply = client.get("/console/account")
    assert reply.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in reply.headers["content-security-policy"]


def test_sign_in_switch_to_chinese_and_out_in_a_browser(page: Any, console_center: Server) -> None:
    login(page, console_center, "office")
    page.goto(console_center.url + "/console/account")
    assert page.get_by_role("heading", name="Your account").is_visible()
    page.get_by_role("button", name="中文").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="你的账户").is_visible()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(re.compile(r".*/console/login.*"))
    page.goto(console_center.url + "/console/account")
    assert "/console/login" in page.url
