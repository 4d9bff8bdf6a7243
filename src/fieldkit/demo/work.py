"""A demo job's history, made as the app and the center make it: the center creates and
assigns the job, then the engineer takes it through the domain's state machine step by step,
each record built by :mod:`fieldkit.domain.record_rows` and each step journalled with the
typed mutation the app would have sent and the audit entry it would have written."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from fieldkit.domain import record_rows, records, rules, workflow
from fieldkit.domain.checklist import (
    ChecklistItem,
    Evidence,
    Progress,
    ensure_answer_allowed,
    progress,
)
from fieldkit.domain.enums import EvidenceKind, JobStatus
from fieldkit.domain.job import Job
from fieldkit.domain.quote import Quote, ensure_part_replacement_allowed
from fieldkit.domain.slip_payload import BackupFact, PartFact, backup_facts
from fieldkit.domain.workflow import ActionArgs, JobContext
from fieldkit.protocol.mutations import (
    ChecklistAnswerV1,
    JobClassifyV1,
    JobEscalateV1,
    JobTransitionV1,
    MutationArgs,
    PartReplaceV1,
)
from fieldkit.services.checklists import evidence_mime
from fieldkit.store import models as m

Add = Callable[..., dict[str, Any]]
# When the center assigns a demo job after creating it (and who), for its assignment record.
ASSIGN_AFTER = timedelta(minutes=1)
DISPATCHER = "office"


def new_id(rng: random.Random) -> str:
    """A random (version 4) UUID from ``rng``: ``uuid.UUID(int=..., version=4)``, faster."""
    n = rng.getrandbits(128) & ~(0xC000 << 48) & ~(0xF000 << 64) | (0x8000 << 48) | (4 << 76)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(frozen=True)
class Step:
    """One change as the app records it: the mutation it queues (already acknowledged by
    the center, which holds the demo data) and its audit entry."""

    args: MutationArgs
    wire: dict[str, Any]  # the args as the outbox stores them
    entity_id: str
    base_version: int | None
    at: datetime
    actor: str
    action: str
    entity_type: str
    details: dict[str, Any]


@dataclass
class JobWork:
    """One job's rows so far, and the engineer taking it through the flow."""

    add: Add
    rng: random.Random
    job: dict[str, Any]  # the job's row, changed in place step by step
    engineer: str
    journal: list[Step] | None  # None: no outbox or audit log to fill (the center's copy)
    escalations: list[dict[str, Any]] = field(default_factory=list)
    items: list[ChecklistItem] = field(default_factory=list)
    answers: list[Evidence] = field(default_factory=list)
    times: dict[str, datetime] = field(default_factory=dict)
    quotes: list[Quote] = field(default_factory=list)
    parts: list[PartFact] = field(default_factory=list)
    _domain: tuple[tuple[Any, ...], Job] | None = None
    _progress: tuple[int, Progress] | None = None

    # -- the center ------------------------------------------------------------------------
    def assign(self, at: datetime) -> None:
        """The office assigns the new job (``server.dispatch.assign``): a version step."""
        self.job.update(
            assigned_engineer=self.engineer, version=self.job["version"] + 1, updated_at=at
        )

    def close(self, at: datetime) -> None:
        """The center closes the job once it reviewed the signed slip or the phone fix."""
        after = workflow.apply(self.domain(), "close", self.context(), at)
        self.job.update(status=after.status.value, version=after.version, updated_at=at)

    # -- the engineer ----------------------------------------------------------------------
    def domain(self) -> Job:
        """The job through the shared record mapper (again after each change of its row)."""
        key = (self.job["version"], self.job["status"], len(self.escalations))
        if self._domain is None or self._domain[0] != key:
            self._domain = (key, records.job_from_row(self.job, self.escalations))
        return self._domain[1]

    def context(self, signed: bool = False) -> JobContext:
        """What the state machine's guards read: the backup's progress (again after each
        answer) and whether the job has a signed slip."""
        if self._progress is None or self._progress[0] != len(self.answers):
            self._progress = (len(self.answers), progress(self.items, self.answers))
        return JobContext(self._progress[1], has_signed_slip=signed)

    def step(self, action: str, at: datetime, args: ActionArgs | None = None) -> None:
        """``services.jobs.perform``: the state machine, its work-log entry and escalation."""
        args = args or ActionArgs()
        before = self.domain()
        after = workflow.apply(
            before, action, self.context(), at, replace(args, actor=self.engineer)
        )
        self.job.update(record_rows.job_step_fields(after, at))
        created: dict[str, str] = {}
        if len(after.escalations) > len(before.escalations):
            created["escalation_id"] = new_id(self.rng)
            row = record_rows.escalation_row(
                created["escalation_id"], self.job["id"], after.escalations[-1]
            )
            self.escalations.append(self.add(m.Escalation, **row))
        kind = rules.work_log_kind(action)
        if kind is not None:
            created["work_log_id"] = new_id(self.rng)
            self.add(
                m.WorkLogEntry,
                **record_rows.work_log_row(
                    created["work_log_id"], self.job["id"], kind, at, self.engineer
                ),
            )
            self.times.setdefault(kind, at)
            if kind == "finished":
                self.times[kind] = at
        if action == "escalate":  # ``services.escalations.escalate``: its own mutation
            esc = after.escalations[-1]
            moved = {"from": before.status.value, "to": after.status.value}
            self.record(
                lambda: JobEscalateV1.checked(
                    escalation_id=created["escalation_id"],
                    at=at,
                    reason=esc.reason,
                    findings=esc.findings,
                    category=esc.category.value,
                    attachments=[],
                ),
                self.job["id"],
                before.version,
                at,
                "job.escalate",
                "job",
                {**moved, "category": esc.category},
            )
            return
        self.record(
            lambda: JobTransitionV1.checked(
                action=action,
                at=at,
                to=after.status.value,
                confirmed_with=args.confirmed_with,
                resolution=args.resolution,
                reason=args.reason,
                findings=args.findings,
                **created,
            ),
            self.job["id"],
            before.version,
            at,
            f"job.{action}",
            "job",
            {"from": before.status.value, "to": after.status.value},
        )

    def classify(self, area: str, origin: str, fault_found: str, at: datetime) -> None:
        """``services.jobs.classify_cause``."""
        rules.ensure_classifiable(JobStatus(self.job["status"]))
        base = self.job["version"]
        self.job.update(record_rows.classify_fields(area, origin, fault_found, base, at))
        self.record(
            lambda: JobClassifyV1.checked(
                cause_area=area, cause_origin=origin, fault_found=fault_found
            ),
            self.job["id"],
            base,
            at,
            "job.classify",
            "job",
        )

    def checklist(self, run: dict[str, Any], items: list[dict[str, Any]]) -> None:
        """The backup checklist the center copied from its template when creating the job."""
        self.add(m.ChecklistRun, **run)
        for item in items:
            self.add(m.ChecklistRunItem, **item)
            self.items.append(records.checklist_item_from_row(item))

    def answer(
        self,
        item: ChecklistItem,
        at: datetime,
        *,
        ticked: bool = False,
        text: str = "",
        sha: str | None = None,
        filename: str = "",
        size: int = 0,
    ) -> None:
        """``services.checklists.record_evidence`` (a first answer), with its attachment."""
        evidence = Evidence(item.id, item.evidence_kind, at, ticked, text.strip(), sha)
        ensure_answer_allowed(item, evidence, self.answers, JobStatus(self.job["status"]))
        answer_id = new_id(self.rng)
        self.add(
            m.ChecklistAnswer,
            **record_rows.answer_row(answer_id, evidence, self.engineer, filename),
        )
        self.answers.append(evidence)
        attachment: dict[str, Any] = {}
        if sha is not None:
            mime = evidence_mime(filename)
            attachment = {"attachment_id": new_id(self.rng), "mime": mime, "size": size}
            self.add(
                m.Attachment,
                **record_rows.attachment_row(
                    attachment["attachment_id"],
                    self.job["id"],
                    rules.attachment_kind(item.evidence_kind),
                    filename,
                    mime,
                    sha,
                    size,
                    at,
                ),
            )

        def args() -> MutationArgs:
            return ChecklistAnswerV1.checked(
                answer_id=answer_id,
                run_item_id=item.id,
                kind=item.evidence_kind,
                ticked=ticked,
                text=evidence.text,
                blob_sha256=sha,
                filename=filename,
                at=at,
                **attachment,
            )

        details = {
            "label": item.label,
            "answer_id": answer_id,
            "ticked": ticked,
            "text": evidence.text,
            "blob_sha256": sha,
            "corrects": None,
        }
        self.record(args, item.id, None, at, "checklist.answer", "checklist_item", details)

    def replace_part(
        self, part_no: str, quantity: Decimal, removed: str, installed: str, at: datetime
    ) -> None:
        """``services.quotes.record_part_replacement``: within the approved quote."""
        rules.ensure_replacement_step(JobStatus(self.job["status"]))
        billing = self.domain().billing
        ensure_part_replacement_allowed(billing, part_no, quantity, self.quotes)
        paid = rules.replacement_is_paid(billing)
        rep_id = new_id(self.rng)
        row = self.add(
            m.PartReplacement,
            **record_rows.part_replacement_row(
                rep_id,
                self.job["id"],
                part_no,
                quantity,
                removed,
                installed,
                paid,
                at,
                self.engineer,
            ),
        )
        prices = {li.part_no: li.unit_price.amount for q in self.quotes for li in q.lines}
        self.parts.append(
            PartFact(
                part_no,
                quantity,
                paid,
                prices.get(part_no) if paid else None,
                row["serial_removed"],
                row["serial_installed"],
            )
        )
        self.record(
            lambda: PartReplaceV1.checked(
                id=rep_id,
                part_no=part_no,
                quantity=quantity,
                paid=paid,
                serial_removed=row["serial_removed"],
                serial_installed=row["serial_installed"],
                at=at,
            ),
            self.job["id"],
            None,
            at,
            "part.replace",
            "job",
        )

    def backup_facts(self) -> list[BackupFact]:
        """The backup as the slip reports it (``services.slips.slip_facts``)."""
        return backup_facts(self.items, self.answers)

    def record(
        self,
        make: Callable[[], MutationArgs],
        entity_id: str,
        base_version: int | None,
        at: datetime,
        action: str,
        entity_type: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Journal one change: its typed mutation (made only when there is a journal) and
        its audit details (``None``: the mutation's args, as the app's services audit them)."""
        if self.journal is None:
            return
        args = make()
        wire = args.wire()
        self.journal.append(
            Step(
                args,
                wire,
                entity_id,
                base_version,
                at,
                self.engineer,
                action,
                entity_type,
                wire if details is None else details,
            )
        )


EVIDENCE_FILES = {EvidenceKind.FILE: "config-export.txt", EvidenceKind.PHOTO: "rack.png"}
FIRMWARE_NOTE = "V5.2.1"


def answer_backup(
    work: JobWork,
    count: int,
    start: datetime,
    blobs: dict[EvidenceKind, list[str]],
    size_of: Callable[[str], int],
) -> None:
    """The first ``count`` backup items answered a minute apart from ``start``."""
    for pos, item in enumerate(work.items[:count], 1):
        at = start + timedelta(minutes=pos)
        kind = item.evidence_kind
        if kind in EVIDENCE_FILES:
            pool = blobs[kind]
            sha = pool[pos % len(pool)]
            work.answer(item, at, sha=sha, filename=EVIDENCE_FILES[kind], size=size_of(sha))
        elif kind is EvidenceKind.TEXT:
            work.answer(item, at, text=FIRMWARE_NOTE)
        else:
            work.answer(item, at, ticked=True)
