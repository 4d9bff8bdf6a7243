"""Hypothesis drives random interleavings of office and engineer actions and syncs."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from fieldkit.store import models as m
from tests.support.server import Client, Office, Server, make_client
from tests.sync.test_faults import office_work, work

ENGINEERS = ("wang", "li")


def test_random_interleavings_converge(server: Server, office: Office, tmp_path: Path) -> None:
    counter = itertools.count()

    class Field(RuleBasedStateMachine):
        @initialize()
        def setup(self) -> None:
            run = next(counter)
            self.clients: dict[str, Client] = {
                name: make_client(server.url, name, tmp_path / f"{name}-{run}")
                for name in ENGINEERS
            }
            self.rng = random.Random(run)
            for c in self.clients.values():
                c.sync()

        @rule(data=st.data())
        def office_acts(self, data: st.DataObject) -> None:
            office_work(office, random.Random(data.draw(st.integers(0, 10**6))))

        @rule(name=st.sampled_from(ENGINEERS), seed=st.integers(0, 10**6))
        def engineer_works_offline(self, name: str, seed: int) -> None:
            work(self.clients[name], random.Random(seed), tmp_path)

        @precondition(lambda self: hasattr(self, "clients"))
        @rule(name=st.sampled_from(ENGINEERS))
        def engineer_syncs(self, name: str) -> None:
            client = self.clients[name]
            client.sync()
            with client.ctx.db.read() as s:
                left = s.scalars(
                    select(m.OutboxMutation.state).where(
                        m.OutboxMutation.state.in_(("pending", "sent"))
                    )
                ).all()
            assert left == []  # a completed sync leaves nothing unsent

        def teardown(self) -> None:
            if not hasattr(self, "clients"):
                return
            run = next(counter)
            for name, client in self.clients.items():
                client.sync()
                probe = make_client(server.url, name, tmp_path / f"probe-{name}-{run}")
                probe.sync()
                try:
                    assert client.replica() == probe.replica()
                finally:
                    probe.close()
                    client.close()

    run_state_machine_as_test(
        Field,
        settings=settings(
            max_examples=6,
            stateful_step_count=12,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
