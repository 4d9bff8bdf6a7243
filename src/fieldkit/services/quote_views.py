"""What the quote builder shows: the parts price list searched as typed, and a job's quotes
with their lines and totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import or_, select

from fieldkit.domain.enums import QuoteStatus
from fieldkit.domain.quote import QuoteLine, QuoteTotals
from fieldkit.services.context import ServiceContext
from fieldkit.services.records import has_signed_slip, job_row, to_domain_quote
from fieldkit.services.text_filters import like_pattern
from fieldkit.store import models as m


@dataclass(frozen=True)
class PartOffer:
    part_no: str
    name: str
    name_en: str
    unit: str
    unit_price: Decimal
    currency: str
    tax_rate: Decimal


@dataclass(frozen=True)
class QuoteView:
    id: str
    number: str
    status: QuoteStatus
    currency: str
    valid_until: date
    lines: tuple[QuoteLine, ...]
    totals: QuoteTotals
    decided_by: str
    decline_reason: str
    version: int


def search_parts(ctx: ServiceContext, text: str, limit: int = 50) -> list[PartOffer]:
    stmt = select(m.Part).where(m.Part.active.is_(True))
    needle = text.strip()
    if needle:
        pattern = like_pattern(needle)
        stmt = stmt.where(
            or_(
                m.Part.part_no.ilike(pattern, escape="\\"),
                m.Part.name.ilike(pattern, escape="\\"),
                m.Part.name_en.ilike(pattern, escape="\\"),
            )
        )
    with ctx.db.read() as session:
        return [
            PartOffer(p.part_no, p.name, p.name_en, p.unit, p.unit_price, p.currency, p.tax_rate)
            for p in session.scalars(stmt.order_by(m.Part.part_no).limit(limit))
        ]


def quotes_for_job(ctx: ServiceContext, job_id: str) -> list[QuoteView]:
    with ctx.db.read() as session:
        rows = session.scalars(
            select(m.Quote).where(m.Quote.job_id == job_id).order_by(m.Quote.created_at)
        ).all()
        out = []
        for row in rows:
            quote = to_domain_quote(session, row)
            out.append(
                QuoteView(
                    row.id,
                    row.number,
                    quote.status,
                    row.currency,
                    row.valid_until,
                    quote.lines,
                    quote.totals(),
                    row.decided_by_name,
                    row.decline_reason,
                    row.version,
                )
            )
        return out


def job_is_signed(ctx: ServiceContext, job_id: str) -> bool:
    """A signed job takes no new quote and its drafts can only be withdrawn."""
    with ctx.db.read() as session:
        return has_signed_slip(session, job_id)


def signer_names(ctx: ServiceContext, job_id: str) -> list[str]:
    """Names to offer a signing customer, most likely first: whoever approved this job's
    quotes, the person who confirmed the problem on arrival, then the site's contacts
    (the system owner before installers and others)."""
    with ctx.db.read() as session:
        job = job_row(session, job_id)
        approvers = session.scalars(
            select(m.Quote.decided_by_name)
            .where(m.Quote.job_id == job_id, m.Quote.status == QuoteStatus.APPROVED.value)
            .order_by(m.Quote.decided_at.desc())
        ).all()
        contacts = session.scalars(
            select(m.SiteContact.name)
            .where(m.SiteContact.site_id == job.site_id)
            .order_by((m.SiteContact.role != "system_owner"), m.SiteContact.name)
        ).all()
        names = [*approvers, job.confirmed_with, *contacts]
    return list(dict.fromkeys(n.strip() for n in names if n and n.strip()))
