"""Slip PDFs checked with poppler: fonts embedded, Chinese extractable, signatures as vector
paths (no raster images), verification code present; verification catches tampering."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select, text

from fieldkit.domain.enums import SignerRole
from fieldkit.services import documents, slips
from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m
from tests.services.fixtures import seed_job, signature

for tool in ("pdffonts", "pdftotext", "pdfimages", "pdftoppm", "zbarimg"):
    if shutil.which(tool) is None:
        raise RuntimeError(f"{tool} missing: install poppler-utils and zbar-tools (.ci/run does)")


def run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def signed_slip(ctx: ServiceContext) -> str:
    seed_job(ctx, status="resolved")
    with ctx.db.write() as s:
        job = s.get(m.Job, "j1")
        assert job is not None
        job.resolution = "更换24V电源模块，恢复门禁控制器配置并测试开门"
        job.fault_found = "电源输出电压偏低导致控制器反复重启"
    changed = slips.sign_slip(
        ctx,
        "j1",
        signature(),
        signature(SignerRole.ENGINEER, "王工"),
        satisfaction=5,
        comments="响应及时，处理专业",
    )
    assert changed.entity_id is not None
    return changed.entity_id


def bezier_segments(path: Path) -> int:
    """Bézier segments in the page's path objects: only the signatures draw curves."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(path)
    count = 0
    for obj in doc[0].get_objects():
        if obj.type != raw.FPDF_PAGEOBJ_PATH:
            continue
        for i in range(raw.FPDFPath_CountSegments(obj.raw)):
            segment = raw.FPDFPath_GetPathSegment(obj.raw, i)
            count += raw.FPDFPathSegment_GetType(segment) == raw.FPDF_SEGMENT_BEZIERTO
    doc.close()
    return count


def pdf_file(ctx: ServiceContext, slip_id: str, where: Path) -> Path:
    sha = documents.slip_pdf(ctx, slip_id)
    path = where / "slip.pdf"
    path.write_bytes(ctx.blobs.read_bytes(sha))
    return path


def test_chinese_slip_embeds_fonts_and_extracts_text(
    ctx: ServiceContext, signed_slip: str, tmp_path: Path
) -> None:
    path = pdf_file(ctx, signed_slip, tmp_path)
    fonts = run("pdffonts", str(path)).splitlines()[2:]
    assert fonts, "no fonts listed"
    for line in fonts:
        assert " yes " in line.split("Identity-H")[-1] or line.split()[-4] == "yes", line
        assert "TrueType" in line
    words = run("pdftotext", "-enc", "UTF-8", str(path), "-")
    slip = slips.load_slip(ctx, signed_slip)
    for expected in (
        "服务单",
        "上海示例大厦物业",
        "更换24V电源模块",
        "响应及时",
        "验证码",
        slip.code,
        slip.sha256[:32],
    ):
        assert expected in words.replace("\n", ""), expected


def test_signatures_are_vector_paths_not_images(
    ctx: ServiceContext, signed_slip: str, tmp_path: Path
) -> None:
    path = pdf_file(ctx, signed_slip, tmp_path)
    images = run("pdfimages", "-list", str(path)).splitlines()[2:]
    assert images == []  # signatures and QR code are drawn, not embedded bitmaps
    assert bezier_segments(path) >= 2 * 25  # two signatures, each dozens of smooth curves
    run("pdftoppm", "-r", "60", "-png", "-singlefile", str(path), str(tmp_path / "page"))
    from PIL import Image

    page = Image.open(tmp_path / "page.png").convert("L")
    assert page.getextrema()[0] < 100  # ink on the page


def test_printed_qr_code_scans_to_slip_id_and_hash(
    ctx: ServiceContext, signed_slip: str, tmp_path: Path
) -> None:
    path = pdf_file(ctx, signed_slip, tmp_path)
    last = run("pdfinfo", str(path)).split("Pages:")[1].split()[0]  # the verification block
    run(
        "pdftoppm",
        "-r",
        "150",
        "-png",
        "-singlefile",
        "-f",
        last,
        "-l",
        last,
        str(path),
        str(tmp_path / "page"),
    )
    scanned = run(
        "zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(tmp_path / "page.png")
    )
    slip = slips.load_slip(ctx, signed_slip)
    assert scanned.strip() == f"FIELDKIT:SLIP:{signed_slip}:{slip.sha256}".upper()


def test_pdf_is_rendered_once_and_never_changes(ctx: ServiceContext, signed_slip: str) -> None:
    first = documents.slip_pdf(ctx, signed_slip)
    assert documents.slip_pdf(ctx, signed_slip) == first
    with ctx.db.read() as s:
        assert s.get(m.Slip, signed_slip).pdf_sha256 == first  # type: ignore[union-attr]


def test_verify_valid_modified_unknown(
    ctx: ServiceContext, signed_slip: str, tmp_path: Path
) -> None:
    path = pdf_file(ctx, signed_slip, tmp_path)
    assert documents.verify_pdf(ctx, path).verdict is documents.Verdict.VALID
    edited = tmp_path / "edited.pdf"
    edited.write_bytes(path.read_bytes().replace(b"/Producer", b"/Producex", 1))
    assert documents.verify_pdf(ctx, edited).verdict is documents.Verdict.MODIFIED
    # Flip one field of the stored slip behind the application's back.
    with ctx.db.write() as s:
        s.execute(text("DROP TRIGGER slips_no_update"))
        slip = s.scalars(select(m.Slip)).one()
        s.execute(
            text("UPDATE slips SET canonical = :c WHERE id = :i"),
            {"c": slip.canonical.replace('"satisfaction":5', '"satisfaction":1'), "i": slip.id},
        )
    assert documents.verify_pdf(ctx, path).verdict is documents.Verdict.MODIFIED
    blank = tmp_path / "blank.pdf"
    blank.write_bytes(b"%PDF-1.4 broken")
    assert documents.verify_pdf(ctx, blank).verdict is documents.Verdict.MODIFIED


def test_verify_command(ctx: ServiceContext, signed_slip: str, tmp_path: Path) -> None:
    from fieldkit.cli import main

    path = pdf_file(ctx, signed_slip, tmp_path)
    data_dir = ctx.db.path.parent
    assert main(["--data-dir", str(data_dir), "verify", str(path)]) == 0
    assert main(["--data-dir", str(tmp_path / "other"), "verify", str(path)]) == 1


def test_slip_carries_a_device_signature_and_unsigned_is_unknown_signer(
    ctx: ServiceContext, signed_slip: str, tmp_path: Path
) -> None:
    from fieldkit.services import device_key

    path = pdf_file(ctx, signed_slip, tmp_path)
    with ctx.db.read() as s:
        slip = s.get(m.Slip, signed_slip)
        assert slip is not None and slip.device_signature and slip.device_public_key
        assert device_key.verify(slip.device_public_key, slip.content_sha256, slip.device_signature)
    words = run("pdftotext", "-enc", "UTF-8", str(path), "-")
    assert device_key.fingerprint(slip.device_public_key) in words
    result = documents.verify_pdf(ctx, path)
    assert result.verdict is documents.Verdict.VALID
    assert device_key.fingerprint(slip.device_public_key) in result.detail
    with ctx.db.write() as s:  # a slip whose issuing device cannot be established
        s.execute(text("DROP TRIGGER slips_no_update"))
        s.execute(text("UPDATE slips SET device_signature = NULL"))
    assert documents.verify_pdf(ctx, path).verdict is documents.Verdict.UNKNOWN
