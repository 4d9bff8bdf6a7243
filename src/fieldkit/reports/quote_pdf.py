"""The quote for post-warranty work: lines, tax, totals, validity, and the approval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from fieldkit.domain.enums import QuoteLineKind, QuoteStatus
from fieldkit.domain.quote import Quote
from fieldkit.i18n import N_
from fieldkit.labels import line_description
from fieldkit.reports.layout import Kit, SignatureFlowable, SignatureImage

KIND = {
    QuoteLineKind.PART: N_("Part"),
    QuoteLineKind.LABOUR: N_("Labour"),
    QuoteLineKind.TRAVEL: N_("Travel"),
}
STATUS = {
    QuoteStatus.DRAFT: N_("Awaiting the customer's approval"),
    QuoteStatus.APPROVED: N_("Approved by the customer"),
    QuoteStatus.DECLINED: N_("Declined by the customer"),
    QuoteStatus.SUPERSEDED: N_("Superseded"),
    QuoteStatus.WITHDRAWN: N_("Withdrawn: not offered to the customer"),
}


@dataclass(frozen=True)
class QuoteHeader:
    number: str
    job_number: str
    customer: str
    site: str
    issued: date
    decided_by: str = ""
    decline_reason: str = ""


def render_quote(
    quote: Quote,
    header: QuoteHeader,
    approval: SignatureImage | None,
    language: str,
    company: str = "FieldKit Service",
    timezone: str | None = None,  # the site's IANA zone: times print as local time there
) -> bytes:
    k = Kit(language, timezone)
    _ = k._
    totals = quote.totals()

    def money(amount: Any) -> str:
        return f"{amount:,.2f}"

    rows: list[list[Any]] = [
        [
            _("No."),
            _("Type"),
            _("Part no."),
            _("Description"),
            _("Qty"),
            _("Unit price"),
            _("Amount"),
            _("Tax"),
        ]
    ]
    for i, line in enumerate(quote.lines, 1):
        rows.append(
            [
                str(i),
                _(KIND[line.kind]),
                line.part_no or "",
                line_description(line.description, _),
                f"{line.quantity.normalize():f}",
                money(line.unit_price.amount),
                money(line.net.amount),
                f"{line.tax_rate * 100:.0f}%",
            ]
        )
    story: list[Flowable] = [
        k.p(company, "head"),
        k.p(_("Quote") + f"  {header.number}", "title"),
        Spacer(1, 3 * mm),
        k.grid(
            [
                [_("Customer"), header.customer],
                [_("Site"), header.site],
                [_("Job"), header.job_number],
                [
                    _("Issued / valid until"),
                    f"{header.issued.isoformat()} / {quote.valid_until.isoformat()}",
                ],
                [_("Status"), _(STATUS[quote.status])],
            ],
            [45 * mm, 125 * mm],
        ),
        Spacer(1, 4 * mm),
        # The header row repeats on every page of a long parts list.
        k.grid(
            rows,
            [9 * mm, 17 * mm, 24 * mm, 54 * mm, 11 * mm, 20 * mm, 23 * mm, 12 * mm],
            header=True,
            first_column=False,
        ),
    ]
    total_rows = [[_("Subtotal"), money(totals.subtotal.amount)]]
    total_rows += [
        [_("Tax {rate}%").format(rate=f"{rate * 100:.0f}"), money(amount.amount)]
        for rate, amount in totals.tax_by_rate
    ]
    total_rows.append([_("Total") + f" ({quote.currency})", money(totals.total.amount)])
    closing: list[Flowable] = [
        Spacer(1, 3 * mm),
        Table(
            k.cells(total_rows, [40 * mm, 30 * mm]),
            colWidths=[40 * mm, 30 * mm],
            hAlign="RIGHT",
            style=k.plain,
        ),
        k.p(
            _(
                "Amounts are rounded half up to the cent per line; tax is computed per rate on "
                "the sum of its lines."
            ),
            "small",
        ),
    ]
    if quote.status is QuoteStatus.APPROVED and approval is not None:
        closing += [
            k.p(_("Customer approval"), "head"),
            SignatureFlowable(approval, 80 * mm, 28 * mm),
            k.p(f"{approval.name} · {k.when(approval.signed_at)}", "small"),
        ]
    elif quote.status is QuoteStatus.DECLINED:
        closing += [
            k.p(_("Declined by the customer") + f": {header.decided_by} {header.decline_reason}")
        ]
    elif quote.status is QuoteStatus.WITHDRAWN:
        closing += [k.p(_("Withdrawn: not offered to the customer") + f": {header.decline_reason}")]
    else:
        closing += [
            k.p(_("Customer approval"), "head"),
            Spacer(1, 25 * mm),
            k.p(_("Name, signature, date"), "small"),
        ]
    story.append(KeepTogether(closing))  # totals never stand alone on a page
    return k.build(
        story,
        title=f"{_('Quote')} {header.number}",
        subject=f"fieldkit-quote {quote.id}",
        author=company,
        footer=header.number,
    )
