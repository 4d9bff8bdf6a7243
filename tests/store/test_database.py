from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from fieldkit.store import models as m
from fieldkit.store.database import StoreError, create_sqlite_engine, open_database
from fieldkit.store.migrate import current_revision, head_revision, upgrade

T = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)


def test_fresh_database_is_wal_with_foreign_keys_at_head(tmp_path: Path) -> None:
    db = open_database(tmp_path / "f.db")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    assert current_revision(db.engine) == head_revision()
    assert db.integrity_check() == "ok"


# The urgency index is on expressions, which SQLAlchemy cannot reflect (it says so);
# tests/store/test_job_order.py checks that index instead.
@pytest.mark.filterwarnings(
    "ignore:Skipped unsupported reflection of expression-based index ix_jobs_urgency"
)
def test_migrations_match_models(tmp_path: Path) -> None:
    db = open_database(tmp_path / "f.db")
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = [d for d in compare_metadata(ctx, m.Base.metadata) if not str(d).count("search_")]
    assert diff == []


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    db = open_database(tmp_path / "f.db")
    with pytest.raises(Exception, match="FOREIGN KEY"), db.write() as s:
        s.add(m.Site(id="s1", customer_id="missing", name="x", address=""))


def test_not_a_database_gives_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "fieldkit.db"
    bogus.write_bytes(b"%PDF-1.7 definitely not sqlite" * 10)
    with pytest.raises(StoreError, match="not a FieldKit data file"):
        open_database(bogus)
    assert bogus.read_bytes().startswith(b"%PDF")  # the user's file is untouched


def test_decimals_and_times_round_trip_exactly(tmp_path: Path) -> None:
    db = open_database(tmp_path / "f.db")
    with db.write() as s:
        s.add(
            m.Part(
                part_no="P1", name="电源", unit_price=Decimal("1234.10"), tax_rate=Decimal("0.13")
            )
        )
    with db.read() as s:
        part = s.scalars(select(m.Part)).one()
        assert part.unit_price == Decimal("1234.10") and str(part.unit_price) == "1234.10"
    raw = sqlite3.connect(tmp_path / "f.db").execute("SELECT unit_price FROM parts").fetchone()
    assert raw == ("1234.10",)


def _seed_v1(path: Path) -> None:
    """A data file as release 0001 left it: reference data, a job, a pending outbox row."""
    engine = create_sqlite_engine(path)
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO customers VALUES ('c1','上海示例大厦物业','Shanghai Example Tower',"
            "'zh','',"
            "'','上海市浦东新区世纪大道100号',1)"
        )
        conn.exec_driver_sql(
            "INSERT INTO sites (id, customer_id, contract_id, name, address, installed_by_us, "
            "software_media_notes, version) VALUES ('s1','c1',NULL,'主楼 Main','浦东',1,'',1)"
        )
        conn.exec_driver_sql(
            "INSERT INTO jobs (id, number, customer_id, site_id, reported_at, channel, "
            "fault_description, severity, job_type, status, billing, billing_basis, "
            "assigned_engineer, fault_found, resolution, confirmed_with, updated_at, version) "
            "VALUES ('j1','SO-1','c1','s1','2026-01-05T08:30:00.000000Z','hotline',"
            "'门禁控制器离线 door controller offline',1,'corrective_repair','accepted','paid','',"
            "'eng','','','','2026-01-05T08:30:00.000000Z',2)"
        )
        conn.exec_driver_sql(
            "INSERT INTO outbox (mutation_id, device_id, seq, name, entity_type, entity_id, "
            "base_version, args, created_at, state, attempts, last_error, blob_refs) VALUES "
            "('m1','d1',1,'job.transition.v1','job','j1',1,'{\"action\":\"accept\"}',"
            "'2026-01-05T08:31:00.000000Z','pending',0,'','[]')"
        )
    engine.dispose()


def test_upgrade_from_first_migration_keeps_data_and_indexes_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _seed_v1(path)
    db = open_database(path)  # the app's startup path
    assert current_revision(db.engine) == head_revision()
    from tests.store.test_search import found

    with db.read() as s:
        outbox = s.scalars(select(m.OutboxMutation)).one()
        assert (outbox.mutation_id, outbox.state, outbox.args) == (
            "m1",
            "pending",
            {"action": "accept"},
        )
        assert s.get(m.Job, "j1") is not None
        assert found(s, "门禁", "job") == ["j1"]  # backfilled by the migration
        assert found(s, "示例", "customer") == ["c1"]
        # Rebuilt with prefix indexes (0006) and still found by a one-letter prefix.
        fts = s.connection().exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'search_fts'"
        )
        assert "prefix='1 2 3'" in str(fts.scalar())
        assert "j1" in found(s, "S", "job")
    assert db.integrity_check() == "ok"


def test_committed_fixture_from_release_0001_upgrades(tmp_path: Path) -> None:
    """A data file saved by the first schema (tests/data/db/) must open in this build."""
    fixture = Path(__file__).parents[1] / "data" / "db" / "fieldkit-0001.db"
    target = tmp_path / "copy.db"
    target.write_bytes(fixture.read_bytes())
    db = open_database(target)
    with db.read() as s:
        assert s.scalars(select(m.OutboxMutation.state)).all() == ["pending"]
        assert s.get(m.Job, "j1") is not None


def test_contract_dates_round_trip(tmp_path: Path) -> None:
    db = open_database(tmp_path / "f.db")
    with db.write() as s:
        s.add(m.Customer(id="c", name="n"))
        s.flush()
        s.add(
            m.Contract(
                customer_id="c",
                number="K1",
                starts_on=date(2026, 1, 1),
                ends_on=date(2027, 1, 1),
                warranty_ends_on=None,
            )
        )
    with db.read() as s:
        assert s.scalars(select(m.Contract.ends_on)).one() == date(2027, 1, 1)


def test_head_constant_is_the_newest_migration() -> None:
    from fieldkit.store.migrate import HEAD, head_revision

    assert head_revision() == HEAD  # else a data file at head would be migrated every start


def test_a_data_file_at_head_opens_without_loading_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    open_database(tmp_path / "f.db").close()
    probe = (
        "import sys; from pathlib import Path; from fieldkit.store.database import open_database;"
        f"open_database(Path({str(tmp_path / 'f.db')!r})).close();"
        "print('alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
