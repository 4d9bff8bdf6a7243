from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from fieldkit.domain.checklist import ChecklistItem, Evidence, progress, validate_evidence
from fieldkit.domain.enums import Billing, EvidenceKind, Severity
from fieldkit.domain.errors import InvalidValue, SlipLocked
from fieldkit.domain.slip import SlipDraft, canonical_bytes, content_sha256, verification_code
from fieldkit.domain.warranty import derive_billing

AT = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)
CONTENT = {
    "customer": "上海示例大厦",
    "amount": Decimal("1280.50"),
    "severity": Severity.MAJOR,
    "at": AT,
    "lines": [{"part": "PSU-24V", "qty": 2}],
    "day": date(2026, 3, 1),
}
# Pinned: if this changes, every slip ever signed would fail verification.
PINNED_SHA = content_sha256(CONTENT)


def test_canonical_form_is_exact() -> None:
    assert canonical_bytes(CONTENT).decode() == (
        '{"amount":"1280.50","at":"2026-03-01T17:30:00.000000Z","customer":"上海示例大厦",'
        '"day":"2026-03-01","lines":[{"part":"PSU-24V","qty":2}],"severity":2}'
    )


def test_hash_stable_across_processes_and_key_order_and_zone() -> None:
    shifted = dict(reversed(list(CONTENT.items())))
    shifted["at"] = AT.astimezone(timezone(timedelta(hours=8)))
    assert content_sha256(shifted) == PINNED_SHA
    code = (
        "from decimal import Decimal;from datetime import *;"
        "from fieldkit.domain.slip import content_sha256;from fieldkit.domain.enums import *;"
        "print(content_sha256({'customer':'上海示例大厦','amount':Decimal('1280.50'),"
        "'severity':Severity.MAJOR,'at':datetime(2026,3,1,17,30,tzinfo=UTC),"
        "'lines':[{'part':'PSU-24V','qty':2}],'day':date(2026,3,1)}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123", "PATH": ""},
    )
    assert out.stdout.strip() == PINNED_SHA


def test_nfc_normalisation_and_float_refusal() -> None:
    assert content_sha256({"n": "Cafe\u0301"}) == content_sha256({"n": "Café"})
    with pytest.raises(InvalidValue, match="Floats"):
        canonical_bytes({"x": 0.1})
    with pytest.raises(ValueError, match="timezone-aware"):
        canonical_bytes({"x": datetime(2026, 1, 1)})


def test_signed_slip_is_locked_verifiable_and_corrected_by_superseding() -> None:
    signed = SlipDraft("s1", "j1", CONTENT).sign(AT)
    assert signed.verify()
    assert len(signed.code) == 14 and signed.code == verification_code(signed.sha256)
    with pytest.raises(SlipLocked, match="supersedes"):
        signed.edit(customer="someone else")
    tampered = json.loads(signed.canonical)
    tampered["customer"] = "篡改"
    forged = type(signed)(
        id=signed.id,
        job_id="j1",
        canonical=json.dumps(tampered),
        sha256=signed.sha256,
        signed_at=AT,
    )
    assert not forged.verify()
    fix = signed.correction("s2", {**CONTENT, "amount": Decimal("1200.00")}).sign(AT)
    assert fix.supersedes_id == "s1" and fix.sha256 != signed.sha256
    assert fix.content()["supersedes"] == "s1"


def test_checklist_progress_uses_latest_answer_per_required_item() -> None:
    items = [
        ChecklistItem("a", "Export config", EvidenceKind.FILE),
        ChecklistItem("b", "Photo of rack", EvidenceKind.PHOTO),
        ChecklistItem("c", "Note DB version", EvidenceKind.TEXT),
        ChecklistItem("d", "Optional tidy", EvidenceKind.TICK, required=False),
    ]
    answers = [
        Evidence("a", EvidenceKind.FILE, AT, blob_sha256="a" * 64),
        Evidence("c", EvidenceKind.TEXT, AT, text="v5.2"),
        Evidence("c", EvidenceKind.TEXT, AT + timedelta(minutes=1), text="   "),  # later blank
    ]
    result = progress(items, answers)
    assert (result.done, result.total) == (1, 3)
    assert result.missing == ("Photo of rack", "Note DB version")
    with pytest.raises(InvalidValue, match="attached backup file"):
        validate_evidence(items[0], Evidence("a", EvidenceKind.FILE, AT, blob_sha256="nothex"))
    with pytest.raises(InvalidValue, match="needs photo evidence"):
        validate_evidence(items[1], Evidence("b", EvidenceKind.TICK, AT, ticked=True))


@pytest.mark.parametrize(
    ("device_end", "contract_end", "billing", "basis"),
    [
        (date(2026, 3, 1), None, Billing.IN_WARRANTY, "device warranty until 2026-03-01"),
        (date(2026, 2, 28), date(2027, 1, 1), Billing.PAID, "device warranty ended"),
        (None, date(2026, 3, 2), Billing.IN_WARRANTY, "contract warranty"),
        (None, None, Billing.PAID, "no warranty on record"),
    ],
)
def test_billing_from_warranty(
    device_end: date | None, contract_end: date | None, billing: Billing, basis: str
) -> None:
    decision = derive_billing(date(2026, 3, 1), device_end, contract_end)
    assert decision.billing is billing and basis in decision.basis
