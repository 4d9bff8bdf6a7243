"""Inspection report: per device results, open items counted, fonts embedded."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import select

from fieldkit.services import checklists, documents, jobs
from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m
from tests.services.fixtures import seed_job

ITEMS = [("检查运行状态和告警", "tick"), ("清洁设备和散热口", "tick"), ("调试参数", "text")]


def run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def test_inspection_report_lists_each_device_and_open_items(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    seed_job(ctx, job_type="periodic_inspection")
    with ctx.db.write() as s:  # what the center attaches when it dispatches an inspection
        s.get(m.Customer, "c1").language = "zh"  # type: ignore[union-attr]
        for n in range(3):
            dev = m.Device(
                id=f"dev{n}",
                site_id="s1",
                name=f"摄像机 {n}",
                model="DS-2CD",
                serial=f"SN{n}",
                location=f"{n + 1}F 弱电间",
            )
            s.add(dev)
            s.flush()
            run_row = m.ChecklistRun(job_id="j1", purpose="inspection", device_id=dev.id)
            s.add(run_row)
            s.flush()
            for pos, (label, kind) in enumerate(ITEMS, 1):
                s.add(
                    m.ChecklistRunItem(
                        run_id=run_row.id,
                        position=pos,
                        label=label,
                        evidence_kind=kind,
                        required=True,
                    )
                )
    jobs.accept_job(ctx, "j1")
    jobs.depart(ctx, "j1")
    jobs.record_arrival(ctx, "j1", "王主管")
    with ctx.db.read() as s:
        items = s.scalars(
            select(m.ChecklistRunItem)
            .join(m.ChecklistRun)
            .where(m.ChecklistRun.purpose == "inspection")
            .order_by(m.ChecklistRunItem.id)
        ).all()
    for item in items[:-1]:  # one item left open
        if item.evidence_kind == "text":
            checklists.record_evidence(ctx, item.id, text="增益 调整为 6dB")
        else:
            checklists.record_evidence(ctx, item.id, ticked=True)
    path = tmp_path / "inspection.pdf"
    path.write_bytes(ctx.blobs.read_bytes(documents.inspection_pdf(ctx, "j1", "3号摄像机镜头起雾")))
    text = run("pdftotext", "-enc", "UTF-8", str(path), "-")
    assert "定期巡检报告" in text and "3号摄像机镜头起雾" in text
    for n in range(3):
        assert f"摄像机 {n}" in text
    assert "未完成" in text and "增益 调整为 6dB" in text
    assert "未完成项" in text
    for line in run("pdffonts", str(path)).splitlines()[2:]:
        assert "TrueType" in line and " yes yes " in line
