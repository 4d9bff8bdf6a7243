"""Representative documents for the README images (`make docs`) and `bench/reports`."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from fieldkit.domain.checklist import ItemState
from fieldkit.domain.enums import QuoteLineKind, QuoteStatus, SignerRole
from fieldkit.domain.money import Money
from fieldkit.domain.quote import Quote, QuoteLine
from fieldkit.domain.slip import SlipDraft
from fieldkit.domain.slip_payload import (
    BackupFact,
    PartFact,
    SignatureFact,
    SlipFacts,
    slip_payload,
)
from fieldkit.reports.inspection_pdf import (
    InspectedDevice,
    InspectedItem,
    InspectionHeader,
    render_inspection,
)
from fieldkit.reports.layout import SignatureImage
from fieldkit.reports.quote_pdf import QuoteHeader, render_quote
from fieldkit.reports.slip_pdf import render_slip

AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def signature(name: str, role: SignerRole, seed: float = 0.0) -> SignatureImage:
    strokes = []
    for s in range(3):
        stroke = []
        for i in range(40):
            t = i / 39
            x = 40 + s * 160 + 140 * t
            y = 120 + 45 * math.sin(6 * t + s + seed) * (1 - 0.5 * t)
            stroke.append([x, y, 0.3 + 0.6 * math.sin(math.pi * t), i * 14.0])
        strokes.append(stroke)
    return SignatureImage(role.value, name, AT.isoformat(), 600, 240, strokes)


def slip_sample(language: str = "zh_CN", work: str | None = None, paid: bool = True) -> bytes:
    """A paid repair at a Shanghai site, built by the same domain code the app signs with."""
    quote = Quote(
        "q-1",
        "job-137",
        "CNY",
        date(2026, 12, 4),
        QuoteStatus.APPROVED,
        (
            QuoteLine(
                QuoteLineKind.PART,
                "24V 电源模块 PSU",
                Decimal(1),
                Money.of("286.00", "CNY"),
                Decimal("0.13"),
                "PSU-24V-5A",
            ),
            QuoteLine(
                QuoteLineKind.LABOUR,
                "人工",
                Decimal("1.5"),
                Money.of("180", "CNY"),
                Decimal("0.06"),
            ),
            QuoteLine(
                QuoteLineKind.TRAVEL, "差旅", Decimal(1), Money.of("120", "CNY"), Decimal("0.06")
            ),
        ),
        AT,
    )
    facts = SlipFacts(
        job_number="SO-202611-000137",
        job_type="corrective_repair",
        severity=2,
        reported_at=datetime(2026, 11, 20, 6, 10, tzinfo=UTC),
        channel="hotline",
        billing="paid" if paid else "in_warranty",
        customer_name="上海华东置业有限公司",
        customer_name_en="Shanghai Huadong Properties",
        site_name="华东置业B座",
        site_address="上海市浦东新区世纪大道100号",
        site_timezone="Asia/Shanghai",
        device=("门禁控制器 Door controller 007", "C3-400", "SN4821"),
        fault_reported="门禁控制器离线，员工无法刷卡进入",
        fault_found="电源模块输出电压偏低导致控制器反复重启",
        cause_area="hardware",
        cause_origin="system_fault",
        work_performed=work or "更换24V电源模块，恢复控制器配置，逐门测试开门与报警联动",
        confirmed_with="王主管",
        sla_respond="met",
        sla_arrive="met",
        engineer_username="eng-wang",
        engineer_name="王工",
        arrived_at=datetime(2026, 11, 20, 7, 55, tzinfo=UTC),
        started_at=datetime(2026, 11, 20, 8, 10, tzinfo=UTC),
        finished_at=datetime(2026, 11, 20, 9, 20, tzinfo=UTC),
        backup=(
            BackupFact(
                "导出设备配置文件 (Export device configuration)",
                datetime(2026, 11, 20, 8, 5, tzinfo=UTC),
                "9f2c" * 16,
                kind="file",
                state=ItemState.DONE,
            ),
            BackupFact(
                "记录固件/软件版本 (Note firmware version)",
                datetime(2026, 11, 20, 8, 7, tzinfo=UTC),
                None,
                "V5.2.1",
                kind="text",
                state=ItemState.DONE,
            ),
            BackupFact(
                "检查备份介质可读 (Check the backup medium is readable)",
                None,
                None,
                kind="tick",
                required=False,
                state=ItemState.NOT_ANSWERED,
            ),
        ),
        parts=(PartFact("PSU-24V-5A", Decimal(1), True, Decimal("286.00"), "PS-0091", "PS-1173"),),
        quote_number="SO-202611-000137-Q1",
        quote=quote,
    )
    signers = [
        signature("李经理", SignerRole.CUSTOMER),
        signature("王工", SignerRole.ENGINEER, 1.3),
    ]
    content = slip_payload(
        facts,
        5,
        "响应及时，处理专业",
        [SignatureFact(SignerRole(x.role), x.name, AT, "0" * 64) for x in signers],
    )
    content["number"] = "SO-202611-000137-S1"
    signed = SlipDraft("7b6f2c1e-4a8d-4f0e-9c3b-2d5a6e8f9a01", "job-137", content).sign(AT)
    return render_slip(signed.content(), signed.sha256, signers, language)


def quote_sample(lines: int = 12, language: str = "zh_CN") -> bytes:
    parts = [
        QuoteLine(
            QuoteLineKind.PART,
            f"部件 {i} 网络摄像机安装支架",
            Decimal(1 + i % 3),
            Money.of("128.50", "CNY"),
            Decimal("0.13"),
            f"P-{i:03d}",
        )
        for i in range(lines)
    ]
    labour = QuoteLine(
        QuoteLineKind.LABOUR, "人工 Labour", Decimal("2.5"), Money.of("180", "CNY"), Decimal("0.06")
    )
    travel = QuoteLine(
        QuoteLineKind.TRAVEL, "差旅 Travel", Decimal(1), Money.of("120", "CNY"), Decimal("0.06")
    )
    items = (*parts, labour, travel)
    quote = Quote("q-1", "job-137", "CNY", date(2026, 12, 4), QuoteStatus.APPROVED, items, AT)
    header = QuoteHeader(
        "SO-202611-000137-Q1",
        "SO-202611-000137",
        "上海华东置业有限公司",
        "华东置业B座 上海市浦东新区世纪大道100号",
        date(2026, 11, 20),
        "李经理",
    )
    return render_quote(
        quote, header, signature("李经理", SignerRole.CUSTOMER), language, timezone="Asia/Shanghai"
    )


def inspection_sample(language: str = "zh_CN") -> bytes:
    checks = ["检查运行状态和告警", "清洁设备和散热口", "调试参数", "更换异常设备"]
    devices = [
        InspectedDevice(
            f"网络摄像机 IP camera {n:03d}",
            "DS-2CD2143G2",
            f"SN77{n:04d}",
            f"{1 + n % 6}F 弱电间",
            [
                InspectedItem(
                    c,
                    "✓" if i < 2 else ("增益 6dB" if i == 2 else ""),
                    i < 3,
                    "2026-11-20T09:00:00.000000Z",
                )
                for i, c in enumerate(checks)
            ],
        )
        for n in range(6)
    ]
    header = InspectionHeader(
        "SO-202611-000140-R",
        "北京瑞丰银行有限公司",
        "瑞丰银行主楼 北京市朝阳区建国路1号",
        "2026-Q4",
        "王工",
        "3号摄像机镜头起雾，已清洁；建议下季度更换防水罩",
    )
    return render_inspection(header, devices, language, timezone="Asia/Shanghai")


def write_pngs(folder: Path) -> list[Path]:
    """Render each document's first page to PNG with poppler's pdftoppm."""
    if shutil.which("pdftoppm") is None:
        raise SystemExit("pdftoppm not found: install poppler-utils")
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, data in (
        ("slip-zh", slip_sample()),
        ("slip-en", slip_sample("en")),
        ("quote-zh", quote_sample()),
        ("inspection-zh", inspection_sample()),
    ):
        pdf = folder / f"{name}.pdf"
        pdf.write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-r", "80", "-png", "-singlefile", str(pdf), str(folder / name)],
            check=True,
        )
        pdf.unlink()
        out.append(folder / f"{name}.png")
    return out


if __name__ == "__main__":
    for path in write_pngs(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/documents")):
        print(path)
