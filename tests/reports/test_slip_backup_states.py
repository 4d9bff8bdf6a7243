"""Each backup item's outcome on the slip, read back with poppler: a ticked box, a box ticked
and then withdrawn, and an optional item nobody answered are three different things, in
English and Chinese; the lock pause counts the items as the workspace does."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fieldkit.domain.checklist import ItemState
from fieldkit.domain.enums import SignerRole
from fieldkit.domain.slip_payload import DECLINED, backup_progress
from fieldkit.services import checklists, documents, jobs, slips
from fieldkit.services.context import ServiceContext
from fieldkit.services.slip_summary import content_to_sign
from fieldkit.store import models as m
from tests.services.fixtures import seed_job, signature
from tests.support.flow import arrive_and_diagnose

READABLE = "Medium readable (checked)"
LABELLED = "Spare medium labelled"


def optional_items_job(ctx: ServiceContext, folder: Path) -> str:
    """A resolved job whose backup has every required item done, one optional tick left
    unanswered and one optional tick ticked and then withdrawn."""
    seed_job(ctx)
    with ctx.db.write() as s:
        for pos, label in ((5, READABLE), (6, LABELLED)):
            s.add(
                m.ChecklistRunItem(
                    run_id="run-j1",
                    position=pos,
                    label=label,
                    evidence_kind="tick",
                    required=False,
                )
            )
    arrive_and_diagnose(ctx, "j1")
    view = checklists.backup_checklist(ctx, "j1")
    assert view is not None
    for item in view.items:
        kind = item.evidence_kind.value
        if item.label == READABLE:
            continue
        if item.label == LABELLED:
            checklists.record_evidence(ctx, item.id, ticked=True)
            checklists.record_evidence(ctx, item.id, ticked=False)  # ticked by mistake
            continue
        path = None
        if kind in ("file", "photo"):
            path = folder / f"{item.id}.bin"
            path.write_bytes(b"config" + item.id.encode())
        checklists.record_evidence(
            ctx, item.id, ticked=kind == "tick", text="V5.2" if kind == "text" else "", file=path
        )
    jobs.confirm_backup(ctx, "j1")
    jobs.start_repair(ctx, "j1")
    jobs.resolve(ctx, "j1", "更换电源")
    return "j1"


def text_of(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def row(text: str, label: str) -> str:
    """The first printed line of the item's row (a long label wraps; its result does not)."""
    lines = [line for line in text.splitlines() if label.split()[0] in line.split()[:1]]
    assert len(lines) == 1, (label, lines)
    return lines[0]


@pytest.mark.parametrize(
    "language, done, not_done, optional",
    [
        ("en", "Done", "Not done", "Not answered (optional)"),
        ("zh_CN", "已完成", "未完成", "未填写（可选）"),
    ],
)
def test_slip_tells_ticked_withdrawn_and_unanswered_apart(
    ctx: ServiceContext, tmp_path: Path, language: str, done: str, not_done: str, optional: str
) -> None:
    job = optional_items_job(ctx, tmp_path)
    with ctx.db.write() as s:
        customer = s.get(m.Customer, "c1")
        assert customer is not None
        customer.language = language
    slip_id = slips.sign_slip(
        ctx, job, signature(), signature(SignerRole.ENGINEER, "王建国"), satisfaction=4
    ).entity_id
    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(ctx.blobs.read_bytes(documents.slip_pdf(ctx, slip_id or "")))
    text = text_of(pdf)
    assert done in row(text, "Owner agreed to downtime")
    assert not_done in row(text, LABELLED) and done not in row(text, LABELLED).replace(not_done, "")
    assert optional in row(text, READABLE)
    assert done in row(text, "Firmware version") and "V5.2" in row(text, "Firmware version")


def test_lock_pause_counts_as_the_workspace(ctx: ServiceContext, tmp_path: Path) -> None:
    job = optional_items_job(ctx, tmp_path)
    content = content_to_sign(ctx, job, 4, "")
    states = {b["item"]: b["state"] for b in content["backup"]}
    assert states[READABLE] == ItemState.NOT_ANSWERED
    assert states[LABELLED] == ItemState.NOT_DONE
    view = checklists.backup_checklist(ctx, job)
    assert view is not None
    assert backup_progress(content["backup"]) == view.progress


def test_declined_rating_is_said_on_the_slip(ctx: ServiceContext, tmp_path: Path) -> None:
    job = optional_items_job(ctx, tmp_path)
    with ctx.db.write() as s:
        customer = s.get(m.Customer, "c1")
        assert customer is not None
        customer.language = "en"
    slip_id = slips.sign_slip(
        ctx, job, signature(), signature(SignerRole.ENGINEER, "王建国"), satisfaction=DECLINED
    ).entity_id
    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(ctx.blobs.read_bytes(documents.slip_pdf(ctx, slip_id or "")))
    after = text_of(pdf).split("Customer satisfaction")[1]
    assert after.split()[:3] == ["Declined", "to", "rate"] and "/5" not in after
