"""Outbox, sync cursor, this device's identity, and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fieldkit.store.models.base import Base
from fieldkit.store.types import JsonText, UtcDateTime


class LocalDevice(Base):
    """Exactly one row: who this installation is to the server, and its next outbox seq."""

    __tablename__ = "local_device"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    device_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    next_seq: Mapped[int] = mapped_column(Integer, default=1)


class OutboxMutation(Base):
    """A change the server has not acknowledged yet, written in the same transaction."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("device_id", "seq"),
        Index("ix_outbox_state_seq", "state", "seq"),
    )
    mutation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80))  # versioned: job.transition.v1
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    base_version: Mapped[int | None] = mapped_column(Integer)
    args: Mapped[dict[str, Any]] = mapped_column(JsonText)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # pending -> sent -> acked | rejected; rejected rows stay for the user to see and retry.
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    blob_refs: Mapped[list[str]] = mapped_column(JsonText, default=list)


class SyncCursor(Base):
    __tablename__ = "sync_cursor"
    scope: Mapped[str] = mapped_column(String(60), primary_key=True)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_sync_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # While a full snapshot is paged: the server's token to resume it after any drop.
    snapshot: Mapped[str | None] = mapped_column(String(200))
    # A reset re-reads everything; rows not seen in it were deleted on the server meanwhile.
    tracking: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class SnapshotSeen(Base):
    __tablename__ = "sync_snapshot_seen"
    entity_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(80), primary_key=True)


class AuditEntry(Base):
    """Who did what, when, on which device; the losing side of a conflict is kept here too."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    device_id: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(80))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JsonText, default=dict)
    # Plain reference, not a foreign key: acknowledged outbox rows may be pruned, the audit stays.
    mutation_id: Mapped[str | None] = mapped_column(String(36))


class Setting(Base):
    """Small typed settings persisted with the data (language, UI scale) as JSON values."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JsonText)
    note: Mapped[str] = mapped_column(Text, default="")
