"""Billing: free within warranty, paid after it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fieldkit.domain.enums import Billing


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
        end, source = device_warranty_end, "device warranty"
    elif contract_warranty_end is not None:
        end, source = contract_warranty_end, "contract warranty"
    else:
        return BillingDecision(Billing.PAID, "no warranty on record")
    if service_date <= end:
        return BillingDecision(Billing.IN_WARRANTY, f"{source} until {end.isoformat()}")
    return BillingDecision(Billing.PAID, f"{source} ended {end.isoformat()}")
