"""Checklist items and their evidence; the backup progress that gates repair."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from fieldkit.domain.enums import EvidenceKind, JobStatus
from fieldkit.domain.errors import GuardFailed, InvalidValue
from fieldkit.domain.messages import N_, Message

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


def latest_answers(answers: Iterable[Evidence]) -> dict[str, Evidence]:
    """Each item's latest answer: answers are never changed, a later one replaces it."""
    latest: dict[str, Evidence] = {}
    for answer in sorted(answers, key=lambda a: a.recorded_at):
        latest[answer.item_id] = answer
    return latest


def done_items(items: list[ChecklistItem], answers: list[Evidence]) -> frozenset[str]:
    """Ids of the items, required or optional, whose latest answer satisfies them."""
    latest = latest_answers(answers)
    return frozenset(i.id for i in items if i.id in latest and latest[i.id].satisfies(i))


class ItemState(StrEnum):
    """What happened to one item, as the workspace and the slip tell it."""

    DONE = "done"  # its latest answer satisfies it (ticked, a note, a file)
    NOT_DONE = "not_done"  # required and unanswered, or answered and withdrawn (unticked)
    NOT_ANSWERED = "not_answered"  # optional, and nobody answered it


def item_state(item: ChecklistItem, latest: Evidence | None) -> ItemState:
    if latest is not None and latest.satisfies(item):
        return ItemState.DONE
    if latest is None and not item.required:
        return ItemState.NOT_ANSWERED
    return ItemState.NOT_DONE


def item_states(items: list[ChecklistItem], answers: Iterable[Evidence]) -> dict[str, ItemState]:
    """Each item's state by id, judged by its latest answer."""
    latest = latest_answers(answers)
    return {i.id: item_state(i, latest.get(i.id)) for i in items}


def tally(entries: Iterable[tuple[str, bool, bool]]) -> Progress:
    """Progress from ``(label, required, done)`` per item, counted over the *required* items.
    The one count the workspace, the repair gate and the slip's lock pause all show."""
    required = [(label, done) for label, needed, done in entries if needed]
    missing = tuple(label for label, done in required if not done)
    return Progress(done=len(required) - len(missing), total=len(required), missing=missing)


def progress(items: list[ChecklistItem], answers: list[Evidence]) -> Progress:
    """Progress over the *required* items, judged by each item's latest answer."""
    done = done_items(items, answers)
    return tally((i.label, i.required, i.id in done) for i in items)


# Evidence is recorded from arrival until the repair is finished. A recorded answer can be
# corrected (by a new answer: the old one stays on record) until the backup is confirmed;
# after that the evidence the repair was unlocked by is what it was.
OPEN_FOR_EVIDENCE = frozenset(
    {JobStatus.ON_SITE, JobStatus.DIAGNOSING, JobStatus.BACKED_UP, JobStatus.REPAIRING}
)
# The job statuses in which a recorded checklist answer may still be corrected.
ANSWERS_CORRECTABLE = frozenset({JobStatus.ON_SITE, JobStatus.DIAGNOSING})


def is_withdrawal(evidence: Evidence) -> bool:
    """An untick: the correction of a box ticked by mistake."""
    return evidence.kind is EvidenceKind.TICK and not evidence.ticked


def ensure_answer_allowed(
    item: ChecklistItem,
    evidence: Evidence,
    earlier: Iterable[Evidence],
    status: JobStatus | None,
) -> None:
    """May ``evidence`` be recorded for ``item``, given the item's earlier answers and the
    job's status? ``status`` None: the job has moved on to another engineer, and work done
    before is kept as a record (its content is still checked)."""
    if evidence.item_id != item.id:
        raise InvalidValue("Evidence belongs to a different checklist item")
    previous = latest_answers(a for a in earlier if a.item_id == item.id).get(item.id)
    if status is not None:
        if status not in OPEN_FOR_EVIDENCE:
            raise GuardFailed(
                "record_evidence",
                Message(
                    N_("Evidence is recorded on site; this job is {status}"), status=status.value
                ),
            )
        if previous is not None and status not in ANSWERS_CORRECTABLE:
            raise GuardFailed(
                "record_evidence",
                Message(
                    N_("The backup is confirmed: '{label}' can no longer be corrected"),
                    label=item.label,
                ),
            )
    if is_withdrawal(evidence) and item.evidence_kind is EvidenceKind.TICK:
        if previous is None or not previous.ticked:
            raise InvalidValue(
                Message(
                    N_("'{label}' is not ticked: there is nothing to correct"), label=item.label
                )
            )
        return
    validate_evidence(item, evidence)
