"""The hotline's migration, search, calls and follow-ups on PostgreSQL (a real deployment's
database): the same use cases as on SQLite, against a seeded center."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from fieldkit.server import tables as t
from fieldkit.server.database import create_server_engine
from fieldkit.server.hotline import customer_card, followups, search_customers
from fieldkit.server.office import Office
from fieldkit.server.office_hotline import CallIn, Hotline
from tests.support.postgres import start_postgres
from tests.support.server import seed

E = t.ENTITY


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    pg = start_postgres()
    try:
        url = pg.url(pg.create_database())
        seed(Path(tempfile.mkdtemp(prefix="hotline-pg-")), db=url)  # migrates, then seeds
        eng = create_server_engine(url)
        yield eng
        eng.dispose()
    finally:
        pg.stop()


def test_calls_and_follow_ups_on_postgres(engine: Engine) -> None:
    office = Office(engine)
    hotline = Hotline(office)
    with engine.connect() as conn:
        site = conn.execute(select(E["sites"]).limit(1)).mappings().one()
        customer = (
            conn.execute(select(E["customers"]).where(E["customers"].c.id == site["customer_id"]))
            .mappings()
            .one()
        )
    hits = search_customers(engine, customer["name"][:3].upper())
    assert customer["id"] in [h.id for h in hits]
    assert search_customers(engine, "%_") == []  # wildcards are characters here too
    card = customer_card(engine, customer["id"], office.now())
    assert card is not None and card.sites and all(len(s.levels) == 4 for s in card.sites)
    base = {"customer_id": customer["id"], "site_id": site["id"], "severity": 3}
    job = hotline.take_call(CallIn(kind="fault_report", text="网络中断", **base), "job", "hotline")
    assert job.status == "assigned" and job.job_number
    remote = hotline.take_call(
        CallIn(
            kind="fault_report",
            text="无法打印",
            cause_area="software",
            cause_origin="system_fault",
            result="重装驱动",
            **base,
        ),
        "remote",
        "hotline",
    )
    assert remote.status == "closed"
    complaint = hotline.take_call(
        CallIn(kind="complaint", text="回访太慢", customer_id=customer["id"]), "record", "hotline"
    )
    assert [r.id for r in followups(engine, closed=False)] == [complaint.report_id]
    hotline.follow_up(complaint.report_id, "super", "已安排主管回访", True, "super")
    (closed,) = followups(engine, closed=True)
    assert (closed.owner, closed.response) == ("super", "已安排主管回访")
