"""The site dossier an engineer opens on site: drawings and documents, contacts, subsystems,
software media notes, and the device registry with its parameters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import or_, select

from fieldkit.i18n import N_
from fieldkit.services.context import ServiceContext
from fieldkit.services.records import NotFound, job_row
from fieldkit.services.text_filters import like_pattern
from fieldkit.store import models as m


@dataclass(frozen=True)
class DocumentEntry:
    id: str
    kind: str  # drawing | wiring | manual | photo | software_media
    title: str
    version_label: str
    mime: str
    size_bytes: int
    pages: int | None
    on_device: bool  # False until the site pack is fetched


@dataclass(frozen=True)
class ContactEntry:
    role: str  # system_owner | installer | other
    name: str
    company: str
    phone: str
    email: str


@dataclass(frozen=True)
class ParameterRow:
    device: str
    location: str
    key: str
    value: str
    unit: str


@dataclass(frozen=True)
class SiteDossier:
    site_id: str
    name: str
    address: str
    installed_by_us: bool
    software_media_notes: str
    subsystems: list[str]
    contacts: list[ContactEntry]
    documents: list[DocumentEntry]
    devices: int


def site_dossier(ctx: ServiceContext, job_id: str) -> SiteDossier:
    with ctx.db.read() as session:
        job = job_row(session, job_id)
        site = session.get(m.Site, job.site_id)
        if site is None:
            raise NotFound(N_("The site of this job is not on this device"))
        documents = session.scalars(
            select(m.Document)
            .where(m.Document.site_id == site.id)
            .order_by(m.Document.kind, m.Document.title)
        ).all()
        contacts = session.scalars(
            select(m.SiteContact)
            .where(m.SiteContact.site_id == site.id)
            .order_by(m.SiteContact.role, m.SiteContact.name)
        ).all()
        subsystems = session.scalars(
            select(m.Subsystem.name)
            .where(m.Subsystem.site_id == site.id)
            .order_by(m.Subsystem.name)
        ).all()
        devices = len(session.scalars(select(m.Device.id).where(m.Device.site_id == site.id)).all())
        return SiteDossier(
            site_id=site.id,
            name=site.name,
            address=site.address,
            installed_by_us=site.installed_by_us,
            software_media_notes=site.software_media_notes,
            subsystems=list(subsystems),
            contacts=[ContactEntry(c.role, c.name, c.company, c.phone, c.email) for c in contacts],
            documents=[
                DocumentEntry(
                    d.id,
                    d.kind,
                    d.title,
                    d.version_label,
                    d.mime,
                    d.size_bytes,
                    d.page_count,
                    ctx.blobs.has(d.blob_sha256),
                )
                for d in documents
            ],
            devices=devices,
        )


@dataclass(frozen=True)
class SitePack:
    """Whether a job's site can be worked on with no network: its documents on the device."""

    documents: int
    present: int
    bytes_total: int
    bytes_missing: int

    @property
    def ready(self) -> bool:
        return self.present == self.documents


def site_pack(ctx: ServiceContext, job_id: str) -> SitePack:
    with ctx.db.read() as session:
        site_id = job_row(session, job_id).site_id
        docs = session.execute(
            select(m.Document.blob_sha256, m.Document.size_bytes).where(
                m.Document.site_id == site_id
            )
        ).all()
    missing = [size for sha, size in docs if not ctx.blobs.has(sha)]
    return SitePack(len(docs), len(docs) - len(missing), sum(s for _, s in docs), sum(missing))


def document_path(ctx: ServiceContext, document_id: str) -> Path:
    """Where a document's content is on this device; NotFound if it has not been fetched."""
    with ctx.db.read() as session:
        doc = session.get(m.Document, document_id)
        if doc is None:
            raise NotFound(N_("This document is not on this device"))
        sha = doc.blob_sha256
    if not ctx.blobs.has(sha):
        raise NotFound(
            N_("This document has not been downloaded yet: sync when online to fetch it")
        )
    return ctx.blobs.path(sha)


def device_parameters(
    ctx: ServiceContext, site_id: str, text: str = "", limit: int = 2000
) -> list[ParameterRow]:
    """The site's device registry, one row per parameter, filtered by device, location,
    parameter name or value (plain substring match: an IP address or a model number)."""
    stmt = (
        select(m.Device.name, m.Device.location, m.DeviceParameter)
        .join(m.DeviceParameter, m.DeviceParameter.device_id == m.Device.id)
        .where(m.Device.site_id == site_id)
    )
    needle = text.strip()
    if needle:
        pattern = like_pattern(needle)
        stmt = stmt.where(
            or_(
                m.Device.name.ilike(pattern, escape="\\"),
                m.Device.location.ilike(pattern, escape="\\"),
                m.Device.model.ilike(pattern, escape="\\"),
                m.DeviceParameter.key.ilike(pattern, escape="\\"),
                m.DeviceParameter.value.ilike(pattern, escape="\\"),
            )
        )
    stmt = stmt.order_by(m.Device.name, m.DeviceParameter.key).limit(limit)
    with ctx.db.read() as session:
        return [
            ParameterRow(name, location, p.key, p.value, p.unit)
            for name, location, p in session.execute(stmt)
        ]
