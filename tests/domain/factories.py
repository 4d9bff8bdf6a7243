from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from fieldkit.domain.checklist import Progress
from fieldkit.domain.enums import Billing, Channel, JobStatus, JobType, Severity
from fieldkit.domain.job import Job
from fieldkit.domain.workflow import JobContext

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
COMPLETE = Progress(done=3, total=3, missing=())
PARTIAL = Progress(done=1, total=3, missing=("Export config", "Copy database"))


def make_job(
    status: JobStatus = JobStatus.ASSIGNED,
    job_type: JobType = JobType.CORRECTIVE_REPAIR,
    **kw: object,
) -> Job:
    job = Job(
        id="j1",
        number="SO-2026-0001",
        customer_id="c1",
        site_id="s1",
        reported_at=T0,
        channel=Channel.HOTLINE,
        fault_description="门禁控制器离线",
        severity=Severity.MAJOR,
        job_type=job_type,
        billing=Billing.IN_WARRANTY,
        status=status,
    )
    return replace(job, **kw)  # type: ignore[arg-type]


def ctx(backup: Progress = COMPLETE, signed: bool = False) -> JobContext:
    return JobContext(backup=backup, has_signed_slip=signed)
