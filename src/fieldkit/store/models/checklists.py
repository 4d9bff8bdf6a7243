"""Checklist templates and the runs attached to jobs (backup before repair, inspections)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fieldkit.store.models.base import Base, new_id
from fieldkit.store.types import UtcDateTime


class ChecklistTemplate(Base):
    __tablename__ = "checklist_templates"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(20))  # backup | inspection
    version: Mapped[int] = mapped_column(Integer, default=1)


class ChecklistTemplateItem(Base):
    __tablename__ = "checklist_template_items"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    template_id: Mapped[str] = mapped_column(ForeignKey("checklist_templates.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(300))
    evidence_kind: Mapped[str] = mapped_column(String(10))
    required: Mapped[bool] = mapped_column(Boolean, default=True)


class ChecklistRun(Base):
    """A template instantiated for one job (and for inspections, one device)."""

    __tablename__ = "checklist_runs"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), index=True)
    template_id: Mapped[str | None] = mapped_column(ForeignKey("checklist_templates.id"))
    purpose: Mapped[str] = mapped_column(String(20))
    device_id: Mapped[str | None] = mapped_column(ForeignKey("devices.id"))


class ChecklistRunItem(Base):
    """Items are copied from the template so later template edits never rewrite history."""

    __tablename__ = "checklist_run_items"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    run_id: Mapped[str] = mapped_column(ForeignKey("checklist_runs.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(300))
    evidence_kind: Mapped[str] = mapped_column(String(10))
    required: Mapped[bool] = mapped_column(Boolean, default=True)


class ChecklistAnswer(Base):
    """Append-only evidence; the latest answer per item counts."""

    __tablename__ = "checklist_answers"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    run_item_id: Mapped[str] = mapped_column(ForeignKey("checklist_run_items.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(10))
    ticked: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text, default="")
    blob_sha256: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255), default="")
