"""Money as Decimal with an explicit currency.

Rounding rules (stated once, used everywhere):
- amounts are kept to the currency's minor unit (CNY, USD, EUR: 0.01; JPY: 1);
- rounding is ROUND_HALF_UP (commercial rounding, as on Chinese VAT invoices);
- a quote line total is unit price x quantity, rounded per line;
- tax is computed per tax rate on the sum of the lines at that rate, rounded once per rate;
- the grand total is the exact sum of the rounded subtotal and rounded tax amounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from fieldkit.domain.errors import CurrencyMismatch, InvalidValue

_MINOR_UNITS = {"CNY": 2, "USD": 2, "EUR": 2, "HKD": 2, "JPY": 0}


def minor_unit_exponent(currency: str) -> Decimal:
    try:
        places = _MINOR_UNITS[currency]
    except KeyError:
        raise InvalidValue(f"Unsupported currency {currency!r}") from None
    return Decimal(1).scaleb(-places)


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Parse an amount; floats are refused because 0.1 is not representable."""
    if isinstance(value, float):
        raise InvalidValue("Money amounts must not be floats; pass a str or Decimal")
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise InvalidValue(f"Not a number: {value!r}") from None
    if not result.is_finite():
        raise InvalidValue(f"Not a finite amount: {value!r}")
    return result


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        minor_unit_exponent(self.currency)  # validates the currency
        if not isinstance(self.amount, Decimal) or not self.amount.is_finite():
            raise InvalidValue(f"Money amount must be a finite Decimal, got {self.amount!r}")

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        return cls(to_decimal(amount), currency).rounded()

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0).quantize(minor_unit_exponent(currency)), currency)

    def rounded(self) -> Money:
        exp = minor_unit_exponent(self.currency)
        return Money(self.amount.quantize(exp, rounding=ROUND_HALF_UP), self.currency)

    def _check(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"Cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def times(self, factor: Decimal) -> Money:
        """Exact product; call :meth:`rounded` where the rules say a rounding happens."""
        return Money(self.amount * factor, self.currency)

    def __str__(self) -> str:
        return f"{self.currency} {self.amount:,}"
