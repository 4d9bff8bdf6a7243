"""Jobs (service orders), their escalations, work log and attachments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fieldkit.store.models.base import Base, new_id
from fieldkit.store.types import UtcDateTime


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_severity", "status", "severity"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    device_id: Mapped[str | None] = mapped_column(ForeignKey("devices.id"))
    contract_id: Mapped[str | None] = mapped_column(ForeignKey("contracts.id"))
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    channel: Mapped[str] = mapped_column(String(20))
    fault_description: Mapped[str] = mapped_column(Text)
    severity: Mapped[int] = mapped_column(Integer)
    job_type: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(30))
    billing: Mapped[str] = mapped_column(String(20))
    billing_basis: Mapped[str] = mapped_column(String(200), default="")
    assigned_engineer: Mapped[str] = mapped_column(String(80), default="", index=True)
    cause_area: Mapped[str | None] = mapped_column(String(20))
    cause_origin: Mapped[str | None] = mapped_column(String(20))
    fault_found: Mapped[str] = mapped_column(Text, default="")
    resolution: Mapped[str] = mapped_column(Text, default="")
    confirmed_with: Mapped[str] = mapped_column(String(120), default="")
    # SLA: deadlines are stored so lists can sort by urgency without recomputing.
    respond_by: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    arrive_by: Mapped[datetime | None] = mapped_column(UtcDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    arrived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Escalation(Base):
    """Append-only: the center reads these to re-assign."""

    __tablename__ = "escalations"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text)
    findings: Mapped[str] = mapped_column(Text)
    # needs_part | vendor | specialist | other (domain.enums.EscalationCategory)
    category: Mapped[str] = mapped_column(String(20), default="other", server_default="other")


class WorkLogEntry(Base):
    """accepted / departed / arrived / started / finished timestamps and free notes."""

    __tablename__ = "work_log"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text, default="")


class Attachment(Base):
    __tablename__ = "attachments"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # photo | backup_file | log | document
    # Files and logs sent with an escalation name it (kind "escalation").
    escalation_id: Mapped[str | None] = mapped_column(String(36))
    filename: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(80))
    blob_sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
