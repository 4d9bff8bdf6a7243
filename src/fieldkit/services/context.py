"""What every use case needs: the store, the blobs, the clock, who and which device."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fieldkit.domain.clock import Clock, SystemClock
from fieldkit.services.job_list import JobList
from fieldkit.store import DATA_FILE
from fieldkit.store.blobs import BlobStore
from fieldkit.store.database import Database, open_database
from fieldkit.store.list_reader import ListReader
from fieldkit.store.models import LocalDevice, new_id


@dataclass(frozen=True)
class ServiceContext:
    db: Database
    blobs: BlobStore
    clock: Clock
    actor: str
    device_id: str
    job_list: JobList


def ensure_device_id(db: Database, clock: Clock) -> str:
    """This installation's id, created once: the server keys exactly-once push on it."""
    with db.write() as session:
        row = session.get(LocalDevice, 1)
        if row is None:
            row = LocalDevice(id=1, device_id=new_id(), created_at=clock.now(), next_seq=1)
            session.add(row)
        return row.device_id


def open_context(
    data_dir: Path, actor: str, clock: Clock | None = None, reader: ListReader | None = None
) -> ServiceContext:
    """Open (and migrate) the store in ``data_dir`` and clear leftovers of interrupted writes.
    ``reader``: the list reader the window started with, if it opened before the store."""
    clock = clock or SystemClock()
    db = open_database(Path(data_dir) / DATA_FILE)
    reader = reader or ListReader(db.path)
    db.closes_with(reader)
    blobs = BlobStore(Path(data_dir) / "blobs")
    blobs.clean_temp()
    return ServiceContext(
        db=db,
        blobs=blobs,
        clock=clock,
        actor=actor,
        device_id=ensure_device_id(db, clock),
        job_list=JobList(reader),
    )
