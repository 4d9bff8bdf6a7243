"""The center issues slip numbers (security review H5): two tablets of one engineer each
sign a correction of the same slip while offline, both numbered "-S2". Once the second was
refused ("slip.number") and the customer's signed correction never reached the center; now
the center files it as "-S3", and both tablets adopt that number through the normal pull.
A number of another job is still refused, and the signed content never changes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from sqlalchemy import select

from fieldkit.domain.enums import SignerRole
from fieldkit.services import slips
from fieldkit.store import models as m
from tests.services.fixtures import signature
from tests.support.flow import resolve_on_site
from tests.support.keyrings import MemoryKeyring
from tests.support.server import Client, Office, Server, make_client


def _slips(client: Client, job: str) -> dict[str, tuple[str, str]]:
    """slip id -> (number, content hash) of the job's slips on the device."""
    with client.ctx.db.read() as s:
        rows = s.scalars(select(m.Slip).where(m.Slip.job_id == job))
        return {r.id: (r.number, r.content_sha256) for r in rows}


def _correct(client: Client, job: str, first: str) -> str:
    engineer = signature(SignerRole.ENGINEER, "王工")
    slips.sign_slip(client.ctx, job, signature(), engineer, 4, comments="更正", supersedes_id=first)
    mine = [i for i, (n, _) in _slips(client, job).items() if n.endswith("-S2")]
    assert len(mine) == 1
    return mine[0]


class Device:
    """A client on a machine of its own: its own OS keyring (token and device key)."""

    def __init__(self, client: Client, own: MemoryKeyring, shared: MemoryKeyring) -> None:
        self.client, self.own, self.shared = client, own, shared

    @contextlib.contextmanager
    def on(self) -> Iterator[Client]:
        keyring.set_keyring(self.own)
        try:
            yield self.client
        finally:
            keyring.set_keyring(self.shared)


@pytest.fixture
def laptop(
    server: Server, tmp_path: Path, wang: Client, memory_keyring: MemoryKeyring
) -> Iterator[Device]:
    """wang's second device, logged in on its own."""
    own = MemoryKeyring()
    keyring.set_keyring(own)
    try:
        client = make_client(server.url, "wang", tmp_path / "wang-laptop")
    finally:
        keyring.set_keyring(memory_keyring)
    yield Device(client, own, memory_keyring)
    client.close()


def test_a_slip_number_taken_in_its_job_is_reissued_and_adopted_by_both_tablets(
    server: Server, office: Office, wang: Client, laptop: Device, tmp_path: Path
) -> None:
    job = office.new_job("wang")
    wang.sync()
    resolve_on_site(wang.ctx, job, tmp_path)
    slips.sign_slip(wang.ctx, job, signature(), signature(SignerRole.ENGINEER, "王工"), 5)
    assert wang.sync().rejected == 0
    with laptop.on() as other:
        other.sync()
        (first,) = _slips(other, job)
        # Both offline: each corrects the slip, each numbers its correction "-S2".
        on_laptop = _correct(other, job, first)
    on_tablet = _correct(wang, job, first)
    signed = {**_slips(wang, job), **_slips(laptop.client, job)}
    assert wang.sync().rejected == 0
    with laptop.on() as other:
        report = other.sync()
    assert report.rejected == 0, report.rejections
    number = next(iter(_slips(wang, job).values()))[0].rsplit("-S", 1)[0]
    expected = {
        first: f"{number}-S1",
        on_tablet: f"{number}-S2",
        on_laptop: f"{number}-S3",  # issued by the center
    }
    wang.sync()
    for client in (wang, laptop.client):
        got = _slips(client, job)
        assert {i: n for i, (n, _) in got.items()} == expected, client.ctx.db.path
        # Only the record's number changed: what the customer signed is as it was.
        assert {i: h for i, (_, h) in got.items()} == {i: h for i, (_, h) in signed.items()}
    with laptop.client.ctx.db.read() as s:
        canonical = s.get(m.Slip, on_laptop)
        assert canonical is not None and f'"number":"{number}-S2"' in canonical.canonical
    # A slip record is still immutable in everything else.
    with pytest.raises(Exception, match="immutable"), laptop.client.ctx.db.write() as s:
        row = s.get(m.Slip, on_laptop)
        assert row is not None
        row.content_sha256 = "0" * 64
