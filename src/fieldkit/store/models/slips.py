"""Signatures and service slips. A signed slip row is frozen by a database trigger too."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fieldkit.store.models.base import Base, new_id
from fieldkit.store.types import JsonText, UtcDateTime


class Signature(Base):
    """Vector strokes as captured: [[ [x, y, pressure, t_ms], ... ], ...] on a canvas.

    The center also records which device captured it (server side only): device ids never
    travel to other engineers' tablets, where they would let one engineer pose as another."""

    __tablename__ = "signatures"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    role: Mapped[str] = mapped_column(String(20))
    signer_name: Mapped[str] = mapped_column(String(120))
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    canvas_width: Mapped[int] = mapped_column(Integer)
    canvas_height: Mapped[int] = mapped_column(Integer)
    strokes: Mapped[list[list[list[float]]]] = mapped_column(JsonText)
    thumbnail_sha256: Mapped[str | None] = mapped_column(String(64))


class Slip(Base):
    __tablename__ = "slips"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), index=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    canonical: Mapped[str] = mapped_column(Text)  # exact canonical JSON that was hashed
    content_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    supersedes_id: Mapped[str | None] = mapped_column(ForeignKey("slips.id"))
    # Empty only when the customer did not sign (the signed content says why).
    customer_signature_id: Mapped[str | None] = mapped_column(ForeignKey("signatures.id"))
    engineer_signature_id: Mapped[str | None] = mapped_column(ForeignKey("signatures.id"))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    # Ed25519 signature of the content hash by the issuing device, and that device's public key.
    device_signature: Mapped[str | None] = mapped_column(String(100))
    device_public_key: Mapped[str | None] = mapped_column(String(60))
