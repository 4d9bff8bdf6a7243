"""On PostgreSQL a puller must never skip a change-log row that commits late."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, insert, select

from fieldkit.server import tables as t
from fieldkit.server.changes import ChangeWriter, pull_log
from fieldkit.server.database import create_server_engine, migrate
from tests.support.postgres import Postgres, start_postgres


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    pg = start_postgres()
    yield pg
    pg.stop()


@pytest.fixture
def engine(postgres: Postgres) -> Iterator[Engine]:
    eng = create_server_engine(postgres.url(postgres.create_database()))
    migrate(eng)
    with eng.begin() as conn:
        conn.execute(
            insert(t.ENTITY["parts"]).values(
                id="p1",
                part_no="P1",
                name="电源",
                name_en="PSU",
                unit="pc",
                unit_price=Decimal("1.00"),
                currency="CNY",
                tax_rate=Decimal("0.13"),
                active=True,
                version=1,
            )
        )
    yield eng
    eng.dispose()


def write(engine: Engine, hold: float = 0.0) -> None:
    with engine.begin() as conn:
        writer = ChangeWriter(conn, datetime.now(UTC))
        writer.upsert("parts", "p1", {"e1"})
        writer.flush()  # draws the sequence number
        time.sleep(hold)  # ...and commits late


def test_second_writer_waits_for_the_first_to_commit(engine: Engine) -> None:
    first_in = threading.Event()
    release = threading.Event()
    second_done = threading.Event()

    def first() -> None:
        with engine.begin() as conn:
            writer = ChangeWriter(conn, datetime.now(UTC))
            writer.upsert("parts", "p1", {"e1"})
            writer.flush()
            first_in.set()
            release.wait(10)

    def second() -> None:
        write(engine)
        second_done.set()

    a = threading.Thread(target=first)
    a.start()
    assert first_in.wait(10)
    b = threading.Thread(target=second)
    b.start()
    # Without the lock the second writer would commit a higher seq now, and a puller reading
    # at this moment would move its cursor past the first writer's row for good.
    assert not second_done.wait(0.5)
    with engine.connect() as conn:
        assert pull_log(conn, "e1", 0, 100)[0] == []
    release.set()
    a.join(10)
    b.join(10)
    with engine.connect() as conn:
        seqs = [c.seq for c in pull_log(conn, "e1", 0, 100)[0]]
    assert len(seqs) == 2 and seqs == sorted(seqs)


def test_many_writers_and_pullers_never_skip(engine: Engine) -> None:
    writers, per_writer, pullers = 8, 25, 4
    done = threading.Event()
    seen: list[list[int]] = [[] for _ in range(pullers)]
    errors: list[BaseException] = []

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(per_writer):
                write(engine, hold=rng.random() * 0.004)
        except BaseException as exc:
            errors.append(exc)

    def puller(index: int) -> None:
        cursor = 0
        try:
            while True:
                finished = done.is_set()
                with engine.connect() as conn:
                    changes, cursor, _ = pull_log(conn, "e1", cursor, 7)
                seen[index].extend(c.seq for c in changes)
                if finished and not changes:
                    return
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    readers = [threading.Thread(target=puller, args=(i,)) for i in range(pullers)]
    for th in readers + threads:
        th.start()
    for th in threads:
        th.join(120)
    done.set()
    for th in readers:
        th.join(120)
    assert errors == []
    with engine.connect() as conn:
        everything = list(
            conn.scalars(
                select(t.change_log.c.seq)
                .where(t.change_log.c.engineer == "e1")
                .order_by(t.change_log.c.seq)
            )
        )
    assert len(everything) == writers * per_writer
    for got in seen:
        assert got == everything  # every row, once, in order: none skipped
