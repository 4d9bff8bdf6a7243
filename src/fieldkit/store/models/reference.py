"""Reference data the engineer studies offline: customers, contracts, sites, devices, documents."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldkit.store.models.base import Base, new_id
from fieldkit.store.types import DecimalText, UtcDateTime


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(8), default="zh")  # language of its documents
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)


class Contract(Base):
    __tablename__ = "contracts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    warranty_ends_on: Mapped[date | None] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    version: Mapped[int] = mapped_column(Integer, default=1)
    sla_terms: Mapped[list[ContractSla]] = relationship(cascade="all, delete-orphan")


class ContractSla(Base):
    """Per severity level: minutes to respond and to be on site (null: no on-site promise)."""

    __tablename__ = "contract_sla"
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    severity: Mapped[int] = mapped_column(Integer, primary_key=True)
    respond_minutes: Mapped[int] = mapped_column(Integer)
    arrive_minutes: Mapped[int | None] = mapped_column(Integer)


class Site(Base):
    __tablename__ = "sites"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    contract_id: Mapped[str | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    installed_by_us: Mapped[bool] = mapped_column(Boolean, default=True)
    software_media_notes: Mapped[str] = mapped_column(Text, default="")
    # IANA zone of the site: every time a document shows the customer is local time there.
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    version: Mapped[int] = mapped_column(Integer, default=1)


class SiteContact(Base):
    """System owner, installers and other people an engineer may need to call."""

    __tablename__ = "site_contacts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))  # system_owner | installer | other
    name: Mapped[str] = mapped_column(String(120))
    company: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")


class Subsystem(Base):
    __tablename__ = "subsystems"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))  # e.g. 门禁 access control, CCTV, BMS
    description: Mapped[str] = mapped_column(Text, default="")


class Device(Base):
    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    subsystem_id: Mapped[str | None] = mapped_column(ForeignKey("subsystems.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    manufacturer: Mapped[str] = mapped_column(String(120), default="")
    model: Mapped[str] = mapped_column(String(120), default="")
    serial: Mapped[str] = mapped_column(String(120), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    firmware_version: Mapped[str] = mapped_column(String(60), default="")
    warranty_ends_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)


class DeviceParameter(Base):
    """Typed key/value: value is text, ``value_type`` says how to read it (int, float, ...)."""

    __tablename__ = "device_parameters"
    __table_args__ = (UniqueConstraint("device_id", "key"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    key: Mapped[str] = mapped_column(String(120))
    value_type: Mapped[str] = mapped_column(String(10))  # str|int|decimal|bool|ip
    value: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(20), default="")


class Document(Base):
    """Drawings, manuals, wiring diagrams. Content lives in the blob store by hash."""

    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # drawing|wiring|manual|photo|software_media
    title: Mapped[str] = mapped_column(String(200))
    version_label: Mapped[str] = mapped_column(String(40), default="")
    blob_sha256: Mapped[str] = mapped_column(String(64), index=True)
    mime: Mapped[str] = mapped_column(String(80))
    size_bytes: Mapped[int] = mapped_column(Integer)
    page_count: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Part(Base):
    """Parts catalog and price list in one: the price an engineer may quote today."""

    __tablename__ = "parts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    part_no: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(20), default="pc")
    unit_price: Mapped[Decimal] = mapped_column(DecimalText)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    tax_rate: Mapped[Decimal] = mapped_column(DecimalText)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
