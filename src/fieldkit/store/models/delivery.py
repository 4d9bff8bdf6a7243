"""Getting the signed slip to the customer: each e-mail the engineer asked for, with the
status the center reports back (queued, sent, failed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fieldkit.store.models.base import Base, new_id
from fieldkit.store.types import UtcDateTime


class SlipEmail(Base):
    """Written by the device when queued; the center owns the status from then on."""

    __tablename__ = "slip_emails"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), index=True)
    slip_id: Mapped[str] = mapped_column(ForeignKey("slips.id"))
    to_address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(10))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    requested_by: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(10), default="queued")  # DeliveryStatus
    status_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    detail: Mapped[str] = mapped_column(Text, default="")  # why it failed or is retried
    attempts: Mapped[int] = mapped_column(Integer, default=0)
