from __future__ import annotations

import itertools

import pytest

from fieldkit.domain import workflow
from fieldkit.domain.checklist import Progress
from fieldkit.domain.enums import CauseArea, CauseOrigin, JobStatus, JobType
from fieldkit.domain.errors import GuardFailed, IllegalTransition
from fieldkit.domain.job import Cause
from fieldkit.domain.workflow import ActionArgs, apply, check, next_actions

from .factories import COMPLETE, PARTIAL, T0, ctx, make_job

S = JobStatus
CAUSE = Cause(CauseArea.HARDWARE, CauseOrigin.SYSTEM_FAULT)
FULL_ARGS = ActionArgs(
    confirmed_with="王工",
    resolution="Replaced PSU",
    reason="Needs vendor",
    findings="Logs attached",
    engineer="eng-2",
    actor="eng-1",
)

# The complete legal transition table, written out independently of the implementation.
ON_SITE_TYPES = (JobType.CORRECTIVE_REPAIR, JobType.PERIODIC_INSPECTION, JobType.SOFTWARE_UPGRADE)
LEGAL: dict[tuple[S, str, bool], S] = {}
for remote in (False, True):
    LEGAL[(S.ASSIGNED, "accept", remote)] = S.ACCEPTED
    LEGAL[(S.RESOLVED, "sign", remote)] = S.SIGNED
    LEGAL[(S.SIGNED, "close", remote)] = S.CLOSED
    LEGAL[(S.RESOLVED_REMOTELY, "close", remote)] = S.CLOSED
    LEGAL[(S.DIAGNOSING, "escalate", remote)] = S.ESCALATED
    LEGAL[(S.REPAIRING, "escalate", remote)] = S.ESCALATED
    for src in (S.ASSIGNED, S.ACCEPTED, S.ESCALATED):
        LEGAL[(src, "reassign", remote)] = S.ASSIGNED
    LEGAL[(S.ESCALATED, "close_escalation", remote)] = S.CLOSED
LEGAL[(S.ACCEPTED, "depart", False)] = S.TRAVELLING
LEGAL[(S.TRAVELLING, "arrive", False)] = S.ON_SITE
LEGAL[(S.ON_SITE, "start_diagnosis", False)] = S.DIAGNOSING
LEGAL[(S.ACCEPTED, "start_diagnosis", True)] = S.DIAGNOSING
LEGAL[(S.DIAGNOSING, "confirm_backup", False)] = S.BACKED_UP
LEGAL[(S.BACKED_UP, "start_repair", False)] = S.REPAIRING
LEGAL[(S.REPAIRING, "resolve", False)] = S.RESOLVED
LEGAL[(S.DIAGNOSING, "resolve_remotely", True)] = S.RESOLVED_REMOTELY

ALL_TYPES = (*ON_SITE_TYPES, JobType.REMOTE_RESOLUTION)
CASES = list(itertools.product(list(S), workflow.ACTIONS, ALL_TYPES))


@pytest.mark.parametrize(("status", "action", "job_type"), CASES)
def test_every_status_action_pair(status: S, action: str, job_type: JobType) -> None:
    job = make_job(status, job_type, cause=CAUSE)
    expected = LEGAL.get((status, action, job_type is JobType.REMOTE_RESOLUTION))
    context = ctx(COMPLETE, signed=True)
    if expected is None:
        with pytest.raises(IllegalTransition) as err:
            apply(job, action, context, T0, FULL_ARGS)
        assert status.value.replace("_", " ") in str(err.value)
    else:
        after = apply(job, action, context, T0, FULL_ARGS)
        assert after.status is expected
        assert after.version == job.version + 1
        assert job.status is status  # input untouched


def test_unknown_action_is_illegal() -> None:
    with pytest.raises(IllegalTransition):
        check(make_job(), "teleport", ctx())


def test_illegal_message_lists_where_action_is_allowed() -> None:
    with pytest.raises(IllegalTransition) as err:
        apply(make_job(S.ASSIGNED), "start_repair", ctx(), T0)
    assert "allowed from: backed_up" in str(err.value)


def test_repair_gated_on_backup_with_count_and_names() -> None:
    job = make_job(S.BACKED_UP, cause=CAUSE)
    with pytest.raises(GuardFailed) as err:
        apply(job, "start_repair", ctx(PARTIAL), T0)
    assert str(err.value).startswith("Back up first: 2 of 3 backup items missing")
    assert err.value.missing == ("Export config", "Copy database")


def test_backup_cannot_be_confirmed_without_checklist_or_diagnosis() -> None:
    empty = Progress(done=0, total=0, missing=())
    with pytest.raises(GuardFailed, match="no backup checklist"):
        apply(make_job(S.DIAGNOSING, cause=CAUSE), "confirm_backup", ctx(empty), T0)
    with pytest.raises(GuardFailed, match="classify the cause"):
        apply(make_job(S.DIAGNOSING), "confirm_backup", ctx(COMPLETE), T0)
    with pytest.raises(GuardFailed, match="Back up first"):
        apply(make_job(S.DIAGNOSING, cause=CAUSE), "confirm_backup", ctx(PARTIAL), T0)


@pytest.mark.parametrize(
    ("status", "action", "args", "message"),
    [
        (S.TRAVELLING, "arrive", ActionArgs(confirmed_with="  "), "system owner"),
        (S.REPAIRING, "resolve", ActionArgs(), "how the fault was resolved"),
        (S.REPAIRING, "escalate", ActionArgs(findings="x"), "why the fault"),
        (S.DIAGNOSING, "escalate", ActionArgs(reason="x"), "what the center needs to know"),
        (S.ESCALATED, "reassign", ActionArgs(), "engineer"),
        (S.ESCALATED, "close_escalation", ActionArgs(resolution=" "), "without another visit"),
    ],
)
def test_actions_require_their_arguments(
    status: S, action: str, args: ActionArgs, message: str
) -> None:
    with pytest.raises(GuardFailed, match=message):
        apply(make_job(status, cause=CAUSE), action, ctx(), T0, args)


def test_sign_requires_signed_slip_and_remote_resolution_requires_cause() -> None:
    with pytest.raises(GuardFailed, match="not signed"):
        apply(make_job(S.RESOLVED), "sign", ctx(signed=False), T0)
    remote = make_job(S.DIAGNOSING, JobType.REMOTE_RESOLUTION)
    with pytest.raises(GuardFailed, match="Classify the cause"):
        apply(remote, "resolve_remotely", ctx(), T0, FULL_ARGS)


def test_effects_record_sla_events_and_escalation_history() -> None:
    accepted = apply(make_job(), "accept", ctx(), T0)
    assert accepted.responded_at == T0
    on_site = apply(
        make_job(S.TRAVELLING), "arrive", ctx(), T0, ActionArgs(confirmed_with=" 李经理 ")
    )
    assert on_site.arrived_at == T0 and on_site.confirmed_with == "李经理"
    esc = apply(make_job(S.REPAIRING), "escalate", ctx(), T0, FULL_ARGS)
    assert esc.escalations[0].findings == "Logs attached" and esc.escalations[0].by == "eng-1"
    back = apply(esc, "reassign", ctx(), T0, FULL_ARGS)
    assert back.status is S.ASSIGNED and back.assigned_engineer == "eng-2"
    assert len(back.escalations) == 1  # history survives re-assignment


def test_naive_time_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        apply(make_job(), "accept", ctx(), T0.replace(tzinfo=None))


def test_next_actions_offers_escalation_and_explains_blocked_steps() -> None:
    options = next_actions(make_job(S.DIAGNOSING, cause=CAUSE), ctx(PARTIAL))
    by_name = {o.action: o for o in options}
    assert list(by_name) == ["confirm_backup", "escalate"]
    assert not by_name["confirm_backup"].enabled
    assert "2 of 3" in (by_name["confirm_backup"].reason or "")
    assert by_name["escalate"].enabled


def test_whole_on_site_flow_reaches_closed() -> None:
    job = make_job()
    steps = [
        "accept",
        "depart",
        "arrive",
        "start_diagnosis",
        "confirm_backup",
        "start_repair",
        "resolve",
        "sign",
        "close",
    ]
    job = apply(job, "accept", ctx(), T0, FULL_ARGS)
    for action in steps[1:]:
        if action == "confirm_backup":
            job = type(job)(
                **{**{f: getattr(job, f) for f in job.__dataclass_fields__}, "cause": CAUSE}
            )
        job = apply(job, action, ctx(signed=True), T0, FULL_ARGS)
    assert job.status is S.CLOSED
    assert job.version == 10
