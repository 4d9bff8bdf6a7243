"""Checklist items and their evidence; the backup progress that gates repair."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from fieldkit.domain.enums import EvidenceKind
from fieldkit.domain.errors import InvalidValue

_SHA256 = re.compile(r"[0-9a-f]{64}")  # fullmatch: "$" would accept a newline


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    id: str
    label: str
    evidence_kind: EvidenceKind
    required: bool = True


@dataclass(frozen=True, slots=True)
class Evidence:
    """One answer to a checklist item. Answers are append-only; the latest one counts."""

    item_id: str
    kind: EvidenceKind
    recorded_at: datetime
    ticked: bool = False
    text: str = ""
    blob_sha256: str | None = None

    def satisfies(self, item: ChecklistItem) -> bool:
        if self.kind is not item.evidence_kind:
            return False
        match self.kind:
            case EvidenceKind.TICK:
                return self.ticked
            case EvidenceKind.TEXT:
                return bool(self.text.strip())
            case EvidenceKind.PHOTO | EvidenceKind.FILE:
                return self.blob_sha256 is not None and bool(_SHA256.fullmatch(self.blob_sha256))


def validate_evidence(item: ChecklistItem, evidence: Evidence) -> None:
    """Refuse evidence that can never satisfy the item, with a message saying what it needs."""
    if evidence.item_id != item.id:
        raise InvalidValue("Evidence belongs to a different checklist item")
    if evidence.kind is not item.evidence_kind:
        raise InvalidValue(
            f"'{item.label}' needs {item.evidence_kind.value} evidence, not {evidence.kind.value}"
        )
    if not evidence.satisfies(item):
        needs = {
            EvidenceKind.TICK: "to be ticked",
            EvidenceKind.TEXT: "a non-empty note",
            EvidenceKind.PHOTO: "a photo",
            EvidenceKind.FILE: "an attached backup file",
        }[item.evidence_kind]
        raise InvalidValue(f"'{item.label}' needs {needs}")


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return self.done == self.total

    @property
    def missing_count(self) -> int:
        return self.total - self.done


def progress(items: list[ChecklistItem], answers: list[Evidence]) -> Progress:
    """Progress over the *required* items, judged by each item's latest answer."""
    latest: dict[str, Evidence] = {}
    for answer in sorted(answers, key=lambda a: a.recorded_at):
        latest[answer.item_id] = answer
    required = [i for i in items if i.required]
    missing = tuple(i.label for i in required if not (i.id in latest and latest[i.id].satisfies(i)))
    return Progress(done=len(required) - len(missing), total=len(required), missing=missing)
