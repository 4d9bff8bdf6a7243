"""Walking a job through the on-site steps the way an engineer does, for tests."""

from __future__ import annotations

from pathlib import Path

from fieldkit.domain.enums import CauseArea, CauseOrigin
from fieldkit.services import checklists, jobs
from fieldkit.services.context import ServiceContext


def arrive_and_diagnose(ctx: ServiceContext, job: str, classify: bool = True) -> None:
    jobs.accept_job(ctx, job)
    jobs.depart(ctx, job)
    jobs.record_arrival(ctx, job, "王主管")
    jobs.start_diagnosis(ctx, job)
    if classify:
        jobs.classify_cause(ctx, job, CauseArea.HARDWARE, CauseOrigin.SYSTEM_FAULT, "PSU 故障")


def record_all_evidence(ctx: ServiceContext, job: str, folder: Path, file_bytes: bytes) -> None:
    """Every backup item: tick, note, or a file of ``file_bytes`` (one file per item)."""
    view = checklists.backup_checklist(ctx, job)
    assert view is not None
    for item in view.items:
        kind = item.evidence_kind.value
        path = None
        if kind in ("file", "photo"):
            path = folder / f"{item.id}.bin"
            path.write_bytes(file_bytes + item.id.encode())  # distinct blobs per item
        checklists.record_evidence(
            ctx, item.id, ticked=kind == "tick", text="V5.2" if kind == "text" else "", file=path
        )


def resolve_on_site(
    ctx: ServiceContext, job: str, folder: Path, resolution: str = "更换电源"
) -> None:
    """From assigned to resolved: arrival, diagnosis, the whole backup, repair."""
    arrive_and_diagnose(ctx, job)
    record_all_evidence(ctx, job, folder, b"config" * 100)
    jobs.confirm_backup(ctx, job)
    jobs.start_repair(ctx, job)
    jobs.resolve(ctx, job, resolution)
