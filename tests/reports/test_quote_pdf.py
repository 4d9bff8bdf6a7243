"""Quote PDFs: a 200-line parts list paginates with repeated headers and totals at the end;
long Chinese text wraps inside its cell; the approval signature appears once approved."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from pathlib import Path

from fieldkit.domain.enums import QuoteLineKind
from fieldkit.services import documents, quotes
from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m
from tests.services.fixtures import seed_job, signature

LONG = "防水型室外网络摄像机安装支架及配套防雷浪涌保护器（含接地线、不锈钢抱箍与密封胶条）" * 2


def run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def make_quote(ctx: ServiceContext, lines: int) -> str:
    seed_job(ctx, paid=True)
    with ctx.db.write() as s:
        customer = s.get(m.Customer, "c1")
        assert customer is not None
        customer.language = "zh"
        for i in range(lines):
            s.add(
                m.Part(
                    part_no=f"P-{i:03d}",
                    name=f"部件 {i}",
                    unit_price=Decimal("12.345"),
                    tax_rate=Decimal("0.13"),
                )
            )
    qid = quotes.create_quote(ctx, "j1").entity_id
    assert qid is not None
    for i in range(lines):
        quotes.add_quote_line(
            ctx,
            qid,
            QuoteLineKind.PART,
            1 + i % 3,
            part_no=f"P-{i:03d}",
            description=LONG if i == 5 else "",
        )
    quotes.add_quote_line(
        ctx,
        qid,
        QuoteLineKind.LABOUR,
        "2.5",
        description="人工 Labour",
        unit_price="180",
        tax_rate="0.06",
    )
    return qid


def pdf(ctx: ServiceContext, qid: str, where: Path) -> Path:
    path = where / "quote.pdf"
    path.write_bytes(ctx.blobs.read_bytes(documents.quote_pdf(ctx, qid)))
    return path


def test_long_quote_paginates_with_headers_and_totals_last(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    qid = make_quote(ctx, 200)
    path = pdf(ctx, qid, tmp_path)
    pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(path))).group(1))  # type: ignore[union-attr]
    assert pages >= 4
    texts = [
        run("pdftotext", "-enc", "UTF-8", "-f", str(n), "-l", str(n), str(path), "-")
        for n in range(1, pages + 1)
    ]
    for text in texts:
        assert "料号" in text and "单价" in text  # header row repeated on every page
    assert all("合计" not in t for t in texts[:-1]) and "合计" in texts[-1]
    from fieldkit.services.records import to_domain_quote

    with ctx.db.read() as s:
        total = to_domain_quote(s, s.get(m.Quote, qid)).totals().total.amount  # type: ignore[arg-type]
    assert f"{total:,.2f}" in texts[-1]
    for line in run("pdffonts", str(path)).splitlines()[2:]:
        assert "TrueType" in line and " yes yes " in line


def test_long_chinese_text_wraps_inside_its_cell(ctx: ServiceContext, tmp_path: Path) -> None:
    qid = make_quote(ctx, 8)
    path = pdf(ctx, qid, tmp_path)
    flat = run("pdftotext", "-enc", "UTF-8", str(path), "-").replace("\n", "")
    assert LONG in flat  # nothing clipped
    bbox = run("pdftotext", "-enc", "UTF-8", "-bbox", str(path), "-")
    page_width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))  # type: ignore[union-attr]
    right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', bbox)]
    assert max(right_edges) <= page_width - 50  # inside the 20 mm right margin: no overflow


def test_approved_quote_carries_the_signature(ctx: ServiceContext, tmp_path: Path) -> None:
    qid = make_quote(ctx, 3)
    before = run("pdftotext", "-enc", "UTF-8", str(pdf(ctx, qid, tmp_path)), "-")
    assert "待客户确认" in before
    quotes.record_customer_approval(ctx, qid, signature())
    after = run("pdftotext", "-enc", "UTF-8", str(pdf(ctx, qid, tmp_path)), "-")
    assert "客户已确认" in after and "李经理" in after
    assert run("pdfimages", "-list", str(tmp_path / "quote.pdf")).splitlines()[2:] == []


def test_a_withdrawn_quote_says_so_with_the_reason(ctx: ServiceContext, tmp_path: Path) -> None:
    qid = make_quote(ctx, 2)
    quotes.withdraw_quote(ctx, qid, "路费重复 travel twice")
    text = run("pdftotext", "-enc", "UTF-8", str(pdf(ctx, qid, tmp_path)), "-")
    assert "已撤回：未提供给客户" in text and "路费重复 travel twice" in text
    assert "客户确认" not in text  # no empty approval box on a withdrawn quote
