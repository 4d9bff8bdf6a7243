"""Quotes for post-warranty work and the parts actually replaced."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fieldkit.store.models.base import Base, new_id
from fieldkit.store.types import DecimalText, UtcDateTime


class Quote(Base):
    __tablename__ = "quotes"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), index=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    valid_until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by_name: Mapped[str] = mapped_column(String(120), default="")
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    approval_signature_id: Mapped[str | None] = mapped_column(ForeignKey("signatures.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic concurrency


class QuoteLine(Base):
    __tablename__ = "quote_lines"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    quote_id: Mapped[str] = mapped_column(ForeignKey("quotes.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # part | labour | travel
    part_id: Mapped[str | None] = mapped_column(ForeignKey("parts.id"))
    part_no: Mapped[str | None] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(DecimalText)
    unit_price: Mapped[Decimal] = mapped_column(DecimalText)
    tax_rate: Mapped[Decimal] = mapped_column(DecimalText)


class PartReplacement(Base):
    __tablename__ = "part_replacements"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), index=True)
    part_no: Mapped[str] = mapped_column(String(60))
    quantity: Mapped[Decimal] = mapped_column(DecimalText)
    serial_removed: Mapped[str] = mapped_column(String(120), default="")
    serial_installed: Mapped[str] = mapped_column(String(120), default="")
    paid: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by: Mapped[str] = mapped_column(String(80))
