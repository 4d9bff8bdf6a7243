"""The attacks of the security review (December 2026), each as the review describes it,
against an in-process center: what a hostile or buggy device sends, and what must happen."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from fieldkit.domain.checklist import Evidence
from fieldkit.domain.enums import EvidenceKind, QuoteLineKind, SignerRole
from fieldkit.domain.errors import InvalidValue
from fieldkit.protocol.mutations import (
    ChecklistAnswerV1,
    PartReplaceV1,
    QuoteCreateV1,
    WorklogAddV1,
)
from fieldkit.server import tables as t
from fieldkit.services import device_key, jobs, quotes, slips
from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m
from fieldkit.store.blobs import BlobError, BlobStore
from tests.server.center import Center
from tests.server.hostile import Field, Rogue, signature, two_engineers
from tests.services.fixtures import signature as capture

LI_SHA = hashlib.sha256(b"LI PRIVATE EVIDENCE").hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


def item(ctx: ServiceContext, kind: str, job_id: str = "j1") -> str:
    with ctx.db.read() as s:
        return str(
            s.scalars(
                select(m.ChecklistRunItem.id)
                .join(m.ChecklistRun, m.ChecklistRun.id == m.ChecklistRunItem.run_id)
                .where(m.ChecklistRunItem.evidence_kind == kind, m.ChecklistRun.job_id == job_id)
            ).one()
        )


def note(f: Field, text: str = "later work", at: datetime | None = None) -> WorklogAddV1:
    return WorklogAddV1(id=f"n-{text[:8]}-{now().timestamp()}", at=at or now(), note=text)


def last_seq(center: Center, device_id: str) -> int:
    return int(center.rows("client_devices", device_id=device_id)[0]["last_seq"])


# -- H5 --------------------------------------------------------------------------------------
def test_h5_squatted_slip_number_does_not_wedge_victim(ctx: ServiceContext, center: Center) -> None:
    f = two_engineers(ctx, center, j1="resolved", j2="resolved")
    # li files slip and quote numbers of wang's job under her own job.
    squat = f.li.slip(slip_id="s-squat", job_id="j2", number="SO-j1-S1")
    assert center.send(f.li.who, squat, "s-squat").code == "slip.number"
    quote = QuoteCreateV1(
        id="q-squat", job_id="j2", number="SO-j1-Q1", valid_until=now().date(), created_at=now()
    )
    assert center.send(f.li.who, quote, "q-squat").status == "applied"
    assert center.rows("quotes", id="q-squat")[0]["number"] == "SO-j2-Q1"  # issued by the center
    # wang's quote (SO-j1-Q1), his signed slip (SO-j1-S1) and a later note all go through
    # (the quote first: a job whose slip is signed takes no new quote).
    quotes.create_quote(ctx, "j1")
    slips.sign_slip(ctx, "j1", capture(), capture(SignerRole.ENGINEER, "王工"), 5)
    jobs.add_note(ctx, "j1", "after the slip")
    results = center.push_outbox(f.wang, ctx)
    assert [r.status for r in results] == ["applied"] * 4, [r.reason for r in results]
    assert [r["number"] for r in center.rows("slips", job_id="j1")] == ["SO-j1-S1"]
    assert [r["number"] for r in center.rows("quotes", job_id="j1")] == ["SO-j1-Q1"]
    assert last_seq(center, f.wang.device_id) == 4


def test_h5_quote_number_taken_in_the_job_is_reissued_and_sent_back(
    ctx: ServiceContext, center: Center
) -> None:
    f = two_engineers(ctx, center)
    first = QuoteCreateV1(
        id="q-a", job_id="j1", number="SO-j1-Q1", valid_until=now().date(), created_at=now()
    )
    second = first.model_copy(update={"id": "q-b"})  # a second tablet of wang's, same number
    assert center.send(f.wang, first, "q-a").status == "applied"
    assert center.send(f.wang, second, "q-b").status == "applied"
    assert center.rows("quotes", id="q-b")[0]["number"] == "SO-j1-Q2"
    sent = [c for c in center.change_log("eng-wang") if c["entity_id"] == "q-b"]
    assert sent and sent[-1]["data"]["number"] == "SO-j1-Q2"  # the app shows the final number


def test_h5_slip_number_taken_in_the_job_is_reissued_and_sent_back(
    ctx: ServiceContext, center: Center
) -> None:
    f = two_engineers(ctx, center, j1="resolved", j2="resolved")
    first = f.li.slip(slip_id="s-a", job_id="j2", number="SO-j2-S1")
    assert center.send(f.li.who, first, "s-a").status == "applied"
    center.set("jobs", "j2", status="signed")
    # A correction numbered like the slip it corrects (a second tablet's count).
    again = f.li.slip(
        slip_id="s-b", job_id="j2", number="SO-j2-S1", supersedes="s-a", signature_id="sig-b"
    )
    result = center.send(f.li.who, again, "s-b")
    assert result.status == "applied", result.reason
    assert center.rows("slips", id="s-b")[0]["number"] == "SO-j2-S2"
    sent = [c for c in center.change_log("li") if c["entity_id"] == "s-b"]
    assert sent and sent[-1]["data"]["number"] == "SO-j2-S2"
    # Out of another job's numbers it is still refused, and nothing is filed.
    foreign = f.li.slip(
        slip_id="s-c", job_id="j2", number="SO-j1-S7", supersedes="s-a", signature_id="sig-c"
    )
    assert center.send(f.li.who, foreign, "s-c").code == "slip.number"
    assert center.rows("slips", id="s-c") == []


# -- M1 --------------------------------------------------------------------------------------
def test_m1_foreign_slip_id_discloses_nothing(ctx: ServiceContext, center: Center) -> None:
    f = two_engineers(ctx, center, j1="resolved", j2="resolved")
    lis = f.li.slip(slip_id="li-slip", job_id="j2", number="SO-j2-S1", comments="李经理")
    assert center.send(f.li.who, lis, "li-slip").status == "applied"
    before = len(center.change_log("eng-wang"))
    # wang signs a dummy slip of his own job under li's slip id.
    slips.sign_slip(ctx, "j1", capture(), capture(SignerRole.ENGINEER, "王工"), 5)
    with ctx.db.read() as s:
        row = s.scalars(
            select(m.OutboxMutation).where(m.OutboxMutation.name == "slip.sign.v1")
        ).one()
    args = dict(row.args)
    result = center.send(f.wang, ("slip.sign.v1", {**args, "slip_id": "li-slip"}), "li-slip")
    assert result.status == "rejected"
    leaked = [c for c in center.change_log("eng-wang")[before:] if c["entity_type"] == "slips"]
    assert leaked == []
    conflict = center.rows("conflicts", engineer="eng-wang")[-1]
    assert conflict["server_value"] is None


# -- M2 --------------------------------------------------------------------------------------
def test_m2a_foreign_blob_reference_is_refused(ctx: ServiceContext, center: Center) -> None:
    f = two_engineers(ctx, center, j1="on_site", j2="on_site")
    center.blob(LI_SHA, "li")
    li_photo = ChecklistAnswerV1(
        answer_id="li-a",
        run_item_id=item(ctx, "photo", "j2"),
        kind="photo",
        at=now(),
        blob_sha256=LI_SHA,
    )
    assert center.send(f.li.who, li_photo, li_photo.run_item_id).status == "applied"
    # wang answers a text item of his own job, naming li's hash.
    steal = ChecklistAnswerV1(
        answer_id="w-a",
        run_item_id=item(ctx, "text", "j1"),
        kind="text",
        text="see file",
        at=now(),
        blob_sha256=LI_SHA,
        attachment_id="w-att",
    )
    result = center.send(f.wang, steal, steal.run_item_id)
    assert (result.status, result.code) == ("rejected", "blob.foreign")
    assert center.rows("attachments", id="w-att") == []


def test_m2a_blob_status_is_no_oracle(ctx: ServiceContext, center: Center, tmp_path) -> None:
    from fastapi.testclient import TestClient

    from fieldkit.server.app import create_app
    from fieldkit.server.settings import ServerSettings

    f = two_engineers(ctx, center)
    center.blob(LI_SHA, "li")
    (tmp_path / "blobs").mkdir()
    BlobStore(tmp_path / "blobs").put_bytes(b"LI PRIVATE EVIDENCE")
    token = center.token(f.wang)
    app = create_app(ServerSettings(tmp_path, str(center.engine.url)), center.engine)
    with TestClient(app) as http:
        reply = http.get(f"/blobs/{LI_SHA}/status", headers={"Authorization": f"Bearer {token}"})
        unknown = http.get(
            f"/blobs/{'0' * 64}/status", headers={"Authorization": f"Bearer {token}"}
        )
    assert reply.status_code == 200
    assert {k: v for k, v in reply.json().items() if k != "sha256"} == {
        k: v for k, v in unknown.json().items() if k != "sha256"
    }
    assert reply.json()["complete"] is False


def test_m2b_foreign_signature_cannot_approve_quote(ctx: ServiceContext, center: Center) -> None:
    f = two_engineers(ctx, center, j1="repairing", paid=True)
    with center.engine.begin() as conn:  # li's customer signed one of her slips
        sig = signature("li-customer-sig", "李经理")
        conn.execute(
            t.ENTITY["signatures"]
            .insert()
            .values(**{**sig, "signed_at": now(), "thumbnail_sha256": None})
        )
    quote = quotes.create_quote(ctx, "j1").entity_id
    assert quote is not None
    quotes.add_quote_line(ctx, quote, QuoteLineKind.PART, 5, part_no="PSU-24V")
    assert {r.status for r in center.push_outbox(f.wang, ctx)} == {"applied"}
    approve = {
        "signature": sig,
        "signature_id": sig["id"],
        "signer_name": "李经理",
        "at": now().isoformat(),
    }
    result = center.send(f.wang, ("quote.approve.v1", approve), quote, 2, entity_type="quote")
    assert (result.status, result.code) == ("rejected", "signature.reused")
    part = PartReplaceV1(id="r1", part_no="PSU-24V", quantity=5, at=now())
    assert center.send(f.wang, part, "j1").code == "part.rule"
    shared = [c for c in center.change_log("eng-wang") if c["entity_id"] == "li-customer-sig"]
    assert shared == []


# -- M3 --------------------------------------------------------------------------------------
def test_m3_former_assignee_cannot_sign_or_write_after_reassignment(
    ctx: ServiceContext, center: Center
) -> None:
    f = two_engineers(ctx, center)
    reassigned = now() - timedelta(hours=1)
    center.assign("j1", "li", reassigned)
    center.set("jobs", "j1", status="resolved")  # li finished the repair
    # wang pushes a slip he signed himself with his device's key, dated before the change.
    wang = Rogue(f.wang, device_key.private_key(ctx))
    forged = wang.slip(slip_id="s-old", job_id="j1", number="SO-j1-S1")
    forged[1]["signed_at"] = (reassigned - timedelta(days=7)).isoformat()
    result = center.send(f.wang, forged, "s-old")
    assert (result.status, result.code) == ("rejected", "job.reassigned")
    assert center.rows("slips", job_id="j1") == []
    kept = [c for c in center.rows("conflicts", engineer="eng-wang") if c["job_id"] == "j1"]
    assert kept and kept[0]["kind"] == "rejected"  # for the office to review
    late = note(f, "after", reassigned + timedelta(minutes=5))
    assert center.send(f.wang, late, "j1").code == "job.reassigned"
    early = note(f, "before", reassigned - timedelta(minutes=5))
    assert center.send(f.wang, early, "j1").status == "applied"  # done while he held it
    assert center.change_log("li")[-1]["entity_id"] == early.id  # the new assignee gets it


def test_m3_former_assignee_work_after_grace_period_is_refused(
    ctx: ServiceContext, center: Center
) -> None:
    f = two_engineers(ctx, center)
    reassigned = now() - timedelta(days=4)
    center.assign("j1", "li", reassigned)
    backdated = note(f, "backdated", reassigned - timedelta(days=1))
    assert center.send(f.wang, backdated, "j1").code == "job.reassigned"


# -- M4 --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("case", "j1", "kw"),
    [
        ("content names another job", "resolved", {"content_job_id": "j1"}),
        ("content names another slip", "resolved", {"content_slip_id": "other"}),
        ("job not resolved", "assigned", {}),
    ],
)
def test_m4_slip_bound_to_its_row_job_and_state(
    ctx: ServiceContext, center: Center, case: str, j1: str, kw: dict[str, str]
) -> None:
    f = two_engineers(ctx, center, j2=j1)
    forged = f.li.slip(slip_id="s-forged", job_id="j2", number="SO-j2-S1", **kw)
    result = center.send(f.li.who, forged, "s-forged")
    assert (result.status, result.code) == ("rejected", "slip.rule"), case
    assert center.rows("slips", id="s-forged") == []


def test_m4_correction_supersedes_a_slip_of_the_same_job(
    ctx: ServiceContext, center: Center
) -> None:
    f = two_engineers(ctx, center, j1="resolved", j2="signed")
    slips.sign_slip(ctx, "j1", capture(), capture(SignerRole.ENGINEER, "王工"), 5)
    center.push_outbox(f.wang, ctx)
    wang_slip = center.rows("slips", job_id="j1")[0]["id"]
    forged = f.li.slip(slip_id="s-corr", job_id="j2", number="SO-j2-S1", supersedes=wang_slip)
    assert center.send(f.li.who, forged, "s-corr").code == "slip.supersedes"


# -- M5 --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "bad", ["../../../../../outside/fieldkit-pwned", "a" * 64 + "\n", "A" * 64]
)
def test_m5a_poisoned_blob_id_is_refused_and_queue_continues(
    ctx: ServiceContext, center: Center, bad: str
) -> None:
    f = two_engineers(ctx, center, j1="on_site")
    answer = {
        "answer_id": "poison",
        "run_item_id": item(ctx, "text", "j1"),
        "kind": "text",
        "text": "x",
        "at": now().isoformat(),
        "blob_sha256": bad,
        "attachment_id": "poison-att",
    }
    first = center.mutation(f.wang, ("checklist.answer.v1", answer), answer["run_item_id"])
    second = center.mutation(f.wang, note(f), "j1")
    results = center.push(f.wang, first, second).results
    assert [(r.status, r.code) for r in results] == [
        ("rejected", "mutation.invalid"),
        ("applied", ""),
    ]
    assert bad not in results[0].reason  # no input echo
    assert center.rows("checklist_answers", id="poison") == []


def test_m5b_oversized_text_is_refused(ctx: ServiceContext, center: Center) -> None:
    f = two_engineers(ctx, center, j1="on_site")
    answer = {
        "answer_id": "huge",
        "run_item_id": item(ctx, "text", "j1"),
        "kind": "text",
        "text": "长" * 20_001,
        "at": now().isoformat(),
    }
    result = center.send(f.wang, ("checklist.answer.v1", answer), answer["run_item_id"])
    assert (result.status, result.code) == ("rejected", "mutation.invalid")
    assert "text" in result.reason
    assert center.rows("checklist_answers", id="huge") == []


# -- M9 --------------------------------------------------------------------------------------
def test_m9_refused_mutations_are_stored_bounded(ctx: ServiceContext, center: Center) -> None:
    f = two_engineers(ctx, center)
    junk = {"blob": "x" * 60_000}
    batch = [center.mutation(f.wang, ("no.such.v1", junk), "j1") for _ in range(20)]
    results = center.push(f.wang, *batch).results
    assert {r.code for r in results} == {"mutation.unknown"}
    stored = center.rows("conflicts", engineer="eng-wang")
    assert len(stored) == 20
    for row in stored:
        value = row["client_value"]
        assert len(json.dumps(value)) < 3_000
        assert (
            value["args_sha256"]
            == hashlib.sha256(
                json.dumps(junk, sort_keys=True, ensure_ascii=False).encode()
            ).hexdigest()
        )
        assert len(row["reason"]) <= 500


def test_m9_reason_never_echoes_input(ctx: ServiceContext, center: Center) -> None:
    f = two_engineers(ctx, center)
    bad = {"id": "n1", "at": "xxxx" * 1000, "note": "hi"}
    result = center.send(f.wang, ("worklog.add.v1", bad), "j1")
    assert result.code == "mutation.invalid" and "xxxx" not in result.reason
    assert len(result.reason) < 300


# -- M12 -------------------------------------------------------------------------------------
def test_m12_overlong_serial_is_a_clean_refusal(ctx: ServiceContext, center: Center) -> None:
    f = two_engineers(ctx, center, j1="repairing")
    serial = "SN-" + "0123456789" * 13
    with pytest.raises(InvalidValue, match="serial removed is longer than 120"):
        quotes.record_part_replacement(ctx, "j1", "PSU-24V", 1, serial_removed=serial)
    raw = {
        "id": "r-long",
        "part_no": "PSU-24V",
        "quantity": "1",
        "serial_removed": serial,
        "at": now().isoformat(),
    }
    first = center.mutation(f.wang, ("part.replace.v1", raw), "j1")
    second = center.mutation(f.wang, note(f), "j1")
    results = center.push(f.wang, first, second).results
    assert [(r.status, r.code) for r in results] == [
        ("rejected", "mutation.invalid"),
        ("applied", ""),
    ]


# -- L3 --------------------------------------------------------------------------------------
def test_l3_paid_flag_is_derived_from_the_job(ctx: ServiceContext, center: Center) -> None:
    f = two_engineers(ctx, center, j1="repairing")  # in warranty
    part = PartReplaceV1(id="r-paid", part_no="PSU-24V", quantity=1, paid=True, at=now())
    assert center.send(f.wang, part, "j1").status == "applied"
    assert center.rows("part_replacements", id="r-paid")[0]["paid"] is False


@pytest.mark.parametrize(
    ("part_no", "quantity", "code"),
    [("NO-SUCH-PART", "1", "part.rule"), ("PSU-24V", "999999", "mutation.invalid")],
)
def test_l3_unknown_part_or_huge_quantity_is_refused(
    ctx: ServiceContext, center: Center, part_no: str, quantity: str, code: str
) -> None:
    f = two_engineers(ctx, center, j1="repairing")
    raw = {"id": "r-x", "part_no": part_no, "quantity": quantity, "at": now().isoformat()}
    assert center.send(f.wang, ("part.replace.v1", raw), "j1").code == code
    assert center.rows("part_replacements", id="r-x") == []


def test_l3_colliding_id_is_refused_not_acknowledged(ctx: ServiceContext, center: Center) -> None:
    f = two_engineers(ctx, center)
    lis = QuoteCreateV1(
        id="q-li", job_id="j2", number="SO-j2-Q1", valid_until=now().date(), created_at=now()
    )
    assert center.send(f.li.who, lis, "q-li").status == "applied"
    mine = lis.model_copy(update={"job_id": "j1", "number": "SO-j1-Q1"})
    result = center.send(f.wang, mine, "q-li")
    assert (result.status, result.code) == ("rejected", "entity.exists")
    assert center.rows("quotes", id="q-li")[0]["job_id"] == "j2"
    note_a = note(f, "mine")
    assert center.send(f.wang, note_a, "j1").status == "applied"
    note_b = note_a.model_copy(update={"note": "someone else's"})
    assert center.send(f.li.who, note_b, "j2").code in ("entity.exists", "job.reassigned")


# -- L5 --------------------------------------------------------------------------------------
def test_l5_blob_id_with_trailing_newline_is_refused(tmp_path) -> None:
    sha = "a" * 64
    with pytest.raises(BlobError):
        BlobStore(tmp_path).path(sha + "\n")
    evidence = Evidence("i", EvidenceKind.PHOTO, now(), blob_sha256=sha + "\n")
    from fieldkit.domain.checklist import ChecklistItem

    assert not evidence.satisfies(ChecklistItem("i", "Photo", EvidenceKind.PHOTO))


def test_slip_signatures_named_by_the_content_must_come_with_it(
    ctx: ServiceContext, center: Center
) -> None:
    f = two_engineers(ctx, center, j2="resolved")
    name, args = f.li.slip(slip_id="s-noeng", job_id="j2", number="SO-j2-S1")
    no_engineer = {
        **args,
        "engineer_signature_id": None,
        "signatures": [s for s in args["signatures"] if s["role"] == "customer"],
    }
    assert center.send(f.li.who, (name, no_engineer), "s-noeng").code == "signature.missing"
    no_customer = {**args, "customer_signature_id": None}  # the content says the customer signed
    assert center.send(f.li.who, (name, no_customer), "s-noeng").code == "signature.missing"
    assert center.rows("slips", id="s-noeng") == []
    # A device id an older app still puts in a signature is not taken: the pusher's is.
    claimed = {
        **args,
        "signatures": [{**s, "device_id": f.wang.device_id} for s in args["signatures"]],
    }
    assert center.send(f.li.who, (name, claimed), "s-noeng").status == "applied"
    recorded = {r["device_id"] for r in center.rows("signatures", id=args["customer_signature_id"])}
    assert recorded == {f.li.who.device_id}
