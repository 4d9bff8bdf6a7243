"""One translated formatter for spans of time: the board's countdowns, the hotline's
commitments, an escalation's age and a device's last contact, in English and Chinese."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from fieldkit.i18n import translator
from fieldkit.server.console import durations
from fieldkit.server.console.render import countdown
from tests.console.conftest import sign_in
from tests.console.test_hotline import a_site
from tests.server.inproc import Center

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
EN, ZH = translator("en"), translator("zh_CN")


@pytest.mark.parametrize(
    ("seconds", "english", "chinese"),
    [
        (0, "overdue by 0 min", "已超时 0分钟"),
        (59 * 60, "59 min left", "剩余 59分钟"),
        (4 * 3600, "4 h left", "剩余 4 小时"),
        (2 * 3600 + 5 * 60, "2 h 05 min left", "剩余 2小时05分钟"),
        (-(35 * 60), "overdue by 35 min", "已超时 35分钟"),
        (47 * 3600 + 59 * 60, "47 h 59 min left", "剩余 47小时59分钟"),
        (3 * 86400, "3 d left", "剩余 3 天"),
        (-(3 * 86400 + 4 * 3600 + 20 * 60), "overdue by 3 d 4 h", "已超时 3 天 4 小时"),
    ],
)
def test_countdowns_in_both_languages(seconds: int, english: str, chinese: str) -> None:
    deadline = NOW + timedelta(seconds=seconds)
    assert countdown(deadline, NOW, EN) == english
    assert countdown(deadline, NOW, ZH) == chinese


def test_commitments_ages_and_contacts_in_both_languages() -> None:
    assert durations.duration(timedelta(hours=4), EN) == "4 h"
    assert durations.duration(timedelta(hours=4), ZH) == "4 小时"
    assert durations.duration(timedelta(hours=72), ZH) == "3 天"
    assert durations.duration(None, ZH) == "-"
    assert countdown(None, NOW, ZH) == "-"
    assert durations.ago(NOW - timedelta(hours=3, minutes=5), NOW, EN) == "3 h ago"
    assert durations.ago(NOW - timedelta(hours=3, minutes=5), NOW, ZH) == "3 小时前"
    assert durations.ago(None, NOW, ZH) == "从未"
    assert durations.ago(NOW - timedelta(days=5), NOW, EN) == "5 days ago"


UNITS = re.compile(r"(?<![\w-])\d+ ?(?:h|min|d)\b")


def visible(page: str) -> str:
    """The text a person reads (no tags, attributes or ids)."""
    return re.sub(r"<[^>]+>", " ", page[page.index("<main") :])


def test_the_board_and_the_hotline_say_no_english_units_in_chinese(center: Center) -> None:
    client = center.client()
    csrf = sign_in(client, "super")
    english = visible(client.get("/console/board").text)
    assert UNITS.search(english)  # the board does show countdowns
    site = a_site(center)
    intake = f"/console/hotline?customer={site['customer_id']}&site={site['id']}"
    assert "within" in visible(client.get(intake).text)  # English before the switch
    client.post("/console/language", data={"csrf": csrf, "language": "zh_CN"})
    for page in ("/console/board", intake, "/console/escalations"):
        body = visible(client.get(page).text)
        assert not UNITS.search(body), (page, UNITS.search(body))
    assert "小时" in visible(client.get(intake).text)  # the commitments, in Chinese units
    board = visible(client.get("/console/board").text)
    assert "剩余" in board or "已超时" in board
