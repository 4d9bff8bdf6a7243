from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from pypdfium2 import PdfDocument
from sqlalchemy import func, select

from fieldkit import __version__
from fieldkit.config import LANGUAGE_KEY
from fieldkit.demo.generator import DemoSize, generate
from fieldkit.domain.clock import SystemClock
from fieldkit.domain.enums import JobStatus
from fieldkit.domain.slip import SignedSlip
from fieldkit.services.context import ServiceContext, open_context
from fieldkit.services.settings import set_setting
from fieldkit.store import models as m

from .conftest import NOW


def test_demo_data_is_rich_and_consistent(ctx: ServiceContext) -> None:
    summary = generate(ctx.db, ctx.blobs, DemoSize(jobs=240), now=NOW)
    assert summary.jobs == 240 and summary.devices >= 200
    with ctx.db.read() as s:
        statuses = set(s.scalars(select(m.Job.status).distinct()))
        assert statuses == {st.value for st in JobStatus}
        assert set(s.scalars(select(m.Job.severity).distinct())) == {1, 2, 3, 4}
        assert set(s.scalars(select(m.Job.billing).distinct())) == {"in_warranty", "paid"}
        assert s.scalar(select(func.count()).select_from(m.DeviceParameter)) >= 6 * 200
        names = s.scalars(select(m.Customer.name_en)).all()
        assert all(n.isascii() for n in names) and all(
            any("\u4e00" <= ch <= "\u9fff" for ch in n) for n in s.scalars(select(m.Customer.name))
        )
        for doc in s.scalars(select(m.Document).where(m.Document.mime == "application/pdf")):
            pdf = PdfDocument(ctx.blobs.read_bytes(doc.blob_sha256))
            assert len(pdf) == doc.page_count >= 2
            pdf.close()
        pngs = s.scalars(select(m.Document).where(m.Document.mime == "image/png")).all()
        assert pngs and ctx.blobs.read_bytes(pngs[0].blob_sha256)[:4] == b"\x89PNG"
        for slip in s.scalars(select(m.Slip)):
            assert SignedSlip(
                slip.id, slip.job_id, slip.canonical, slip.content_sha256, slip.signed_at
            ).verify()
        signed = s.scalars(select(m.Job.id).where(m.Job.status.in_(["signed", "closed"]))).all()
        assert {x for x in s.scalars(select(m.Slip.job_id))} == set(signed)
    assert ctx.db.integrity_check() == "ok"
    for sha in ctx.blobs:
        assert ctx.blobs.verify(sha)


def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fieldkit", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_version_help_demo_jobs_status(tmp_path: Path) -> None:
    assert run_cli("--version", data_dir=tmp_path).stdout.strip() == f"fieldkit {__version__}"
    assert "demo" in run_cli("--help", data_dir=tmp_path).stdout
    demo = run_cli("demo", "--jobs", "60", "--devices-per-site", "3", data_dir=tmp_path)
    assert demo.returncode == 0, demo.stderr
    again = run_cli("demo", data_dir=tmp_path)
    assert again.returncode == 2 and "already holds data" in again.stderr
    jobs = run_cli("jobs", "门禁", data_dir=tmp_path)
    assert jobs.returncode == 0 and "SO-" in jobs.stdout
    assert re.search(r"^\d+ jobs$", jobs.stdout, re.MULTILINE), jobs.stdout  # a plural
    status = run_cli("status", data_dir=tmp_path)
    assert "unsynced changes: 0" in status.stdout

    # The language chosen in the app's Settings is the CLI's too.
    ctx = open_context(tmp_path, "eng-wang", SystemClock())
    set_setting(ctx, LANGUAGE_KEY, "zh_CN")
    ctx.db.close()
    jobs = run_cli("jobs", "门禁", data_dir=tmp_path)
    assert re.search(r"^共 \d+ 个工单$", jobs.stdout, re.MULTILINE), jobs.stdout
    assert "job" not in jobs.stdout.splitlines()[-1]
    status = run_cli("status", data_dir=tmp_path)
    assert "未同步的更改：0" in status.stdout and "上次同步：从未" in status.stdout
    assert "unsynced" not in status.stdout
    again = run_cli("demo", data_dir=tmp_path)
    assert again.returncode == 2 and "已有数据" in again.stderr


def test_cli_help_speaks_the_language_chosen_in_settings(tmp_path: Path) -> None:
    english = run_cli("--help", data_dir=tmp_path)
    assert english.returncode == 0
    assert "usage: fieldkit" in english.stdout and "list jobs, most urgent first" in english.stdout
    ctx = open_context(tmp_path, "eng-wang", SystemClock())
    set_setting(ctx, LANGUAGE_KEY, "zh_CN")
    ctx.db.close()
    top = run_cli("--help", data_dir=tmp_path)
    assert top.returncode == 0, top.stderr
    assert top.stdout.startswith("用法：fieldkit"), top.stdout
    for text in (
        "选项：",
        "命令：",
        "显示此帮助并退出",
        "列出工单，最紧急的在前",
        "数据文件夹（默认",
    ):
        assert text in top.stdout, (text, top.stdout)
    jobs = run_cli("jobs", "--help", data_dir=tmp_path)
    assert jobs.stdout.startswith("用法：fieldkit jobs"), jobs.stdout
    assert "全文搜索（中文或英文）" in jobs.stdout and "参数：" in jobs.stdout
    # Every help text of every command is in Chinese: no English sentence is left.
    for command in ("", "run", "demo", "status", "login", "sync", "logout", "conflicts"):
        shown = run_cli(*([command] if command else []), "--help", data_dir=tmp_path).stdout
        helps = [line.split("  ")[-1] for line in shown.splitlines() if line.startswith("  ")]
        english_left = [h for h in helps if re.fullmatch(r"[a-z][a-z ,;()'/-]+", h.strip())]
        assert not english_left, (command, english_left)


def test_cli_reports_a_corrupt_data_file_clearly(tmp_path: Path) -> None:
    (tmp_path / "fieldkit.db").write_bytes(b"garbage" * 100)
    result = run_cli("status", data_dir=tmp_path)
    assert result.returncode == 2
    assert "not a FieldKit data file" in result.stderr and "Traceback" not in result.stderr
