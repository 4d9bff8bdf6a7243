from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from fieldkit.domain.clock import FixedClock
from fieldkit.domain.enums import CauseArea, CauseOrigin, QuoteLineKind, SignerRole
from fieldkit.domain.errors import GuardFailed, IllegalTransition, InvalidValue, QuoteLocked
from fieldkit.domain.signature import SignatureCapture
from fieldkit.domain.slip import SignedSlip
from fieldkit.services import checklists, jobs, quotes, slips
from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m

from .fixtures import seed_job, signature


def outbox(ctx: ServiceContext) -> list[m.OutboxMutation]:
    with ctx.db.read() as s:
        return list(s.scalars(select(m.OutboxMutation).order_by(m.OutboxMutation.seq)))


def status(ctx: ServiceContext, job_id: str = "j1") -> str:
    with ctx.db.read() as s:
        job = s.get(m.Job, job_id)
        assert job is not None
        return job.status


def do_backup(ctx: ServiceContext, tmp_path: Path, skip: int = 0) -> None:
    view = checklists.backup_checklist(ctx, "j1")
    assert view is not None
    backup_file = tmp_path / "config-export.txt"
    backup_file.write_text("hostname=ctrl-1\n")
    photo = tmp_path / "wiring.jpg"
    photo.write_bytes(b"\xff\xd8\xff fake jpeg bytes")
    for item in view.items[: len(view.items) - skip]:
        kind = item.evidence_kind.value
        if kind == "file":
            checklists.record_evidence(ctx, item.id, file=backup_file)
        elif kind == "photo":
            checklists.record_evidence(ctx, item.id, file=photo)
        elif kind == "text":
            checklists.record_evidence(ctx, item.id, text="V5.2.1")
        else:
            checklists.record_evidence(ctx, item.id, ticked=True)


def reach_diagnosing(ctx: ServiceContext) -> None:
    jobs.accept_job(ctx, "j1")
    jobs.depart(ctx, "j1")
    jobs.record_arrival(ctx, "j1", confirmed_with="王主管")
    jobs.start_diagnosis(ctx, "j1")


def test_whole_post_warranty_job_with_gates_refusing_early(
    ctx: ServiceContext, tmp_path: Path, clock: FixedClock
) -> None:
    seed_job(ctx, paid=True)
    with pytest.raises(IllegalTransition):
        jobs.start_repair(ctx, "j1")
    reach_diagnosing(ctx)
    with pytest.raises(GuardFailed, match="classify the cause"):
        jobs.confirm_backup(ctx, "j1")
    jobs.classify_cause(ctx, "j1", CauseArea.HARDWARE, CauseOrigin.SYSTEM_FAULT, "PSU 输出偏低")
    do_backup(ctx, tmp_path, skip=2)
    with pytest.raises(GuardFailed, match="Back up first: 2 of 4 backup items missing"):
        jobs.confirm_backup(ctx, "j1")
    do_backup(ctx, tmp_path)
    jobs.confirm_backup(ctx, "j1")
    jobs.start_repair(ctx, "j1")
    # Paid part: refused until the customer approves a quote containing it.
    with pytest.raises(GuardFailed, match="must approve a quote"):
        quotes.record_part_replacement(ctx, "j1", "PSU-24V", 1)
    qid = quotes.create_quote(ctx, "j1").entity_id
    assert qid is not None
    quotes.add_quote_line(ctx, qid, QuoteLineKind.PART, 1, part_no="PSU-24V")
    quotes.add_quote_line(
        ctx,
        qid,
        QuoteLineKind.LABOUR,
        "1.5",
        description="人工 Labour",
        unit_price="180",
        tax_rate="0.06",
    )
    with pytest.raises(GuardFailed, match="must approve a quote"):
        quotes.record_part_replacement(ctx, "j1", "PSU-24V", 1)
    with pytest.raises(InvalidValue, match="too short"):
        quotes.record_customer_approval(
            ctx,
            qid,
            SignatureCapture(SignerRole.CUSTOMER, "李经理", 600, 240, (((10.0, 10.0, 0.5, 0.0),),)),
        )
    quotes.record_customer_approval(ctx, qid, signature())
    with pytest.raises(QuoteLocked):
        quotes.add_quote_line(ctx, qid, QuoteLineKind.PART, 1, part_no="PSU-24V")
    quotes.record_part_replacement(ctx, "j1", "PSU-24V", 1, "OLD-1", "NEW-1")
    with pytest.raises(GuardFailed, match="exceed"):
        quotes.record_part_replacement(ctx, "j1", "PSU-24V", 1)
    jobs.resolve(ctx, "j1", "更换电源，恢复配置 Replaced PSU, restored config")
    with pytest.raises(InvalidValue, match="satisfaction"):
        slips.sign_slip(ctx, "j1", signature(), None, satisfaction=6)
    with pytest.raises(InvalidValue, match="engineer signs"):
        slips.sign_slip(ctx, "j1", signature(), None, satisfaction=5)
    changed = slips.sign_slip(
        ctx,
        "j1",
        signature(),
        signature(SignerRole.ENGINEER, "王工"),
        satisfaction=5,
        comments="响应很快",
    )
    assert status(ctx) == "signed"
    slip = slips.load_slip(ctx, changed.entity_id or "")
    assert slip.verify()
    content = slip.content()
    assert content["parts"][0]["unit_price"] == "286.00"
    assert [b["sha256"] is not None for b in content["backup"]] == [True, True, False, False]
    assert content["sla"] == {"respond": "met", "arrive": "met"}
    # The engineer, the work log's times and the approved quote's charges are what was signed.
    assert content["schema"] == "fieldkit.slip/2" and content["engineer"]["name"] == "王工"
    assert content["site"]["timezone"] == "Asia/Shanghai"
    assert all(content["times"][k] for k in ("arrived", "started", "finished"))
    charges = content["charges"]
    assert charges["currency"] == "CNY" and charges["quote"].endswith("-Q1")
    assert charges["total"] == str(Decimal(charges["subtotal"]) + Decimal(charges["tax"]))
    names = [o.name for o in outbox(ctx)]
    assert names.count("job.transition.v1") == 8
    assert "quote.approve.v1" in names and "slip.sign.v1" in names
    seqs = [o.seq for o in outbox(ctx)]
    assert seqs == list(range(1, len(seqs) + 1))  # per-device seq, gapless
    with ctx.db.read() as s:
        audits = s.scalar(select(func.count()).select_from(m.AuditEntry))
        assert audits == len(seqs)  # one audit entry per change
        assert s.scalar(select(func.count()).select_from(m.WorkLogEntry)) == 5


def test_signed_slip_is_frozen_in_the_database_and_corrected_by_supersession(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    seed_job(ctx, status="resolved")
    engineer = signature(SignerRole.ENGINEER, "王工")
    first = slips.sign_slip(ctx, "j1", signature(), engineer, satisfaction=4).entity_id
    with pytest.raises(Exception, match="immutable"), ctx.db.write() as s:
        s.execute(text("UPDATE slips SET canonical = '{}' WHERE id = :i"), {"i": first})
    with pytest.raises(Exception, match="immutable"), ctx.db.write() as s:
        s.execute(text("DELETE FROM slips WHERE id = :i"), {"i": first})
    with ctx.db.write() as s:  # the PDF hash may be attached once, nothing else
        s.execute(
            text("UPDATE slips SET pdf_sha256 = :h WHERE id = :i"), {"h": "a" * 64, "i": first}
        )
    second = slips.sign_slip(
        ctx, "j1", signature(), engineer, satisfaction=5, comments="更正满意度", supersedes_id=first
    ).entity_id
    old, new = slips.load_slip(ctx, first or ""), slips.load_slip(ctx, second or "")
    assert isinstance(old, SignedSlip) and old.verify() and new.verify()
    assert new.supersedes_id == first and new.content()["number"].endswith("-S2")


def test_outbox_and_change_roll_back_together(ctx: ServiceContext) -> None:
    seed_job(ctx)
    with ctx.db.write() as s:  # a constraint that makes the audit insert fail mid-transaction
        s.execute(
            text(
                "CREATE TRIGGER boom BEFORE INSERT ON audit_log BEGIN "
                "SELECT RAISE(ABORT, 'disk says no'); END"
            )
        )
    with pytest.raises(Exception, match="disk says no"):
        jobs.accept_job(ctx, "j1")
    assert status(ctx) == "assigned"
    assert outbox(ctx) == []
    with ctx.db.read() as s:
        assert s.scalar(select(m.LocalDevice.next_seq)) == 1
        assert s.scalar(select(func.count()).select_from(m.WorkLogEntry)) == 0
    with ctx.db.write() as s:
        s.execute(text("DROP TRIGGER boom"))
    jobs.accept_job(ctx, "j1")
    assert [o.seq for o in outbox(ctx)] == [1]


def test_guard_failure_writes_nothing(ctx: ServiceContext) -> None:
    seed_job(ctx, status="backed_up")
    with pytest.raises(GuardFailed, match="Back up first: 4 of 4 backup items missing"):
        jobs.start_repair(ctx, "j1")
    assert outbox(ctx) == []


def test_remote_job_and_escalation(ctx: ServiceContext) -> None:
    seed_job(ctx, job_type="remote_resolution")
    jobs.accept_job(ctx, "j1")
    with pytest.raises(IllegalTransition):
        jobs.depart(ctx, "j1")
    jobs.start_diagnosis(ctx, "j1")
    with pytest.raises(GuardFailed, match="what the center needs to know"):
        jobs.escalate(ctx, "j1", "需要上门", "")
    jobs.escalate(ctx, "j1", "需要上门 needs a site visit", "通话记录 call log; 截图 screenshots")
    assert status(ctx) == "escalated"
    with ctx.db.read() as s:
        esc = s.scalars(select(m.Escalation)).one()
        assert esc.by == "eng-wang" and "call log" in esc.findings
    mutation = outbox(ctx)[-1]
    assert mutation.args["action"] == "escalate" and mutation.base_version is not None


def test_evidence_rules(ctx: ServiceContext, tmp_path: Path) -> None:
    seed_job(ctx)
    jobs.accept_job(ctx, "j1")
    view = checklists.backup_checklist(ctx, "j1")
    assert view is not None and view.progress.total == 4
    file_item = view.items[0]
    with pytest.raises(GuardFailed, match="on site"):
        checklists.record_evidence(ctx, file_item.id, file=tmp_path)
    jobs.depart(ctx, "j1")
    jobs.record_arrival(ctx, "j1", "王主管")
    with pytest.raises(InvalidValue, match="not a readable file"):
        checklists.record_evidence(ctx, file_item.id, file=tmp_path / "missing.cfg")
    with pytest.raises(InvalidValue, match="attached backup file"):
        checklists.record_evidence(ctx, file_item.id, text="I did it")
    empty = tmp_path / "empty.cfg"
    empty.write_bytes(b"")
    changed = checklists.record_evidence(ctx, file_item.id, file=empty)
    mutation = outbox(ctx)[-1]
    assert mutation.blob_refs == [mutation.args["blob_sha256"]]
    assert ctx.blobs.has(mutation.args["blob_sha256"])
    assert changed.kinds == frozenset({"checklist", "outbox"})


def test_signature_keeps_vectors_and_a_png_thumbnail(ctx: ServiceContext) -> None:
    seed_job(ctx, status="resolved")
    slip_id = slips.sign_slip(
        ctx, "j1", signature(), signature(SignerRole.ENGINEER, "王工"), satisfaction=4
    ).entity_id
    with ctx.db.read() as s:
        slip = s.get(m.Slip, slip_id)
        assert slip is not None
        sig = s.get(m.Signature, slip.customer_signature_id)
        assert sig is not None and len(sig.strokes[0]) == 30
        assert sig.thumbnail_sha256 is not None
    png = ctx.blobs.read_bytes(sig.thumbnail_sha256)
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(png))
    assert image.size == (240, 96) and image.convert("L").getextrema()[0] < 100  # ink drawn
