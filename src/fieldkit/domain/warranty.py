"""Billing: free within warranty, paid after it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fieldkit.domain.enums import Billing
from fieldkit.domain.messages import N_, Message


@dataclass(frozen=True, slots=True)
class BillingDecision:
    billing: Billing
    basis: str  # why, in words the engineer can repeat to the customer


def derive_billing(
    service_date: date,
    device_warranty_end: date | None,
    contract_warranty_end: date | None,
) -> BillingDecision:
    """Decide billing for work on ``service_date`` (the day the fault was reported).

    The device's own warranty wins over the contract's because a replaced device
    carries a fresh warranty. The end date is the last covered day (inclusive).
    With no warranty on record the work is paid: the engineer quotes and the office
    can still waive it, whereas free work cannot be billed afterwards.
    """
    if device_warranty_end is not None:
        end, device = device_warranty_end, True
    elif contract_warranty_end is not None:
        end, device = contract_warranty_end, False
    else:
        return BillingDecision(Billing.PAID, Message(N_("no warranty on record")))
    day = end.isoformat()
    if service_date <= end:
        text = N_("device warranty until {end}") if device else N_("contract warranty until {end}")
        return BillingDecision(Billing.IN_WARRANTY, Message(text, end=day))
    text = N_("device warranty ended {end}") if device else N_("contract warranty ended {end}")
    return BillingDecision(Billing.PAID, Message(text, end=day))
