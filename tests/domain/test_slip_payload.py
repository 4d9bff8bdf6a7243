"""The slip payload rule (app and center), the normaliser that reads every version ever
signed, and local times with their offset."""

from __future__ import annotations

from typing import Any

import pytest

from fieldkit.domain.errors import InvalidValue
from fieldkit.domain.slip_payload import (
    SCHEMA_V1,
    SCHEMA_V2,
    check_payload,
    local_time,
    normalise,
)


def v2(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "schema": SCHEMA_V2,
        "job": {"number": "SO-1"},
        "customer": {"name": "客户"},
        "site": {"name": "主楼", "timezone": "Asia/Shanghai"},
        "engineer": {"username": "wang", "name": "王工"},
        "times": {},
        "satisfaction": 4,
        "customer_absent": None,
        "signatures": [{"role": "customer"}, {"role": "engineer"}],
    }
    return {**payload, **changes}


def test_a_complete_payload_passes_and_every_missing_piece_is_named() -> None:
    check_payload(v2())
    check_payload(v2(customer_absent={"reason": "不在场"}, signatures=[{"role": "engineer"}]))
    for payload, message in (
        (v2(schema="fieldkit.slip/9"), "Unknown slip format"),
        (v2(site={"timezone": "Mars/Olympus"}), "Unknown time zone"),
        (v2(engineer={"name": " "}), "engineer's name"),
        (v2(signatures=[{"role": "customer"}]), "engineer signs"),
        (v2(signatures=[{"role": "engineer"}]), "signed by the customer"),
        (v2(satisfaction=0), "rated 1 to 5"),
        (v2(customer_absent={"reason": ""}, signatures=[{"role": "engineer"}]), "Say why"),
        (v2(customer_absent={"reason": "走了"}), "not a slip without the customer"),
    ):
        with pytest.raises(InvalidValue, match=message):
            check_payload(payload)


def test_version_1_is_judged_by_its_hash_alone() -> None:
    check_payload({"schema": SCHEMA_V1, "work_performed": "x"})


def test_the_early_demo_shape_reads_as_the_current_one() -> None:
    early = {"schema": SCHEMA_V1, "job": {"number": "SO-1"}, "engineer": "demo", "comments": ""}
    shown = normalise(early)
    assert shown["engineer"] == {"username": "demo", "name": "demo"}
    assert shown["customer"] == {} and shown["site"] == {} and shown["parts"] == []
    assert shown["schema"] == SCHEMA_V1 and shown["slip_id"] == "-"
    # The app's v1 slips named the engineer only in their signatures.
    app = {"schema": SCHEMA_V1, "signatures": [{"role": "engineer", "name": "王工"}]}
    assert normalise(app)["engineer"]["name"] == "王工"


@pytest.mark.parametrize(
    "moment, zone, shown",
    [
        ("2026-11-20T09:00:00.000000Z", "Asia/Shanghai", "2026-11-20 17:00 +08:00"),
        ("2026-07-01T12:00:00.000000Z", "America/New_York", "2026-07-01 08:00 -04:00"),
        ("2026-12-01T12:00:00.000000Z", "America/New_York", "2026-12-01 07:00 -05:00"),
        ("2026-11-20T09:00:00.000000Z", None, "2026-11-20 09:00 +00:00"),
        ("not a time", "Asia/Shanghai", "not a time"),
    ],
)
def test_local_time_carries_the_sites_offset(moment: str, zone: str | None, shown: str) -> None:
    assert local_time(moment, zone) == shown
