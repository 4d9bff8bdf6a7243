"""The service-flow state machine and its guards.

assigned -> accepted -> travelling -> on site -> diagnosing -> backed up -> repairing
-> resolved -> signed -> closed; escalated from diagnosing or repairing; remote jobs go
accepted -> diagnosing -> resolved remotely -> closed. The office re-assigns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from fieldkit.domain.checklist import Progress
from fieldkit.domain.clock import require_aware
from fieldkit.domain.enums import EscalationCategory
from fieldkit.domain.enums import JobStatus as S
from fieldkit.domain.errors import GuardFailed, IllegalTransition
from fieldkit.domain.job import Escalation, Job
from fieldkit.domain.messages import N_, Message


@dataclass(frozen=True, slots=True)
class Transition:
    source: S
    target: S
    when: Callable[[Job], bool] = lambda job: True


def _remote(job: Job) -> bool:
    return job.is_remote


def _on_site(job: Job) -> bool:
    return not job.is_remote


TRANSITIONS: dict[str, tuple[Transition, ...]] = {
    "accept": (Transition(S.ASSIGNED, S.ACCEPTED),),
    "depart": (Transition(S.ACCEPTED, S.TRAVELLING, _on_site),),
    "arrive": (Transition(S.TRAVELLING, S.ON_SITE, _on_site),),
    "start_diagnosis": (
        Transition(S.ON_SITE, S.DIAGNOSING, _on_site),
        Transition(S.ACCEPTED, S.DIAGNOSING, _remote),
    ),
    "confirm_backup": (Transition(S.DIAGNOSING, S.BACKED_UP, _on_site),),
    "start_repair": (Transition(S.BACKED_UP, S.REPAIRING, _on_site),),
    "resolve": (Transition(S.REPAIRING, S.RESOLVED, _on_site),),
    "resolve_remotely": (Transition(S.DIAGNOSING, S.RESOLVED_REMOTELY, _remote),),
    "sign": (Transition(S.RESOLVED, S.SIGNED),),
    "close": (Transition(S.SIGNED, S.CLOSED), Transition(S.RESOLVED_REMOTELY, S.CLOSED)),
    "escalate": (
        Transition(S.DIAGNOSING, S.ESCALATED),
        Transition(S.REPAIRING, S.ESCALATED),
    ),
    "reassign": (
        Transition(S.ASSIGNED, S.ASSIGNED),
        Transition(S.ACCEPTED, S.ASSIGNED),
        Transition(S.ESCALATED, S.ASSIGNED),
    ),
    # The center's analysis ends an escalation without another visit (vendor swap, cancelled).
    "close_escalation": (Transition(S.ESCALATED, S.CLOSED),),
}

ACTIONS: tuple[str, ...] = tuple(TRANSITIONS)
# Order in which the app offers the engineer's next step: the first enabled one is the obvious
# button. Closing (after the center reviews a signed slip) and re-assigning are the office's.
FLOW_ORDER: tuple[str, ...] = (
    "accept",
    "depart",
    "arrive",
    "start_diagnosis",
    "confirm_backup",
    "start_repair",
    "resolve",
    "resolve_remotely",
    "sign",
    "escalate",
)


@dataclass(frozen=True, slots=True)
class JobContext:
    """Facts about a job that live outside the job row."""

    backup: Progress
    has_signed_slip: bool = False


@dataclass(frozen=True, slots=True)
class ActionArgs:
    confirmed_with: str = ""  # arrive: the system owner who confirmed the problem
    resolution: str = ""  # resolve / resolve_remotely
    reason: str = ""  # escalate
    findings: str = ""  # escalate: what the engineer found, what the center needs to know
    # escalate: what the center needs; changes queued before there were categories are "other"
    category: str = EscalationCategory.OTHER.value
    engineer: str = ""  # reassign
    actor: str = ""


def allowed_from(action: str, job: Job) -> tuple[S, ...]:
    return tuple(t.source for t in TRANSITIONS.get(action, ()) if t.when(job))


def _find(action: str, job: Job) -> Transition:
    if action not in TRANSITIONS:
        raise IllegalTransition(action, job.status.value, ())
    for t in TRANSITIONS[action]:
        if t.source is job.status and t.when(job):
            return t
    raise IllegalTransition(
        action, job.status.value, tuple(s.value for s in allowed_from(action, job))
    )


def _backup_reason(backup: Progress) -> str | None:
    if backup.total == 0:
        return Message(N_("Back up first: this job has no backup checklist yet"))
    if not backup.complete:
        return Message(
            N_("Back up first: {missing} of {total} backup items missing ({names})"),
            missing=backup.missing_count,
            total=backup.total,
            names=", ".join(backup.missing),
        )
    return None


def blocked_reason(job: Job, action: str, ctx: JobContext) -> str | None:
    """Why ``action`` cannot run now (state guards only), or None if it can."""
    try:
        _find(action, job)
    except IllegalTransition as exc:
        return str(exc)
    if action == "confirm_backup" and job.cause is None:
        return Message(
            N_("Diagnose first: classify the cause (hardware/software, human error/system fault)")
        )
    if action in ("confirm_backup", "start_repair"):
        return _backup_reason(ctx.backup)
    if action == "resolve_remotely" and job.cause is None:
        return Message(N_("Classify the cause before resolving"))
    if action == "sign" and not ctx.has_signed_slip:
        return Message(N_("The customer has not signed the service slip yet"))
    return None


def _require_args(action: str, args: ActionArgs, job: Job) -> None:
    def need(value: str, message: str) -> None:
        if not value.strip():
            raise GuardFailed(action, message)

    if action == "arrive":
        need(
            args.confirmed_with,
            Message(N_("Confirm the problem with the site's system owner: enter their name")),
        )
    elif action in ("resolve", "resolve_remotely"):
        need(args.resolution, Message(N_("Describe how the fault was resolved")))
    elif action == "escalate":
        need(args.reason, Message(N_("Say why the fault could not be fixed on site")))
        need(
            args.findings,
            Message(N_("Record what you found and what the center needs to know to continue")),
        )
        parse_category(args.category)
    elif action == "reassign":
        need(args.engineer, Message(N_("Choose the engineer to assign")))
    elif action == "close_escalation":
        need(args.resolution, Message(N_("Say why the job closes without another visit")))


def parse_category(value: str) -> EscalationCategory:
    try:
        return EscalationCategory(value)
    except ValueError:
        raise GuardFailed(
            "escalate",
            Message(N_("Choose what the center needs: a part, the vendor, a specialist or other")),
        ) from None


def check(job: Job, action: str, ctx: JobContext, args: ActionArgs = ActionArgs()) -> S:
    """Raise IllegalTransition/GuardFailed, or return the status the action leads to."""
    target = _find(action, job).target
    reason = blocked_reason(job, action, ctx)
    if reason is not None:
        missing = ctx.backup.missing if action in ("confirm_backup", "start_repair") else ()
        raise GuardFailed(action, reason, missing)
    _require_args(action, args, job)
    return target


def apply(
    job: Job, action: str, ctx: JobContext, at: datetime, args: ActionArgs = ActionArgs()
) -> Job:
    """Return the job after ``action`` at instant ``at``; the input is unchanged."""
    require_aware(at)
    target = check(job, action, ctx, args)
    changed = replace(job, status=target, version=job.version + 1)
    if action == "accept" and job.responded_at is None:
        changed = replace(changed, responded_at=at)
    elif action == "arrive":
        changed = replace(changed, arrived_at=at, confirmed_with=args.confirmed_with.strip())
    elif action == "start_diagnosis" and job.is_remote and job.responded_at is None:
        changed = replace(changed, responded_at=at)
    elif action in ("resolve", "resolve_remotely", "close_escalation"):
        changed = replace(changed, resolution=args.resolution.strip())
    elif action == "escalate":
        entry = Escalation(
            at=at,
            by=args.actor,
            reason=args.reason.strip(),
            findings=args.findings.strip(),
            category=parse_category(args.category),
        )
        changed = replace(changed, escalations=(*job.escalations, entry))
    elif action == "reassign":
        changed = replace(changed, assigned_engineer=args.engineer.strip())
    return changed


@dataclass(frozen=True, slots=True)
class ActionOption:
    action: str
    enabled: bool
    reason: str | None


def next_actions(job: Job, ctx: JobContext) -> list[ActionOption]:
    """Actions legal from the job's status, in flow order, each enabled or with its reason."""
    options = []
    for action in FLOW_ORDER:
        if job.status not in allowed_from(action, job):
            continue
        reason = blocked_reason(job, action, ctx)
        options.append(ActionOption(action, reason is None, reason))
    return options
