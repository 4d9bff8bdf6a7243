"""The hotline's intake is one transaction: the report, its job and (resolved on the phone)
the remote-resolution walk are written together or not at all. A failure is made real by a
SQLite trigger that aborts the write of the second part, as a full disk or a lost database
connection would."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, text

from fieldkit.server import tables as t
from fieldkit.server.office import Office
from fieldkit.server.office_hotline import CallIn, Hotline
from tests.console.test_hotline import a_site
from tests.server.inproc import Center

E = t.ENTITY
WRITTEN = (t.hotline_reports, E["jobs"], E["work_log"], t.change_log)


def counts(center: Center) -> tuple[int, ...]:
    with center.engine.connect() as conn:
        return tuple(
            int(conn.scalar(select(func.count()).select_from(table)) or 0) for table in WRITTEN
        )


def fail_when(center: Center, trigger: str) -> None:
    with center.engine.begin() as conn:
        conn.execute(text(trigger))


def fault_call(site: dict[str, Any], **fields: Any) -> CallIn:
    return CallIn(
        kind="fault_report",
        text="门禁控制器离线 door controller offline",
        caller="王经理",
        customer_id=site["customer_id"],
        site_id=site["id"],
        severity=3,
        **fields,
    )


PHONE = {
    "symptoms": "登录失败",
    "cause": "密码过期",
    "cause_area": "software",
    "cause_origin": "human_error",
    "result": "重置密码后正常",
    "guidance": "每90天修改一次密码",
}


def test_a_job_that_cannot_be_written_leaves_no_report(center: Center) -> None:
    site = a_site(center)
    fail_when(
        center,
        "CREATE TRIGGER no_jobs BEFORE INSERT ON jobs BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    )
    before = counts(center)
    hotline = Hotline(Office(center.engine))
    with pytest.raises(Exception, match="disk full"):
        hotline.take_call(fault_call(site), "job", "hotline")
    assert counts(center) == before


def test_a_phone_resolution_that_fails_at_closing_leaves_no_job_and_no_report(
    center: Center,
) -> None:
    site = a_site(center)
    fail_when(
        center,
        "CREATE TRIGGER no_close BEFORE UPDATE OF status ON jobs WHEN NEW.status = 'closed' "
        "BEGIN SELECT RAISE(ABORT, 'connection lost'); END",
    )
    before = counts(center)
    hotline = Hotline(Office(center.engine))
    with pytest.raises(Exception, match="connection lost"):
        hotline.take_call(fault_call(site, **PHONE), "remote", "hotline")
    assert counts(center) == before


def test_without_a_failure_the_call_writes_report_job_and_walk(center: Center) -> None:
    site = a_site(center)
    reports, jobs, log, _changes = counts(center)
    result = Hotline(Office(center.engine)).take_call(
        fault_call(site, **PHONE), "remote", "hotline"
    )
    assert result.status == "closed"
    after = counts(center)
    assert after[:3] == (reports + 1, jobs + 1, log + 2)  # accepted, finished
