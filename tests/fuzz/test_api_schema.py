"""Schemathesis against the service center's own OpenAPI schema, on a real server process:
generated requests to every operation, with an engineer's token; no answer may be a 5xx, and
every answer must conform to the schema. (Driven through Hypothesis directly: schemathesis'
pytest plugin does not support this pytest.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.support.server import PASSWORD, Server, seed, start_server

EXAMPLES = 25


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    folder = tmp_path_factory.mktemp("fuzz-server")
    seed(folder)
    server = start_server(folder, env={"FIELDKIT_SERVER_DEBUG": "1"})  # publishes the schema
    login = requests.post(
        server.url + "/auth/login",
        json={
            "username": "wang",
            "password": PASSWORD,
            "device_id": "00000000-0000-4000-8000-00000000f022",
            "device_name": "fuzz",
        },
        timeout=30,
    )
    login.raise_for_status()
    yield server, login.json()["token"]
    server.stop()


def test_no_server_error_and_answers_conform(live: tuple[Server, str]) -> None:
    server, token = live
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 10  # the schema really lists the API
    failures: list[str] = []
    calls: dict[int, int] = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            response = case.call_and_validate(
                base_url=server.url, headers={"Authorization": f"Bearer {token}"}
            )
            calls[response.status_code // 100] = calls.get(response.status_code // 100, 0) + 1

        try:
            run()
        except Exception as exc:  # collected: one report for every operation
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:800])
    assert failures == [], "\n\n".join(failures)
    # Generated requests really reached the server, valid ones as well as refused ones.
    print(f"\n{len(operations)} operations, answers by class: {sorted(calls.items())}")
    assert calls.get(2, 0) > 0 and calls.get(4, 0) > 0 and 5 not in calls
