"""Every slip ever signed renders and verifies: the demo data set (as the app and the center
make it) and the committed data files of older releases, whatever their payload version."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from fieldkit.demo.generator import DemoSize, build_demo, generate
from fieldkit.domain.clock import FixedClock
from fieldkit.domain.slip import SignedSlip
from fieldkit.domain.slip_payload import SCHEMA_V1, SCHEMA_V2
from fieldkit.reports.layout import SignatureImage
from fieldkit.reports.slip_pdf import render_slip
from fieldkit.services import device_key, documents
from fieldkit.services.context import ServiceContext, open_context
from fieldkit.store import DATA_FILE
from fieldkit.store import models as m
from fieldkit.store.blobs import BlobStore

DATA = Path(__file__).parents[1] / "data" / "db"
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def render_and_verify_all(ctx: ServiceContext, tmp: Path) -> dict[str, list[str]]:
    """Render each slip as the viewer does, check it as `fieldkit verify` does; the slip
    numbers per verdict."""
    with ctx.db.read() as s:
        rows = [(r.id, r.number) for r in s.scalars(select(m.Slip))]
    verdicts: dict[str, list[str]] = {}
    for slip_id, number in rows:
        target = tmp / f"{number}.pdf"
        target.write_bytes(ctx.blobs.read_bytes(documents.slip_pdf(ctx, slip_id)))
        assert number in pdf_text(target)
        result = documents.verify_pdf(ctx, target)
        verdicts.setdefault(result.verdict.value, []).append(number)
    return verdicts


def test_every_slip_of_the_demo_data_set_renders_and_verifies(tmp_path: Path) -> None:
    ctx = open_context(tmp_path / "data", "demo", FixedClock(NOW))
    try:
        generate(ctx.db, ctx.blobs, DemoSize(), now=NOW)  # what `make run` writes
        verdicts = render_and_verify_all(ctx, tmp_path)
        with ctx.db.read() as s:
            schemas = {json.loads(c)["schema"] for c in s.scalars(select(m.Slip.canonical))}
    finally:
        ctx.db.close()
    assert schemas == {SCHEMA_V2}
    assert set(verdicts) == {"valid"} and len(verdicts["valid"]) == 38


def test_every_slip_the_demo_center_holds_renders_and_verifies(tmp_path: Path) -> None:
    """The center's demo (several engineers, rows written to its own tables)."""
    rows, _summary = build_demo(
        BlobStore(tmp_path / "blobs"), DemoSize(jobs=120), engineers=("wang", "li"), now=NOW
    )
    signatures = {r["id"]: r for r in rows[m.Signature]}
    slips = rows[m.Slip]
    assert len(slips) == 19
    for row in slips:
        slip = SignedSlip(
            row["id"], row["job_id"], row["canonical"], row["content_sha256"], row["signed_at"]
        )
        assert slip.verify()
        assert device_key.verify(row["device_public_key"], slip.sha256, row["device_signature"])
        images = [
            SignatureImage(
                sig["role"],
                sig["signer_name"],
                sig["signed_at"].isoformat(),
                sig["canvas_width"],
                sig["canvas_height"],
                sig["strokes"],
            )
            for sig in (
                signatures[row["customer_signature_id"]],
                signatures[row["engineer_signature_id"]],
            )
        ]
        pdf = tmp_path / "slip.pdf"
        pdf.write_bytes(render_slip(slip.content(), slip.sha256, images, "zh_CN"))
        text = pdf_text(pdf)
        assert row["number"] in text and "+08:00" in text


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.db")))
def test_every_slip_in_an_old_data_file_renders_and_verifies(tmp_path: Path, name: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(DATA / name, data / DATA_FILE)
    ctx = open_context(data, "eng-wang", FixedClock(NOW))
    try:
        with ctx.db.read() as s:
            schemas = {json.loads(c)["schema"] for c in s.scalars(select(m.Slip.canonical))}
        verdicts = render_and_verify_all(ctx, tmp_path)
    finally:
        ctx.db.close()
    assert schemas <= {SCHEMA_V1}
    # Nothing altered; slips issued without a device key are reported as of unknown signer.
    assert "modified" not in verdicts
    if name == "fieldkit-0006-slips.db":  # the app's slips and the early demo's own shape
        assert len(verdicts["valid"]) == 3 and len(verdicts["unknown"]) == 7
