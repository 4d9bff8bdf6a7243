"""A supervisor wipes one stolen tablet from the people page's use case: that tablet erases
its synced data at its next sync, while the same engineer's other device keeps working."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from fieldkit.server.office_people import OfficePeople
from fieldkit.store import models as m
from fieldkit.sync.errors import DeviceWiped
from tests.support.keyrings import MemoryKeyring
from tests.support.server import Client, Office, Server, make_client


def _jobs(client: Client) -> int:
    with client.ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(m.Job)) or 0)


def test_wiping_one_device_erases_that_tablet_only(
    server: Server, office: Office, wang: Client, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    office.new_job("wang")
    # Another host name for the same center: the two devices' tokens stay apart in the one
    # keyring this test process has (a real second tablet has its own).
    spare = make_client(server.url.replace("127.0.0.1", "localhost"), "wang", tmp_path / "spare")
    try:
        wang.sync()
        spare.sync()
        assert _jobs(wang) > 0 and _jobs(spare) > 0
        engine = server.engine()
        OfficePeople(engine).wipe_device("wang", wang.ctx.device_id)
        engine.dispose()
        with pytest.raises(DeviceWiped, match="reported lost or stolen"):
            wang.sync()
        assert _jobs(wang) == 0
        assert spare.sync().rejected == 0 and _jobs(spare) > 0
    finally:
        spare.close()
