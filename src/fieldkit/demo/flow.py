"""Which demo job is where in the flow, and taking it there step by step (``demo.work``):
every status, severity and job type, each fault on its kind of device and at a level that
fits it, every step at a time in the past and in the order the app allows."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fieldkit.demo import vocabulary as v
from fieldkit.demo.slips import DemoJob, demo_quote, demo_slip
from fieldkit.demo.work import ASSIGN_AFTER, DISPATCHER, Add, JobWork, Step, answer_backup
from fieldkit.domain.enums import (
    Billing,
    CauseArea,
    CauseOrigin,
    EvidenceKind,
    JobStatus,
    JobType,
    Severity,
)
from fieldkit.domain.workflow import ActionArgs
from fieldkit.store import models as m
from fieldkit.store.blobs import BlobStore

S = JobStatus
# How far along the on-site flow each status is.
ORDER = [
    S.ASSIGNED,
    S.ACCEPTED,
    S.TRAVELLING,
    S.ON_SITE,
    S.DIAGNOSING,
    S.BACKED_UP,
    S.REPAIRING,
    S.RESOLVED,
    S.SIGNED,
    S.CLOSED,
]
STATUSES = [*ORDER, S.ESCALATED]
REMOTE_STATUSES = [S.ASSIGNED, S.ACCEPTED, S.DIAGNOSING, S.RESOLVED_REMOTELY]
ON_SITE_TYPES = [JobType.CORRECTIVE_REPAIR, JobType.PERIODIC_INSPECTION, JobType.SOFTWARE_UPGRADE]
RESOLUTION = "更换电源并恢复配置 Replaced PSU, restored configuration"
REMOTE_RESOLUTION = "电话指导客户完成操作 Talked the customer through it on the phone"
FOUND = "电源模块输出电压偏低 PSU output voltage low"
ESCALATION = (
    "需要厂家支持 Needs vendor support",
    "日志已导出，主板疑似故障 Logs exported, mainboard suspected",
)


@dataclass(frozen=True)
class JobPlan:
    index: int
    status: JobStatus
    job_type: JobType
    severity: Severity
    fault: str
    device: dict[str, Any] | None
    reported: datetime
    respond_after: timedelta  # from the report to the engineer accepting
    arrive_after: timedelta  # from accepting to arriving on site
    confirmed_with: str

    @property
    def remote(self) -> bool:
        return self.job_type is JobType.REMOTE_RESOLUTION

    @property
    def stage(self) -> int:
        if self.status is S.RESOLVED_REMOTELY:
            return ORDER.index(S.RESOLVED)
        return ORDER.index(self.status) if self.status in ORDER else ORDER.index(S.DIAGNOSING)


def _person(rng: random.Random) -> str:
    return rng.choice(v.SURNAMES) + "".join(rng.choice(v.GIVEN) for _ in range(rng.randint(1, 2)))


def _device_of(kind: str | None, devices: list[dict[str, Any]], rng: random.Random) -> Any:
    """A device of the fault's kind at the site (any device when the fault names none; no
    device when the site has none of that kind)."""
    fitting = [d for d in devices if kind is None or kind in d["name"]]
    return rng.choice(fitting) if fitting else None


def job_plan(j: int, rng: random.Random, devices: list[dict[str, Any]], now: datetime) -> JobPlan:
    remote = j % 9 == 8
    status = REMOTE_STATUSES[j % 4] if remote else STATUSES[j % len(STATUSES)]
    job_type = JobType.REMOTE_RESOLUTION if remote else ON_SITE_TYPES[j % 3]
    levels: tuple[int, ...]
    kind: str | None
    if job_type is JobType.PERIODIC_INSPECTION:
        zh, en, kind, levels = v.INSPECTION
    elif job_type is JobType.SOFTWARE_UPGRADE:
        zh, en, kind, levels = v.UPGRADE
    else:
        faults = [f for f in v.FAULTS if f[4]] if remote else v.FAULTS
        zh, en, kind, levels, _phone = faults[j % len(faults)]
    severity = Severity(levels[(j // 7) % len(levels)])
    respond_minutes, arrive_minutes = SLA_MINUTES[severity]
    respond_after = timedelta(minutes=rng.randint(5, int(respond_minutes * 1.3)))
    arrive_after = timedelta(minutes=rng.randint(30, int((arrive_minutes or 600) * 1.2)))
    # Reported a little while ago: not yet on site, or on the phone with the customer now.
    early = status in (S.ASSIGNED, S.ACCEPTED, S.TRAVELLING) or (remote and status is S.DIAGNOSING)
    if early:  # accepted, departed or called back (if so) before now
        # A job nobody took yet is new (the office chases one overdue by 20 minutes).
        elapsed = rng.randint(5, respond_minutes + 20 if status is S.ASSIGNED else 600)
        reported = now - timedelta(minutes=elapsed)
        limit = max(1, min(int(respond_minutes * 1.3), elapsed - 12))
        respond_after = timedelta(minutes=rng.randint(1, limit))
    else:  # every step done, the last one well before now
        reported = now - respond_after - arrive_after - timedelta(minutes=rng.randint(240, 14000))
    return JobPlan(
        j,
        status,
        job_type,
        severity,
        f"{zh}。{en}.",
        _device_of(kind, devices, rng),
        reported,
        respond_after,
        arrive_after,
        _person(rng),
    )


# Respond and arrive minutes per severity in the demo contracts (arrive None: no limit).
SLA_MINUTES = {
    Severity(1): (30, 240),
    Severity(2): (120, 480),
    Severity(3): (480, 2880),
    Severity(4): (1440, None),
}


def take_through_flow(
    work: JobWork,
    plan: JobPlan,
    evidence: dict[EvidenceKind, list[str]],
    blobs: BlobStore,
    key: Ed25519PrivateKey,
    record: DemoJob,
    part_ids: dict[str, str],
    now: datetime,
) -> None:
    """The engineer's steps up to the plan's status, then the center's close if it is one."""
    stage, status = plan.stage, plan.status
    if stage < 1:
        return
    accepted = plan.reported + plan.respond_after
    work.step("accept", accepted)
    cause = (list(CauseArea)[plan.index % 2].value, list(CauseOrigin)[(plan.index // 2) % 2].value)
    if plan.remote:
        if stage < ORDER.index(S.DIAGNOSING):
            return
        work.step("start_diagnosis", accepted + timedelta(minutes=5))
        if status is S.RESOLVED_REMOTELY:
            work.classify(*cause, FOUND, accepted + timedelta(minutes=20))
            work.step(
                "resolve_remotely",
                accepted + timedelta(minutes=45),
                ActionArgs(resolution=REMOTE_RESOLUTION),
            )
        return
    if stage < 2:
        return
    work.step("depart", accepted + timedelta(minutes=10))
    if stage < 3:
        return
    arrived = accepted + plan.arrive_after
    work.step("arrive", arrived, ActionArgs(confirmed_with=plan.confirmed_with))
    if stage < 4:
        return
    work.step("start_diagnosis", arrived + timedelta(minutes=5))
    answered = len(work.items) if stage >= ORDER.index(S.BACKED_UP) else 2
    answer_backup(work, answered, arrived + timedelta(minutes=10), evidence, blobs.size)
    if status is S.ESCALATED or stage >= ORDER.index(S.BACKED_UP):
        work.classify(*cause, FOUND, arrived + timedelta(minutes=20))
    if status is S.ESCALATED:
        reason, findings = ESCALATION
        args = ActionArgs(reason=reason, findings=findings, category="vendor")
        work.step("escalate", arrived + timedelta(minutes=30), args)
        return
    if stage < ORDER.index(S.BACKED_UP):
        return
    work.step("confirm_backup", arrived + timedelta(minutes=25))
    if stage < ORDER.index(S.REPAIRING):
        return
    paid = work.job["billing"] == Billing.PAID.value
    if paid:  # the customer approves the price before the part is fitted
        demo_quote(
            work,
            blobs,
            record,
            part_ids,
            arrived + timedelta(minutes=26),
            arrived + timedelta(minutes=35),
        )
    work.step("start_repair", arrived + timedelta(minutes=40))
    if paid:
        line = work.quotes[-1].lines[0]
        assert line.part_no is not None
        removed, installed = (f"PS-{work.rng.randint(1000, 9999)}" for _ in range(2))
        work.replace_part(
            line.part_no, Decimal(1), removed, installed, arrived + timedelta(minutes=60)
        )
    if stage < ORDER.index(S.RESOLVED):
        return
    finished = arrived + timedelta(minutes=95)
    work.step("resolve", finished, ActionArgs(resolution=RESOLUTION))
    if stage < ORDER.index(S.SIGNED):
        return
    demo_slip(work, blobs, key, record, finished + timedelta(minutes=work.rng.randint(5, 40)))
    if status is S.CLOSED:
        work.close(min(finished + timedelta(hours=20), now - timedelta(minutes=1)))


def journal_rows(add: Add, journal: list[Step], device_id: str) -> None:
    """The journal as the outbox (every change acknowledged: the center holds the demo) and
    the audit log of the device that made the demo's changes (``demo_device_id``): not this
    installation, whose own changes still start at its first sequence number."""
    for seq, st in enumerate(journal, 1):
        mutation_id = str(uuid.uuid5(uuid.UUID(device_id), str(seq)))
        add(
            m.OutboxMutation,
            mutation_id=mutation_id,
            device_id=device_id,
            seq=seq,
            name=st.args.NAME,
            entity_type=st.args.ENTITY,
            entity_id=st.entity_id,
            base_version=st.base_version,
            args=st.wire,
            created_at=st.at,
            state="acked",
            attempts=1,
            last_error="",
            blob_refs=list(st.args.blob_refs()),
        )
        add(
            m.AuditEntry,
            at=st.at,
            actor=st.actor,
            device_id=device_id,
            action=st.action,
            entity_type=st.entity_type,
            entity_id=st.entity_id,
            details=st.details,
            mutation_id=mutation_id,
        )


def office_records(rows: dict[type[m.Base], list[dict[str, Any]]]) -> tuple[list[Any], list[Any]]:
    """What the center's office recorded for the demo jobs (``server.dispatch.assign`` and
    ``Office.close``): each job's assignment to its engineer and the office's events."""
    assignments, events = [], []
    for job in rows.get(m.Job, []):
        at = job["reported_at"] + ASSIGN_AFTER
        engineer = job["assigned_engineer"]
        assignments.append(
            {"job_id": job["id"], "engineer": engineer, "at": at, "by": DISPATCHER, "reason": ""}
        )
        detail = {"engineer": engineer, "previous": "", "reason": ""}
        events.append(
            {"job_id": job["id"], "at": at, "by": DISPATCHER, "action": "assign", "detail": detail}
        )
        if job["status"] == S.CLOSED.value:
            events.append(
                {
                    "job_id": job["id"],
                    "at": job["updated_at"],
                    "by": DISPATCHER,
                    "action": "close",
                    "detail": {},
                }
            )
    return assignments, events
