"""The dispatch board, assign page, job record and archive in-process: who may open and do
what, forged forms refused, hostile text escaped, both languages, the change counter."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from fieldkit.server import tables as t
from fieldkit.server.office import JobIn, Office
from tests.console.conftest import sign_in
from tests.server.inproc import Center

E = t.ENTITY
TEMPLATES = Path(__file__).parents[2] / "src" / "fieldkit" / "server" / "console" / "templates"
HOSTILE = "<script>alert('x')</script> \"quoted\" & 'single' \u202eRTL عربى שלום"


def _job(center: Center, status: str | None = None, engineer: str | None = None) -> str:
    jobs = E["jobs"]
    stmt = select(jobs.c.id).order_by(jobs.c.number)
    if status:
        stmt = stmt.where(jobs.c.status == status)
    if engineer:
        stmt = stmt.where(jobs.c.assigned_engineer == engineer)
    with center.engine.connect() as conn:
        return str(conn.scalar(stmt.limit(1)))


def _engineer_of(center: Center, job_id: str) -> str:
    with center.engine.connect() as conn:
        return str(
            conn.scalar(select(E["jobs"].c.assigned_engineer).where(E["jobs"].c.id == job_id))
        )


def _unassigned(center: Center, text: str = "UPS 告警") -> str:
    office = Office(center.engine)
    site = office.sites()[0].id
    return office.create_job(JobIn(site_id=site, fault_description=text, severity=2))


@pytest.mark.parametrize(
    ("username", "board", "record", "archive"),
    [("office", 200, 200, 200), ("super", 200, 200, 200), ("hotline", 403, 200, 200)],
)
def test_each_role_opens_what_it_may(
    center: Center, username: str, board: int, record: int, archive: int
) -> None:
    client = center.client()
    sign_in(client, username)
    job = _job(center)
    assert client.get("/console/board").status_code == board
    assert client.get("/console/board/live").status_code == board
    assert client.get("/console/board/version").status_code == board
    assert client.get(f"/console/board/jobs/{job}").status_code == board
    assert client.get(f"/console/jobs/{job}").status_code == record
    assert client.get("/console/archive").status_code == archive


def test_signed_out_pages_go_to_the_sign_in(center: Center) -> None:
    client = center.client()
    for path in ("/console/board", f"/console/jobs/{_job(center)}", "/console/archive"):
        reply = client.get(path, follow_redirects=False)
        assert reply.status_code == 303 and "/console/login" in reply.headers["location"]


def test_hotline_may_not_assign_or_close(center: Center) -> None:
    client = center.client()
    csrf = sign_in(client, "hotline")
    job = _unassigned(center)
    reply = client.post(
        f"/console/board/jobs/{job}/assign", data={"csrf": csrf, "engineer": "wang"}
    )
    assert reply.status_code == 403 and _engineer_of(center, job) == ""
    signed = _job(center, "signed")
    assert client.post(f"/console/jobs/{signed}/close", data={"csrf": csrf}).status_code == 403
    assert _job(center, "signed") == signed


def test_a_forged_assign_severity_or_close_changes_nothing(center: Center) -> None:
    client = center.client()
    sign_in(client, "office")
    job = _unassigned(center)
    signed = _job(center, "signed")
    for data in ({}, {"csrf": "forged"}):
        assign = client.post(f"/console/board/jobs/{job}/assign", data={**data, "engineer": "li"})
        severity = client.post(f"/console/board/jobs/{job}/severity", data={**data, "severity": 1})
        close = client.post(f"/console/jobs/{signed}/close", data=data)
        assert (assign.status_code, severity.status_code, close.status_code) == (403, 403, 403)
        assert "Nothing was changed" in assign.text
    with center.engine.connect() as conn:
        row = conn.execute(select(E["jobs"]).where(E["jobs"].c.id == job)).mappings().one()
        assert row["assigned_engineer"] == "" and row["severity"] == 2
    assert _job(center, "signed") == signed


def test_assign_then_reassign_needs_a_reason_and_moves_the_counter(center: Center) -> None:
    client = center.client()
    csrf = sign_in(client, "office")
    job = _unassigned(center)
    version = client.get("/console/board/version").json()["version"]
    back = "?level=2"
    reply = client.post(
        f"/console/board/jobs/{job}/assign",
        data={"csrf": csrf, "engineer": "wang", "back": back},
        follow_redirects=False,
    )
    assert reply.status_code == 303 and reply.headers["location"] == "/console/board?level=2"
    assert _engineer_of(center, job) == "wang"
    assert client.get("/console/board/version").json()["version"] != version
    refused = client.post(
        f"/console/board/jobs/{job}/assign", data={"csrf": csrf, "engineer": "li", "reason": " "}
    )
    assert refused.status_code == 422
    assert "Say why the job changes hands" in refused.text and _engineer_of(center, job) == "wang"
    done = client.post(
        f"/console/board/jobs/{job}/assign",
        data={"csrf": csrf, "engineer": "li", "reason": "王 is on leave"},
    )
    assert done.status_code == 200 and _engineer_of(center, job) == "li"
    record = client.get(f"/console/jobs/{job}")
    assert "王 is on leave" in record.text and "reassign" in record.text
    bad = client.post(
        f"/console/board/jobs/{job}/assign", data={"csrf": csrf, "engineer": "x", "reason": "r"}
    )
    assert bad.status_code == 422 and "Choose an active engineer" in bad.text
    # An open redirect through "back" is refused: the board it is.
    away = client.post(
        f"/console/board/jobs/{job}/assign",
        data={"csrf": csrf, "engineer": "li", "back": "//evil.example/"},
        follow_redirects=False,
    )
    assert away.headers["location"] == "/console/board"


def test_a_severity_change_from_the_assign_page_moves_the_deadlines(center: Center) -> None:
    client = center.client()
    csrf = sign_in(client, "super")
    job = _unassigned(center)
    jobs = E["jobs"]
    with center.engine.connect() as conn:
        before = conn.scalar(select(jobs.c.respond_by).where(jobs.c.id == job))
    reply = client.post(
        f"/console/board/jobs/{job}/severity",
        data={"csrf": csrf, "severity": 1, "reason": "hospital line down"},
    )
    assert reply.status_code == 200
    with center.engine.connect() as conn:
        row = conn.execute(select(jobs).where(jobs.c.id == job)).mappings().one()
    assert row["severity"] == 1 and before is not None and row["respond_by"] < before
    assert "hospital line down" in client.get(f"/console/jobs/{job}").text


def test_the_board_filters_and_says_breaches_in_words(center: Center) -> None:
    client = center.client()
    sign_in(client, "office")
    page = client.get("/console/board", params={"engineer": "li", "level": "", "bogus": "1"})
    assert page.status_code == 200
    numbers = set(re.findall(r'<tr data-job="([^"]+)"', page.text))
    with center.engine.connect() as conn:
        li = set(
            conn.scalars(
                select(E["jobs"].c.number).where(
                    E["jobs"].c.assigned_engineer == "li", E["jobs"].c.status != "closed"
                )
            )
        )
    assert numbers == li
    job = _unassigned(center)
    with center.engine.begin() as conn:  # a job whose respond-by passed unanswered
        conn.execute(
            update(E["jobs"])
            .where(E["jobs"].c.id == job)
            .values(respond_by=datetime(2026, 1, 1, tzinfo=UTC))
        )
    board = client.get("/console/board", params={"engineer": "-"}).text
    row = board[board.index('<tr data-job="') :]
    assert "Breached" in row.split("</tr>")[0] and "overdue by" in row.split("</tr>")[0]
    assert "Unassigned: 1" in board


def test_hostile_text_is_escaped_everywhere(center: Center) -> None:
    long = HOSTILE + "长" * 10_000
    job = _unassigned(center, long)
    jobs = E["jobs"]
    with center.engine.begin() as conn:
        customer = conn.scalar(select(jobs.c.customer_id).where(jobs.c.id == job))
        conn.execute(
            update(E["customers"]).where(E["customers"].c.id == customer).values(name=long)
        )
        conn.execute(update(jobs).where(jobs.c.status == "closed").values(resolution=HOSTILE))
    client = center.client()
    csrf = sign_in(client, "office")
    client.post(f"/console/board/jobs/{job}/assign", data={"csrf": csrf, "engineer": "demo"})
    client.post(
        f"/console/board/jobs/{job}/assign",
        data={"csrf": csrf, "engineer": "li", "reason": HOSTILE},
    )
    closed = _job(center, "closed")
    pages = [
        client.get("/console/board"),
        client.get("/console/board/live"),
        client.get(f"/console/board/jobs/{job}"),
        client.get(f"/console/jobs/{job}"),
        client.get(f"/console/jobs/{closed}"),
        client.get("/console/archive", params={"q": HOSTILE}),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text, page.url
        assert "&#34;quoted&#34;" in page.text
    record = pages[3].text
    assert record.count("长" * 10_000) == 2  # the fault in full (and the customer), escaped
    assert "长" * 10_000 not in pages[0].text  # the board shows a bounded excerpt


def test_both_languages(center: Center) -> None:
    client = center.client()
    csrf = sign_in(client, "office")
    job = _job(center, "signed")
    english = client.get(f"/console/jobs/{job}").text
    assert "Dispatch board" in client.get("/console/board").text and "Audit trail" in english
    client.post("/console/language", data={"csrf": csrf, "language": "zh_CN"})
    assert "派工看板" in client.get("/console/board").text
    record = client.get(f"/console/jobs/{job}").text
    assert "审计记录" in record and "服务单" in record
    assert "已关闭工单归档" in client.get("/console/archive").text


def test_every_string_in_these_templates_has_a_chinese_translation() -> None:
    from fieldkit.i18n import catalog_for

    zh = catalog_for("zh_CN")
    names = ("_board_macros", "board", "board_live", "assign", "job_record", "archive")
    missing = []
    for name in names:
        text = (TEMPLATES / f"{name}.html").read_text(encoding="utf-8")
        for match in re.finditer(r'_\("((?:[^"\\]|\\.)*)"\)', text):
            if match.group(1) not in zh:
                missing.append((name, match.group(1)))
    assert missing == []


def test_close_a_signed_job_then_find_it_in_the_archive(center: Center) -> None:
    client = center.client()
    csrf = sign_in(client, "office")
    job = _job(center, "signed")
    record = client.get(f"/console/jobs/{job}").text
    assert "Close the job" in record and "Valid:" in record
    number = re.search(r"<h1>Job ([^ <]+)", record)
    assert number is not None
    closed = client.post(f"/console/jobs/{job}/close", data={"csrf": csrf})
    assert closed.status_code == 200 and "filed in the archive" in closed.text
    assert "Close the job" not in closed.text
    found = client.get("/console/archive", params={"number": number.group(1)}).text
    assert re.findall(r'<tr data-job="([^"]+)"', found) == [number.group(1)]
    open_job = _job(center, "assigned")
    refused = client.post(f"/console/jobs/{open_job}/close", data={"csrf": csrf})
    assert refused.status_code == 409 and "does not allow this" in refused.text


def test_files_are_streamed_only_for_what_the_job_references(center: Center) -> None:
    client: TestClient = center.client()
    sign_in(client, "hotline")
    answers, items, runs = E["checklist_answers"], E["checklist_run_items"], E["checklist_runs"]
    with center.engine.connect() as conn:
        photo = conn.execute(
            select(runs.c.job_id, answers.c.blob_sha256)
            .join(items, items.c.id == answers.c.run_item_id)
            .join(runs, runs.c.id == items.c.run_id)
            .where(answers.c.kind == "photo")
            .limit(1)
        ).one()
    job, sha = photo.job_id, photo.blob_sha256
    other = _job(center, "assigned")
    assert other != job
    record = client.get(f"/console/jobs/{job}").text
    assert f'<img class="thumb" src="/console/jobs/{job}/files/{sha}?inline=1"' in record
    reply = client.get(f"/console/jobs/{job}/files/{sha}?inline=1")
    assert reply.status_code == 200 and reply.headers["content-type"] == "image/png"
    assert reply.content.startswith(b"\x89PNG")
    assert reply.headers["content-disposition"].startswith("inline;")
    download = client.get(f"/console/jobs/{job}/files/{sha}")
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.content == reply.content
    assert client.get(f"/console/jobs/{other}/files/{sha}").status_code == 404
    assert client.get(f"/console/jobs/{job}/files/{'0' * 64}").status_code == 404
    assert client.get(f"/console/jobs/{job}/files/..%2f..%2fserver.db").status_code == 404
