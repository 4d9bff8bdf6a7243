"""Hotline intake, phone support and follow-ups, in-process over a seeded center: the kinds of
call, the contract's levels and commitments, the warranty said before a job exists, the remote
resolution path, follow-up closure, roles, CSRF, hostile text and both languages."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update

from fieldkit.domain.hotline import LEVEL_DEFINITIONS
from fieldkit.i18n import parse_po
from fieldkit.resources import resource_path
from fieldkit.server import tables as t
from fieldkit.server.database import MIGRATIONS, create_server_engine
from fieldkit.server.hotline import followups
from fieldkit.server.office import Office
from tests.console.conftest import sign_in
from tests.server.inproc import Center, token

E = t.ENTITY
TEMPLATES = Path(__file__).parents[2] / "src/fieldkit/server/console/templates"
HOSTILE = "<script>alert('x')</script> \"q\" 'a' \u202eevil\u202c عربي " + "长" * 10_000


def a_site(center: Center) -> dict[str, Any]:
    """A site with a contract that sets times, and its customer."""
    s, c = E["sites"], E["customers"]
    with center.engine.connect() as conn:
        row = (
            conn.execute(
                select(s, c.c.name.label("customer_name"), c.c.phone.label("customer_phone"))
                .join(c, c.c.id == s.c.customer_id)
                .where(s.c.contract_id.is_not(None))
                .order_by(s.c.name)
            )
            .mappings()
            .first()
        )
    assert row is not None
    return dict(row)


def devices(center: Center, site_id: str) -> list[dict[str, Any]]:
    return center_rows(center, select(E["devices"]).where(E["devices"].c.site_id == site_id))


def center_rows(center: Center, stmt: Any) -> list[dict[str, Any]]:
    with center.engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def count(center: Center, table: Any) -> int:
    with center.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def call(client: TestClient, csrf: str, site: dict[str, Any], **fields: Any) -> Any:
    data = {
        "csrf": csrf,
        "kind": "fault_report",
        "caller": "王经理 138 0000 0000",
        "text": "门禁控制器离线 door controller offline",
        "customer_id": site["customer_id"],
        "site_id": site["id"],
        "severity": "2",
        "outcome": "job",
        **fields,
    }
    return client.post("/console/hotline", data=data)


def done_report(reply: Any) -> str:
    assert reply.status_code == 200, reply.text[:3000]
    found = re.search(r"done=([0-9a-f-]{36})", str(reply.url))
    assert found, reply.url
    return found.group(1)


def report_row(center: Center, report_id: str) -> dict[str, Any]:
    r = t.hotline_reports
    rows = center_rows(center, select(r).where(r.c.id == report_id))
    assert len(rows) == 1
    return rows[0]


def job(center: Center, job_id: str) -> dict[str, Any]:
    rows = center_rows(center, select(E["jobs"]).where(E["jobs"].c.id == job_id))
    assert len(rows) == 1
    return rows[0]


@pytest.fixture
def hotline(center: Center) -> tuple[TestClient, str]:
    client = center.client()
    return client, sign_in(client, "hotline")


def test_customer_found_by_name_phone_and_site(center: Center, hotline: Any) -> None:
    client, _csrf = hotline
    site = a_site(center)
    link = f"/console/hotline?customer={site['customer_id']}"
    for query in (site["customer_name"][:4], site["customer_phone"][-6:], site["name"][-6:]):
        page = client.get("/console/hotline", params={"q": query})
        assert page.status_code == 200
        assert link in page.text, query
    nothing = client.get("/console/hotline", params={"q": "%"})  # a wildcard is just a character
    assert "No customer matches" in nothing.text
    assert 'accesskey="s"' in nothing.text  # the search field has its access key


def test_every_kind_is_offered(center: Center, hotline: Any) -> None:
    client, _csrf = hotline
    page = client.get(f"/console/hotline?customer={a_site(center)['customer_id']}")
    offered = re.findall(r'name="kind" value="([a-z_]+)"', page.text)
    assert offered == [
        "fault_report",
        "complaint",
        "praise",
        "suggestion",
        "consultation",
        "project_info",
        "customer_need",
    ]


@pytest.mark.parametrize(
    ("kind", "followed"),
    [
        ("complaint", True),
        ("suggestion", True),
        ("praise", False),
        ("consultation", False),
        ("project_info", False),
        ("customer_need", False),
    ],
)
def test_a_call_that_is_not_a_fault_is_recorded_and_listed(
    center: Center, hotline: Any, kind: str, followed: bool
) -> None:
    client, csrf = hotline
    site = a_site(center)
    jobs_before = count(center, E["jobs"])
    report_id = done_report(
        call(client, csrf, site, kind=kind, text=f"{kind} from the caller", outcome="record")
    )
    row = report_row(center, report_id)
    assert (row["kind"], row["job_id"], row["customer_id"]) == (kind, None, site["customer_id"])
    assert count(center, E["jobs"]) == jobs_before
    page = client.get("/console/followups").text
    open_part, _, rest = page.partition("<h2>Closed")
    closed_part, _, recorded_part = rest.partition("<h2>Recorded")
    assert (f"{kind} from the caller" in open_part) is followed
    assert (f"{kind} from the caller" in recorded_part) is not followed
    assert f"{kind} from the caller" not in closed_part


def test_only_a_fault_becomes_a_job(center: Center, hotline: Any) -> None:
    client, csrf = hotline
    before = count(center, t.hotline_reports)
    reply = call(client, csrf, a_site(center), kind="praise", text="great work", outcome="job")
    assert reply.status_code == 422
    assert "Only a fault becomes a job" in reply.text
    assert "great work" in reply.text  # what was typed is still in the form
    assert count(center, t.hotline_reports) == before


def test_levels_show_the_contracts_definitions_and_commitments(
    center: Center, hotline: Any
) -> None:
    client, _csrf = hotline
    site = a_site(center)
    sla = E["contract_sla"]
    with center.engine.begin() as conn:
        conn.execute(
            update(sla)
            .where(sla.c.contract_id == site["contract_id"], sla.c.severity == 1)
            .values(respond_minutes=45, arrive_minutes=190)
        )
        conn.execute(
            update(sla)
            .where(sla.c.contract_id == site["contract_id"], sla.c.severity == 3)
            .values(respond_minutes=600, arrive_minutes=None)
        )
        conn.execute(
            delete(sla).where(sla.c.contract_id == site["contract_id"], sla.c.severity == 4)
        )
    page = client.get(f"/console/hotline?customer={site['customer_id']}&site={site['id']}")
    levels = re.findall(r'<label class="level">(.*?)</label>', page.text, re.S)
    assert len(levels) == 4
    text = [re.sub(r"\s+", " ", html.unescape(x)) for x in levels]
    for level, definition in zip(text, LEVEL_DEFINITIONS.values(), strict=True):
        assert definition in level
    assert "Respond within 45 min · on site within 3 h 10 min" in text[0]
    assert "+08:00" in text[0]  # the deadlines in the site's zone (Asia/Shanghai)
    assert "Respond within 10 h · no on-site commitment" in text[2]
    assert "on site by" not in text[2]
    assert "The contract sets no time for this level" in text[3]


def test_warranty_is_said_before_the_job_and_is_what_the_job_records(
    center: Center, hotline: Any
) -> None:
    client, csrf = hotline
    site = a_site(center)
    first, second = devices(center, site["id"])[:2]
    today = date.today()
    d = E["devices"]
    with center.engine.begin() as conn:
        conn.execute(
            update(d).where(d.c.id == first["id"]).values(warranty_ends_on=today + timedelta(30))
        )
        conn.execute(
            update(d).where(d.c.id == second["id"]).values(warranty_ends_on=today - timedelta(1))
        )
    page = client.get(f"/console/hotline?customer={site['customer_id']}&site={site['id']}").text
    option = re.compile(r'<option value="{}"[^>]*>(.*?)</option>')
    said_first = html.unescape(re.findall(option.pattern.format(first["id"]), page)[0])
    said_second = html.unescape(re.findall(option.pattern.format(second["id"]), page)[0])
    assert f"In warranty (free of charge) · device warranty until {today + timedelta(30)}" in (
        said_first
    )
    assert f"Paid (post-warranty) · device warranty ended {today - timedelta(1)}" in said_second
    for device, billing in ((first, "in_warranty"), (second, "paid")):
        report_id = done_report(call(client, csrf, site, device_id=device["id"]))
        created = job(center, report_row(center, report_id)["job_id"])
        assert (created["billing"], created["device_id"]) == (billing, device["id"])


def test_a_fault_becomes_a_job_linked_to_its_report(center: Center, hotline: Any) -> None:
    client, csrf = hotline
    site = a_site(center)
    reply = call(client, csrf, site, severity="1", text="全楼停电 whole building down")
    report = report_row(center, done_report(reply))
    created = job(center, report["job_id"])
    assert (created["job_type"], created["status"], created["severity"]) == (
        "corrective_repair",
        "assigned",
        1,
    )
    assert created["fault_description"] == "全楼停电 whole building down"
    assert (report["severity"], report["site_id"], report["recorded_by"]) == (
        1,
        site["id"],
        "hotline",
    )
    assert f"Job {created['number']} created" in reply.text
    api = center.client()
    headers = token(api, "office")
    numbers = [j["number"] for j in api.get("/dispatch/jobs", headers=headers).json()]
    assert created["number"] in numbers
    reports = api.get("/dispatch/reports", headers=headers).json()
    assert {"id": report["id"], "job_id": created["id"]}.items() <= next(
        r for r in reports if r["id"] == report["id"]
    ).items()


def test_a_fault_needs_a_site_of_the_customer_and_a_level(center: Center, hotline: Any) -> None:
    client, csrf = hotline
    site = a_site(center)
    before = count(center, t.hotline_reports)
    no_level = call(client, csrf, site, severity="")
    assert no_level.status_code == 422 and "Choose the fault level (1-4)" in no_level.text
    other = next(
        s
        for s in center_rows(center, select(E["sites"]))
        if s["customer_id"] != site["customer_id"]
    )
    wrong = call(client, csrf, site, site_id=other["id"])
    assert wrong.status_code == 422 and "This site is not the customer&#39;s" in wrong.text
    assert count(center, t.hotline_reports) == before


def test_resolved_by_phone_closes_as_a_remote_resolution(center: Center, hotline: Any) -> None:
    client, csrf = hotline
    site = a_site(center)
    checklists = count(center, E["checklist_runs"])
    reply = call(
        client,
        csrf,
        site,
        severity="4",
        outcome="remote",
        symptoms="屏幕显示登录失败",
        cause="密码过期",
        cause_area="software",
        cause_origin="human_error",
        result="重置密码后登录正常",
        guidance="每90天修改一次密码",
    )
    report = report_row(center, done_report(reply))
    closed = job(center, report["job_id"])
    assert (closed["job_type"], closed["status"], closed["assigned_engineer"]) == (
        "remote_resolution",
        "closed",
        "",
    )
    assert (closed["cause_area"], closed["cause_origin"]) == ("software", "human_error")
    assert closed["fault_found"] == "屏幕显示登录失败\n密码过期"
    assert closed["resolution"] == "重置密码后登录正常"
    assert closed["responded_at"] is not None
    assert (report["symptoms"], report["cause"], report["result"], report["guidance"]) == (
        "屏幕显示登录失败",
        "密码过期",
        "重置密码后登录正常",
        "每90天修改一次密码",
    )
    log = center_rows(center, select(E["work_log"]).where(E["work_log"].c.job_id == closed["id"]))
    assert sorted((w["kind"], w["by"], w["note"]) for w in log) == [
        ("accepted", "hotline", ""),
        ("finished", "hotline", "每90天修改一次密码"),
    ]
    assert count(center, E["checklist_runs"]) == checklists  # no backup checklist: no visit
    assert "Remote resolution · Closed" in reply.text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"cause_area": "", "result": "fixed"}, "Classify the cause before resolving"),
        ({"result": "  "}, "Describe how the fault was resolved"),
    ],
)
def test_a_phone_resolution_without_what_the_rules_need_writes_nothing(
    center: Center, hotline: Any, fields: dict[str, str], message: str
) -> None:
    client, csrf = hotline
    before = (count(center, t.hotline_reports), count(center, E["jobs"]))
    base = {"cause_area": "software", "cause_origin": "system_fault", "symptoms": "闪屏"}
    reply = call(client, csrf, a_site(center), outcome="remote", **{**base, **fields})
    assert reply.status_code == 422
    assert message in reply.text
    assert "闪屏" in reply.text  # kept in the form
    assert (count(center, t.hotline_reports), count(center, E["jobs"])) == before


def _followups(client: TestClient) -> str:
    return client.get("/console/followups").text


def test_a_complaint_is_followed_to_closure(center: Center, hotline: Any) -> None:
    client, csrf = hotline
    report_id = done_report(
        call(client, csrf, a_site(center), kind="complaint", text="工程师迟到", outcome="record")
    )
    url = f"/console/followups/{report_id}"
    early = client.post(url, data={"csrf": csrf, "response": "已致歉", "action": "close"})
    assert early.status_code == 422
    assert "Assign an owner before closing" in early.text
    assert "已致歉" in early.text  # the response typed is not lost
    engineer = client.post(url, data={"csrf": csrf, "owner": "demo", "action": "save"})
    assert "The owner must be one of the center&#39;s staff" in engineer.text
    saved = client.post(url, data={"csrf": csrf, "owner": "super", "action": "save"})
    assert saved.status_code == 200
    row = report_row(center, report_id)
    assert (row["owner"], row["closed_at"]) == ("super", None)
    empty = client.post(url, data={"csrf": csrf, "owner": "super", "action": "close"})
    assert "Write the response given to the customer before closing" in empty.text
    closed = client.post(
        url, data={"csrf": csrf, "owner": "super", "response": "已致歉并回访", "action": "close"}
    )
    assert closed.status_code == 200
    row = report_row(center, report_id)
    assert (row["owner"], row["response"], row["closed_by"]) == ("super", "已致歉并回访", "hotline")
    assert row["closed_at"] is not None
    closed_part = _followups(client).partition("<h2>Closed")[2].partition("<h2>Recorded")[0]
    assert "已致歉并回访" in closed_part and "+08:00" in closed_part
    again = client.post(
        url, data={"csrf": csrf, "owner": "super", "response": "x", "action": "close"}
    )
    assert "This follow-up is already closed" in again.text
    assert report_row(center, report_id)["response"] == "已致歉并回访"


@pytest.mark.parametrize("username", ["hotline", "office", "super"])
def test_each_office_role_takes_calls_and_follows_up(center: Center, username: str) -> None:
    client = center.client()
    csrf = sign_in(client, username)
    assert client.get("/console/hotline").status_code == 200
    assert client.get("/console/followups").status_code == 200
    report_id = done_report(call(client, csrf, a_site(center), kind="suggestion", outcome="record"))
    assert report_row(center, report_id)["recorded_by"] == username


def test_without_a_session_nothing_opens_or_changes(center: Center) -> None:
    client = center.client()
    for path in ("/console/hotline", "/console/followups"):
        reply = client.get(path, follow_redirects=False)
        assert reply.status_code == 303
        assert reply.headers["location"].startswith("/console/login")
    before = count(center, t.hotline_reports)
    posted = call(client, "", a_site(center), kind="praise", outcome="record")
    assert posted.url.path == "/console/login"
    # An engineer's API token is no console session either.
    api_headers = token(client, "demo")
    assert (
        client.get("/console/hotline", headers=api_headers, follow_redirects=False).status_code
        == 303
    )
    assert count(center, t.hotline_reports) == before


def test_a_forged_post_is_refused_and_changes_nothing(center: Center, hotline: Any) -> None:
    client, csrf = hotline
    site = a_site(center)
    before = count(center, t.hotline_reports)
    for forged in ("", csrf[:-3] + "abc"):
        reply = call(client, forged, site)
        assert reply.status_code == 403
        assert "Nothing was changed" in reply.text
    assert count(center, t.hotline_reports) == before
    report_id = done_report(call(client, csrf, site, kind="complaint", outcome="record"))
    forged_close = client.post(
        f"/console/followups/{report_id}",
        data={"owner": "super", "response": "x", "action": "close"},
    )
    assert forged_close.status_code == 403
    assert report_row(center, report_id)["closed_at"] is None


def test_hostile_text_is_shown_escaped(center: Center, hotline: Any) -> None:
    client, csrf = hotline
    site = a_site(center)
    with center.engine.begin() as conn:
        conn.execute(
            update(E["customers"])
            .where(E["customers"].c.id == site["customer_id"])
            .values(name_en=HOSTILE[:200], address=HOSTILE)
        )
        conn.execute(
            update(E["sites"]).where(E["sites"].c.id == site["id"]).values(address=HOSTILE)
        )
    report_id = done_report(
        call(
            client,
            csrf,
            site,
            kind="complaint",
            text=HOSTILE,
            caller=HOSTILE[:120],
            outcome="record",
        )
    )
    assert report_row(center, report_id)["text"] == HOSTILE
    pages = [
        client.get("/console/hotline", params={"q": site["customer_name"][:4]}).text,
        client.get(f"/console/hotline?customer={site['customer_id']}").text,
        _followups(client),
    ]
    for page in pages:
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "长" * 10_000 in pages[2]  # all of it, in a scrolling cell
    assert "&#34;q&#34;" in pages[2] or "&quot;q&quot;" in pages[2]


def test_both_languages(center: Center, hotline: Any) -> None:
    client, csrf = hotline
    site = a_site(center)
    client.post("/console/language", data={"csrf": csrf, "language": "zh_CN"})
    page = client.get(f"/console/hotline?customer={site['customer_id']}&site={site['id']}").text
    catalog = parse_po(resource_path("locale", "zh_CN.po"))
    for english in ("What is the call about?", "Phone support", "Create on-site job"):
        assert catalog[english] in page
    for definition in LEVEL_DEFINITIONS.values():
        assert catalog[definition] in page
    assert "保修" in page  # the warranty state, in Chinese
    assert "What is the call about?" not in page
    follow = _followups(client)
    assert catalog["Follow-ups: complaints and suggestions"] in follow


def test_every_string_of_the_hotline_pages_has_a_chinese_translation() -> None:
    catalog = parse_po(resource_path("locale", "zh_CN.po"))
    found: set[str] = set()
    for name in ("hotline.html", "followups.html"):
        found |= set(re.findall(r'_\("([^"]+)"\)', (TEMPLATES / name).read_text("utf-8")))
    assert len(found) > 40
    assert sorted(found - catalog.keys()) == []


def test_the_dispatch_reports_api_keeps_working(center: Center) -> None:
    api = center.client()
    headers = token(api, "office")
    old_body = {"kind": "praise", "text": "热情周到", "caller": "张女士"}
    created = api.post("/dispatch/reports", json=old_body, headers=headers)
    assert created.status_code == 201, created.text
    listed = next(r for r in api.get("/dispatch/reports", headers=headers).json())
    assert (listed["id"], listed["kind"], listed["closed_at"]) == (
        created.json()["id"],
        "praise",
        None,
    )
    unknown = api.post(
        "/dispatch/reports", json={**old_body, "site_id": "no-such-site"}, headers=headers
    )
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "site.unknown"


def test_phone_support_that_fails_becomes_an_on_site_job_with_its_notes(
    center: Center, hotline: Any
) -> None:
    client, csrf = hotline
    client.post("/console/language", data={"csrf": csrf, "language": "zh_CN"})
    reply = call(
        client,
        csrf,
        a_site(center),
        text="录像机无画面",
        symptoms="所有通道黑屏",
        result="远程重启无效",
        guidance="请保持设备通电",
    )
    report = report_row(center, done_report(reply))
    created = job(center, report["job_id"])
    assert (created["job_type"], created["status"]) == ("corrective_repair", "assigned")
    assert created["fault_description"] == (
        "录像机无画面\n\n现象：所有通道黑屏\n结果：远程重启无效\n给出的指导：请保持设备通电"
    )
    assert (report["symptoms"], report["result"]) == ("所有通道黑屏", "远程重启无效")


def test_reports_recorded_before_the_upgrade_stay_and_are_open(tmp_path: Path) -> None:

    engine = create_server_engine(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "s0008_console_board")
        conn.commit()
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO hotline_reports (id, kind, caller, text, recorded_by, at) VALUES "
            "('r-old', 'complaint', '', '旧投诉', 'office', '2026-11-01T08:00:00.000000Z')"
        )
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()
    (old,) = Office(engine).reports()
    assert (old.id, old.owner, old.response, old.closed_at) == ("r-old", "", "", None)
    assert [r.text for r in followups(engine, closed=False)] == ["旧投诉"]
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "s0008_console_board")
        conn.commit()
        assert conn.exec_driver_sql("SELECT text FROM hotline_reports").scalar() == "旧投诉"
    engine.dispose()
