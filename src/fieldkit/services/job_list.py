"""The job list: which jobs match a filter, in which order, and their display rows.

Read through :class:`~fieldkit.store.list_reader.ListReader` (the standard library's
driver), so the window can paint its first page before the ORM is loaded, and a search
keystroke costs one statement: a top-N read of the urgency index, never 100k ids in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fieldkit.domain.sla import SlaClock
from fieldkit.store import job_order
from fieldkit.store.list_reader import ListReader
from fieldkit.store.list_reader import Superseded as Superseded  # what count() raises
from fieldkit.store.search import fts_query, match_count_sql, match_exists, matching_ids
from fieldkit.store.utc_text import utc_text

# Above this many full-text matches a search reads jobs in index order instead (see _where).
BROAD_MATCH = 3000
# Urgency: open work first, then the nearest pending deadline, then severity; the very
# expressions of the jobs urgency index (store/job_order.py), written as they are indexed so
# SQLite reads in index order.
SORTS: dict[str, tuple[tuple[str, bool], ...]] = {
    "urgency": tuple((expr, True) for expr in job_order.URGENCY),
    "number": (("jobs.number", True),),
    "severity": (("severity", True), *((expr, True) for expr in job_order.URGENCY)),
    "customer": (("customers.name", True), ("jobs.number", True)),
}


@dataclass(frozen=True)
class JobFilter:
    text: str = ""
    statuses: frozenset[str] = frozenset()
    severities: frozenset[int] = frozenset()
    job_types: frozenset[str] = frozenset()
    reported_since: datetime | None = None  # aware; "today" is the engineer's local day
    sort: str = "urgency"
    descending: bool = False


@dataclass(frozen=True)
class JobRow:
    id: str
    number: str
    severity: int
    status: str
    job_type: str
    billing: str
    customer: str
    site: str
    reported_at: datetime
    respond: SlaClock
    arrive: SlaClock
    fault: str = ""  # the fault as reported: what the job is about


def _when(value: str | None) -> datetime | None:
    # Stored as fixed-width UTC ISO text with a Z (store/utc_text.py), which Python 3.11 reads.
    return None if value is None else datetime.fromisoformat(value)


def _in(column: str, values: frozenset[Any]) -> tuple[str, list[Any]]:
    return f"{column} IN ({', '.join('?' * len(values))})", sorted(values)


class JobList:
    def __init__(self, reader: ListReader) -> None:
        self.reader = reader

    def _where(self, flt: JobFilter, counting: bool) -> tuple[str, list[Any]] | None:
        """FROM and WHERE for the filter, with parameters; None when nothing can match."""
        sql = "FROM jobs"
        if flt.sort == "customer":  # joined only when needed: the join hides the urgency index
            sql += " JOIN customers ON customers.id = jobs.customer_id"
        clauses: list[str] = []
        params: list[Any] = []
        for column, values in (
            ("jobs.status", flt.statuses),
            ("jobs.severity", flt.severities),
            ("jobs.job_type", flt.job_types),
        ):
            if values:
                clause, values_ = _in(column, values)
                clauses.append(clause)
                params += values_
        if flt.reported_since is not None:
            clauses.append("jobs.reported_at >= ?")
            params.append(utc_text(flt.reported_since))
        if flt.text.strip():
            query = fts_query(flt.text)
            if query is None:
                return None
            if not counting and self._match_count(query) > BROAD_MATCH:
                # Most jobs match: read them in display order, test each, stop at a page.
                clause, values_ = match_exists(query, "job", "jobs.id")
                clauses.append(clause)
            else:  # few matches: fetch them, sort them
                subquery, values_ = matching_ids(query, "job")
                clauses.append(f"jobs.id IN ({subquery})")
            params += values_
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        return sql, params

    def _match_count(self, query: str) -> int:
        sql, params = match_count_sql(query)
        return int(self.reader.one(sql, params) or 0)

    @staticmethod
    def _order(flt: JobFilter) -> str:
        terms = SORTS.get(flt.sort, SORTS["urgency"])
        flip = flt.descending
        return ", ".join(f"{expr} {'ASC' if up != flip else 'DESC'}" for expr, up in terms)

    def page_sql(
        self, flt: JobFilter, offset: int = 0, limit: int | None = None
    ) -> tuple[str, list[Any]] | None:
        """The statement that reads one page of ids (tests look at its query plan)."""
        where = self._where(flt, counting=False)
        if where is None:
            return None
        sql, params = where
        sql = f"SELECT jobs.id {sql} ORDER BY {self._order(flt)}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params = [*params, limit, offset]
        return sql, params

    def page(self, flt: JobFilter, offset: int, limit: int) -> list[str]:
        """One page of matching job ids in display order: the list fetches what is shown."""
        stmt = self.page_sql(flt, offset, limit)
        return [] if stmt is None else [r[0] for r in self.reader.all(*stmt)]

    def ids(self, flt: JobFilter) -> list[str]:
        """All matching job ids in display order: cheap enough for 100k rows (ids only)."""
        stmt = self.page_sql(flt)
        return [] if stmt is None else [r[0] for r in self.reader.all(*stmt)]

    def count(self, flt: JobFilter) -> int:
        """Every match. On a worker thread it gives way: the next page the list reads
        interrupts it (raising :class:`Superseded`)."""
        where = self._where(flt, counting=True)  # no order to follow: the id list is best
        if where is None:
            return 0
        sql, params = where
        return int(self.reader.one_yielding(f"SELECT count(*) {sql}", params) or 0)

    def rows(self, ids: list[str]) -> list[JobRow]:
        """Display rows for a page of ids, in the order given."""
        by_id: dict[str, JobRow] = {}
        for start in range(0, len(ids), 500):  # well inside SQLite's parameter limit
            chunk = ids[start : start + 500]
            for r in self.reader.all(
                "SELECT jobs.id, jobs.number, jobs.severity, jobs.status, jobs.job_type, "
                "jobs.billing, customers.name, sites.name, jobs.reported_at, jobs.respond_by, "
                "jobs.responded_at, jobs.arrive_by, jobs.arrived_at, jobs.fault_description "
                "FROM jobs "
                "JOIN customers ON customers.id = jobs.customer_id "
                "JOIN sites ON sites.id = jobs.site_id "
                f"WHERE jobs.id IN ({', '.join('?' * len(chunk))})",
                chunk,
            ):
                reported = _when(r[8])
                assert reported is not None
                by_id[r[0]] = JobRow(
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    r[4],
                    r[5],
                    r[6],
                    r[7],
                    reported,
                    SlaClock(_when(r[9]), _when(r[10])),
                    SlaClock(_when(r[11]), _when(r[12])),
                    r[13] or "",
                )
        return [by_id[i] for i in ids if i in by_id]
