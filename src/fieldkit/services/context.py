"""What every use case needs: the store, the blobs, the clock, who and which device."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fieldkit.domain.clock import Clock, SystemClock
from fieldkit.store.blobs import BlobStore
from fieldkit.store.database import Database, open_database
from fieldkit.store.models import LocalDevice, new_id


@dataclass(frozen=True)
class ServiceContext:
    db: Database
    blobs: BlobStore
    clock: Clock
    actor: str
    device_id: str


def ensure_device_id(db: Database, clock: Clock) -> str:
    """This installation's id, created once: the server keys exactly-once push on it."""
    with db.write() as session:
        row = session.get(LocalDevice, 1)
        if row is None:
            row = LocalDevice(id=1, device_id=new_id(), created_at=clock.now(), next_seq=1)
            session.add(row)
        return row.device_id


def open_context(data_dir: Path, actor: str, clock: Clock | None = None) -> ServiceContext:
    """Open (and migrate) the store in ``data_dir`` and clear leftovers of interrupted writes."""
    clock = clock or SystemClock()
    db = open_database(Path(data_dir) / "fieldkit.db")
    blobs = BlobStore(Path(data_dir) / "blobs")
    blobs.clean_temp()
    return ServiceContext(
        db=db, blobs=blobs, clock=clock, actor=actor, device_id=ensure_device_id(db, clock)
    )
