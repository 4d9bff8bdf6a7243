from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from fieldkit.store import models as m
from fieldkit.store.database import Database, open_database
from fieldkit.store.search import fts_query, matching_ids


def found(session: Session, typed: str, entity_type: str) -> list[str]:
    """What the app's search matches (the subquery the job list filters with)."""
    query = fts_query(typed)
    if query is None:
        return []
    sql, params = matching_ids(query, entity_type)
    return sorted(r[0] for r in session.connection().exec_driver_sql(sql, tuple(params)))


@pytest.fixture
def db(tmp_path: Path) -> Database:
    db = open_database(tmp_path / "s.db")
    with db.write() as s:
        s.add_all(
            [
                m.Customer(
                    id="c1", name="上海华东置业有限公司", name_en="Shanghai Huadong Properties"
                ),
                m.Customer(id="c2", name="北京瑞丰银行", name_en="Beijing Ruifeng Bank"),
            ]
        )
        s.flush()
        s.add_all(
            [
                m.Site(id="s1", customer_id="c1", name="A座 Tower A", address="世纪大道100号"),
                m.Site(id="s2", customer_id="c2", name="主楼", address="建国路1号"),
            ]
        )
        s.flush()
        s.add(
            m.Device(
                id="d1",
                site_id="s1",
                name="门禁控制器 Door controller",
                model="C3-400",
                serial="SN123456",
            )
        )
        s.flush()
        from datetime import UTC, datetime

        t = datetime(2026, 1, 1, tzinfo=UTC)
        for jid, cust, site, dev, text in (
            ("j1", "c1", "s1", "d1", "门禁控制器离线，员工无法刷卡"),
            ("j2", "c2", "s2", None, "Cameras on floor 3 show a black image"),
        ):
            s.add(
                m.Job(
                    id=jid,
                    number=f"SO-{jid}",
                    customer_id=cust,
                    site_id=site,
                    device_id=dev,
                    reported_at=t,
                    channel="hotline",
                    fault_description=text,
                    severity=2,
                    job_type="corrective_repair",
                    status="assigned",
                    billing="paid",
                    updated_at=t,
                )
            )
    return db


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("门禁", ["j1"]),  # Chinese substring of the fault
        ("刷卡", ["j1"]),
        ("华东", ["j1"]),  # via the customer name
        ("上海 门禁", ["j1"]),  # customer and fault together
        ("camera", ["j2"]),  # English prefix while typing
        ("CAMERAS black", ["j2"]),
        ("ruifeng", ["j2"]),
        ("SN1234", ["j1"]),  # device serial prefix
        ("门禁 black", []),
        ("深圳", []),
    ],
)
def test_job_search_in_chinese_and_english(db: Database, query: str, expected: list[str]) -> None:
    with db.read() as s:
        assert found(s, query, "job") == expected


@pytest.mark.parametrize(
    "hostile",
    [
        '"',
        "'; DROP TABLE jobs; --",
        "门禁 OR",
        "NEAR(a b)",
        "*",
        "a AND",
        "(",
        ")",
        "col:x",
        "^x",
        "-x",
        "\x00",
        "%_",
        '门禁"',
        "{a b}",
        "a\u200bb",
    ],
)
def test_query_syntax_and_sql_metacharacters_are_searched_as_text(
    db: Database, hostile: str
) -> None:
    with db.read() as s:
        found(s, hostile, "job")  # must not raise
        assert s.query(m.Job).count() == 2


def test_renaming_a_customer_reindexes_its_jobs(db: Database) -> None:
    with db.write() as s:
        customer = s.get(m.Customer, "c2")
        assert customer is not None
        customer.name = "深圳星河酒店"
    with db.read() as s:
        assert found(s, "星河", "job") == ["j2"]
        assert found(s, "瑞丰", "job") == []


def test_deleting_removes_from_index(db: Database) -> None:
    with db.write() as s:
        job = s.get(m.Job, "j2")
        s.delete(job)
    with db.read() as s:
        assert found(s, "camera", "job") == []


def test_query_builder() -> None:
    assert fts_query("  ") is None
    assert fts_query("门禁 door") == '"门 禁" "door"*'
    assert fts_query('say "hi"') == '"say" """hi"""*'
