"""Hundreds of sync rounds through injected network faults, with concurrent edits by two
engineers and the office. Afterwards: nothing lost, nothing applied twice, every replica
equals the server's view for its engineer, every blob verifies."""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from fieldkit.domain.enums import CauseArea, CauseOrigin
from fieldkit.domain.errors import DomainError
from fieldkit.domain.workflow import ActionArgs
from fieldkit.services import checklists, jobs
from fieldkit.store import models as m
from fieldkit.sync import session
from fieldkit.sync.engine import SyncEngine
from fieldkit.sync.errors import SyncError
from fieldkit.sync.transport import Transport
from tests.support.faults import FAULTS, FaultyAdapter
from tests.support.server import Client, Office, Server, make_client
from tests.support.tcp_faults import TCP_FAULTS, FaultProxy

ROUNDS = int(os.environ.get("FIELDKIT_FAULT_ROUNDS", "200"))
TCP_ROUNDS = int(os.environ.get("FIELDKIT_TCP_FAULT_ROUNDS", "60"))
ARGS = ActionArgs(
    confirmed_with="王主管",
    resolution="更换电源 replaced PSU",
    reason="需要厂家 needs vendor",
    findings="日志 logs",
)


def work(client: Client, rng: random.Random, tmp: Path) -> None:
    """One thing an engineer does on site, offline."""
    with client.ctx.db.read() as s:
        ids = sorted(s.scalars(select(m.Job.id)))
    if not ids:
        return
    job = rng.choice(ids)
    if rng.random() < 0.3:
        jobs.add_note(client.ctx, job, f"note {rng.randrange(10**6)} 备注")
        return
    options = [
        o
        for o in jobs.available_actions(client.ctx, job)
        if o.action not in ("escalate",) or rng.random() < 0.1
    ]
    try:
        with client.ctx.db.read() as s:
            status = s.get(m.Job, job).status  # type: ignore[union-attr]
        if status == "diagnosing":
            jobs.classify_cause(client.ctx, job, CauseArea.SOFTWARE, CauseOrigin.HUMAN_ERROR)
            view = checklists.backup_checklist(client.ctx, job)
            for item in view.items if view else []:
                kind = item.evidence_kind.value
                path = tmp / f"evidence-{rng.randrange(10**9)}.bin"
                path.write_bytes(os.urandom(rng.randrange(1, 300_000)))
                checklists.record_evidence(
                    client.ctx,
                    item.id,
                    ticked=kind == "tick",
                    text="v1" if kind == "text" else "",
                    file=path if kind in ("file", "photo") else None,
                )
        enabled = [o.action for o in options if o.enabled and o.action != "sign"]
        if enabled:
            jobs.perform(client.ctx, job, enabled[0], ARGS)
    except DomainError:
        pass  # the job moved on meanwhile (re-assigned, escalated): a refusal is fine


def office_work(office: Office, rng: random.Random) -> None:
    roll = rng.random()
    if roll < 0.4:
        office.new_job(rng.choice(["wang", "li"]), severity=rng.randint(1, 4))
    elif roll < 0.7:
        candidates = [
            j
            for j in office.jobs()
            if j["status"] in ("assigned", "accepted", "escalated")
            and j["assigned_engineer"] in ("wang", "li")
        ]
        if candidates:
            job = rng.choice(candidates)
            office.assign(job["id"], "li" if job["assigned_engineer"] == "wang" else "wang")
    else:
        all_jobs = office.jobs()
        job = rng.choice(all_jobs)
        office.call("PATCH", f"/dispatch/jobs/{job['id']}", json={"severity": rng.randint(1, 4)})


def synced(client: Client, transport: Transport) -> bool:
    """One sync over ``transport``: True if it completed, False if a fault stopped it."""
    transport._sleep = lambda _s: None  # backoff timing is not what these tests check
    transport.retries = 1  # let some syncs die mid-way, to exercise resuming
    try:
        SyncEngine(client.ctx, transport).run()
        return True
    except SyncError:
        return False
    finally:
        transport.close()


def faulty_sync(client: Client, adapter: FaultyAdapter) -> bool:
    transport = session.connect(client.ctx)
    transport.session.mount("http://", adapter)
    return synced(client, transport)


def rounds_then_invariants(
    server: Server,
    office: Office,
    clients: list[Client],
    tmp_path: Path,
    rng: random.Random,
    sync_once: Callable[[Client], bool],
    rounds: int,
) -> tuple[Counter[bool], int]:
    """Engineers work offline and sync through faults, the office edits meanwhile; then the
    network comes back and nothing may be lost, duplicated or different from the server."""
    wang, li = clients
    for c in clients:
        c.sync()
    outcomes: Counter[bool] = Counter()
    for _ in range(rounds):
        client = rng.choice(clients)
        work(client, rng, tmp_path)
        if rng.random() < 0.3:
            office_work(office, rng)
        outcomes[sync_once(client)] += 1
    for _ in range(2):  # the network comes back
        for c in clients:
            c.sync()

    engine = server.engine()
    from fieldkit.server import tables as t

    with engine.connect() as conn:
        processed = dict(
            conn.execute(
                select(t.processed_mutations.c.mutation_id, t.processed_mutations.c.status)
            ).all()
        )
        server_notes = Counter(
            conn.scalars(
                select(t.ENTITY["work_log"].c.note).where(t.ENTITY["work_log"].c.kind == "note")
            )
        )
    engine.dispose()
    for c in clients:
        with c.ctx.db.read() as s:
            states = Counter(s.scalars(select(m.OutboxMutation.state)))
            assert set(states) <= {"acked", "rejected"}, states  # nothing left behind
            for mut in s.scalars(select(m.OutboxMutation)):
                expected = "applied" if mut.state == "acked" else "rejected"
                assert processed[mut.mutation_id] == expected  # exactly once, same verdict
                if mut.name == "worklog.add.v1" and mut.state == "acked":
                    assert server_notes[mut.args["note"]] == 1  # no duplicate rows
        probe = make_client(server.url, c.username, tmp_path / f"probe-{c.username}")
        probe.sync()
        mine, theirs = c.replica(), probe.replica()
        diff = {
            k: {f: (mine[k][f], theirs[k][f]) for f in mine[k] if mine[k][f] != theirs[k][f]}
            for k in mine.keys() & theirs.keys()
            if mine[k] != theirs[k]
        }
        assert (diff, sorted(mine.keys() - theirs.keys()), sorted(theirs.keys() - mine.keys())) == (
            {},
            [],
            [],
        )
        probe.close()
        for sha in c.ctx.blobs:
            assert c.ctx.blobs.verify(sha)
    with wang.ctx.db.read() as s:
        wang_muts = s.scalar(select(func.count()).select_from(m.OutboxMutation))
    with li.ctx.db.read() as s:
        li_muts = s.scalar(select(func.count()).select_from(m.OutboxMutation))
    assert len(processed) == wang_muts + li_muts
    return outcomes, len(processed)


def test_sync_through_faults_loses_and_duplicates_nothing(
    server: Server, office: Office, wang: Client, li: Client, tmp_path: Path
) -> None:
    rng = random.Random(20261125)
    adapter = FaultyAdapter(rng, rate=0.35)
    outcomes, mutations = rounds_then_invariants(
        server, office, [wang, li], tmp_path, rng, lambda c: faulty_sync(c, adapter), ROUNDS
    )
    assert sum(adapter.injected.values()) > ROUNDS // 2  # the faults really happened
    assert set(adapter.injected) == set(FAULTS)
    assert outcomes[False] > 0 and outcomes[True] > 0
    print(
        f"\nfault rounds={ROUNDS} requests={adapter.requests} injected={dict(adapter.injected)} "
        f"syncs ok/failed={outcomes[True]}/{outcomes[False]} mutations={mutations}"
    )


def test_sync_through_a_faulty_tcp_proxy_loses_and_duplicates_nothing(
    server: Server, office: Office, wang: Client, li: Client, tmp_path: Path
) -> None:
    rng = random.Random(20261126)
    proxy = FaultProxy(int(server.url.rsplit(":", 1)[1]), rng, rate=0.5, stall_s=2.5)

    def through_proxy(client: Client) -> bool:
        acct = session.account(client.ctx)
        assert acct is not None
        token = session.credentials().load(acct.server_url, acct.username)
        # Short timeouts: a stalled answer must fail this sync, not hang it.
        return synced(client, Transport(proxy.url, token=token, timeout=(1.0, 1.5)))

    try:
        outcomes, mutations = rounds_then_invariants(
            server, office, [wang, li], tmp_path, rng, through_proxy, TCP_ROUNDS
        )
    finally:
        proxy.close()
    assert sum(proxy.injected.values()) > TCP_ROUNDS // 5  # the faults really happened
    assert set(proxy.injected) == set(TCP_FAULTS)
    assert outcomes[False] > 0 and outcomes[True] > 0
    print(
        f"\ntcp fault rounds={TCP_ROUNDS} connections={proxy.connections} "
        f"injected={dict(proxy.injected)} syncs ok/failed={outcomes[True]}/{outcomes[False]} "
        f"mutations={mutations}"
    )
