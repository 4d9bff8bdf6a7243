"""A hotline call taken with the keyboard only, in Chromium against a real center process:
the job it creates is on the dispatch API's job list."""

from __future__ import annotations

import re
from typing import Any

from tests.console.conftest import login
from tests.support.server import Office, Server


def tab_to(page: Any, element_id: str, limit: int = 40) -> None:
    """Press Tab until the element with ``element_id`` has the focus (as a person would)."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def test_a_call_typed_with_the_keyboard_creates_a_job_the_dispatch_list_has(
    page: Any, console_center: Server
) -> None:
    office = Office(console_center.url)
    site = office.call("GET", "/dispatch/sites")[0]
    login(page, console_center, "hotline")
    page.goto(console_center.url + "/console/hotline")
    assert page.evaluate("document.activeElement.id") == "search"  # ready to type
    page.keyboard.type(site["name"][-8:])
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*\?q=.*"))
    tab_to(page, "first-hit")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*customer=.*"))
    # The call form opens on the kind of call (a fault, checked); the operator types on.
    assert page.evaluate("document.activeElement.id") == "kind-first"
    page.keyboard.press("Tab")
    page.keyboard.type("李工 139 1234 5678")
    page.keyboard.press("Tab")
    page.keyboard.type("门禁控制器离线，整层刷卡无效 door controller offline")
    page.keyboard.press("Tab")  # the device: the second one on the list
    assert page.evaluate("document.activeElement.id") == "device"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    warranty = page.locator("#warranty").inner_text()
    assert "warranty" in warranty  # the state for the chosen device, said before the job
    page.keyboard.press("Tab")  # the level group; arrows choose level 2
    page.keyboard.press("ArrowDown")
    assert page.locator("input[name=severity]:checked").get_attribute("value") == "2"
    tab_to(page, "create-job")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*done=.*"))
    heading = page.locator("#done h2").inner_text()
    number = re.search(r"SO-\d{6}-\d{6}", heading)
    assert number, heading
    jobs = {j["number"]: j for j in office.jobs()}
    assert number.group(0) in jobs
    assert (jobs[number.group(0)]["severity"], jobs[number.group(0)]["status"]) == (2, "assigned")
    done = page.locator("#done").inner_text()
    assert "In warranty" in done or "Paid" in done
    page.keyboard.press("/")  # the next call: the shortcut to the search field
    assert page.evaluate("document.activeElement.id") == "search"


def test_a_fault_resolved_on_the_phone_in_chinese_is_closed_without_dispatch(
    page: Any, console_center: Server
) -> None:
    office = Office(console_center.url)
    site = office.call("GET", "/dispatch/sites")[-1]
    login(page, console_center, "hotline")
    page.get_by_role("button", name="中文").press("Enter")
    page.wait_for_load_state()
    page.get_by_label("名称、电话或站点").fill(site["name"][:6])
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*\?q=.*"))
    page.locator("#first-hit").press("Enter")
    page.wait_for_url(re.compile(r".*customer=.*"))
    assert page.get_by_role("heading", name="本次来电").is_visible()
    page.get_by_label("来电内容").fill("客户端无法登录")
    page.get_by_label("4 · 轻微").check()
    page.get_by_label("现象").fill("提示密码错误")
    page.get_by_label("故障原因").fill("大写锁定开启")
    page.get_by_label("硬件还是软件？").select_option("software")
    page.get_by_label("人为原因还是系统故障？").select_option("human_error")
    page.get_by_label("结果").fill("关闭大写锁定后登录成功")
    page.get_by_label("给出的指导").fill("登录前检查键盘指示灯")
    page.get_by_role("button", name="电话已解决：关闭").press("Enter")
    page.wait_for_url(re.compile(r".*done=.*"))
    done = page.locator("#done").inner_text()
    assert "远程解决" in done and "已关闭" in done, done
    number = re.search(r"SO-\d{6}-\d{6}", done)
    assert number
    closed = {j["number"]: j for j in office.call("GET", "/dispatch/jobs?status=closed")}
    assert closed[number.group(0)]["assigned_engineer"] == ""
