"""Background sync across an outage, per-record sync state, and the conflict inbox."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlparse

import pytest

from fieldkit.domain.errors import GuardFailed
from fieldkit.services import conflicts, jobs, queries
from fieldkit.sync.auto import AutoSync, AutoSyncSettings, Connection, SyncState
from tests.support.server import Client, Office, Server, start_server

FAST = AutoSyncSettings(
    interval_s=0.2, after_change_s=0.05, offline_retry_s=0.1, offline_retry_max_s=0.3
)


def wait_for(states: list[SyncState], event: threading.Event, want: Connection) -> SyncState:
    assert event.wait(30), f"no {want} state; got {[s.connection for s in states]}"
    return states[-1]


def test_background_sync_survives_an_outage(server: Server, office: Office, wang: Client) -> None:
    states: list[SyncState] = []
    online, offline = threading.Event(), threading.Event()

    def record(state: SyncState) -> None:
        states.append(state)
        (online if state.connection is Connection.ONLINE else offline).set()

    auto = AutoSync(wang.ctx, record, FAST)
    auto.start()
    try:
        wait_for(states, online, Connection.ONLINE)
        port = urlparse(server.url).port
        server.stop()
        offline.clear()
        auto.sync_now()
        state = wait_for(states, offline, Connection.OFFLINE)
        assert "cannot be reached" in state.message
        first = queries.job_ids(wang.ctx, queries.JobFilter())[0]
        jobs.add_note(wang.ctx, first, "离线时写的 written offline")
        assert conflicts.changes_for(wang.ctx, first)[-1].label == "saved on device"
        online.clear()
        restarted = start_server(server.data_dir, db=server.db, port=port)
        server.process = restarted.process
        wait_for(states, online, Connection.ONLINE)  # picked up without anyone pressing sync
        # A sync that began during the outage may come online before sending the note (it read
        # the outbox earlier); the next round sends it. Nobody has to press anything.
        deadline = time.monotonic() + 30
        while conflicts.changes_for(wang.ctx, first)[-1].label != "received by server":
            assert time.monotonic() < deadline, states[-3:]
            time.sleep(0.05)
    finally:
        auto.stop()


def test_conflict_inbox_keep_mine_or_use_server(
    server: Server, office: Office, wang: Client
) -> None:
    job = office.new_job("wang")
    other = office.new_job("wang")
    wang.sync()
    for target in (job, other):
        jobs.accept_job(wang.ctx, target)
    office.assign(job, "li")
    office.assign(other, "li")
    wang.sync()
    inbox = conflicts.inbox(wang.ctx)
    assert [c.entity_id for c in inbox] == [job, other]
    assert all(c.label == "rejected" and "re-assigned" in c.reason for c in inbox)
    conflicts.use_server(wang.ctx, inbox[0].mutation_id)
    conflicts.keep_mine(wang.ctx, inbox[1].mutation_id)  # sent again: still refused
    with pytest.raises(GuardFailed):
        conflicts.use_server(wang.ctx, inbox[0].mutation_id)
    report = wang.sync()
    assert report.rejected == 1
    assert [c.entity_id for c in conflicts.inbox(wang.ctx)] == [other]
    assert [c.label for c in conflicts.changes_for(wang.ctx, job)] == ["server version kept"]
