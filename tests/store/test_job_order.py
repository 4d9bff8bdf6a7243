"""The job list's urgency order is read from the urgency index (no sort of every row), and
both search plans (few matches: fetch and sort; most rows: index order with a per-row test)
return exactly the same pages."""

from __future__ import annotations

import pytest

from fieldkit.demo.generator import DemoSize, generate
from fieldkit.services import job_list, queries
from fieldkit.services.context import ServiceContext
from tests.conftest import NOW


@pytest.fixture
def demo_ctx(ctx: ServiceContext) -> ServiceContext:
    generate(ctx.db, ctx.blobs, DemoSize(jobs=400, devices_per_site=3, drawing_sites=1), now=NOW)
    return ctx


def plan(ctx: ServiceContext, flt: queries.JobFilter) -> str:
    """SQLite's plan for the very statement the list runs for its first page."""
    stmt = ctx.job_list.page_sql(flt, 0, 200)
    assert stmt is not None
    sql, params = stmt
    return " | ".join(
        str(r[3]) for r in ctx.job_list.reader.all("EXPLAIN QUERY PLAN " + sql, params)
    )


def test_unfiltered_list_reads_the_urgency_index(demo_ctx: ServiceContext) -> None:
    found = plan(demo_ctx, queries.JobFilter())
    assert "ix_jobs_urgency" in found
    assert "TEMP B-TREE" not in found  # no sort of all rows


def test_broad_search_reads_in_index_order(
    demo_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(job_list, "BROAD_MATCH", 0)
    found = plan(demo_ctx, queries.JobFilter(text="SO"))
    assert "ix_jobs_urgency" in found and "TEMP B-TREE" not in found


@pytest.mark.parametrize(
    "typed", ["SO", "上海", "door", "SO-202611-0001", "%' OR 1=1 --", "门禁 UPS"]
)
def test_both_search_plans_give_the_same_pages(
    demo_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    flt = queries.JobFilter(text=typed)
    narrow = [queries.job_page(demo_ctx, flt, offset, 50) for offset in (0, 50, 100)]
    count = queries.job_count(demo_ctx, flt)
    monkeypatch.setattr(job_list, "BROAD_MATCH", 0)
    broad = [queries.job_page(demo_ctx, flt, offset, 50) for offset in (0, 50, 100)]
    assert narrow == broad
    assert sum(len(p) for p in narrow) == min(count, 150)
    every = queries.job_ids(demo_ctx, flt)  # the one-query reference order
    assert [i for p in narrow for i in p] == every[:150]
