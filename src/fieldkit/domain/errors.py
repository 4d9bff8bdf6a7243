"""Typed domain errors. Each message tells the engineer what is missing, not just 'no'."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the request. Known error: show the message, keep going."""


class IllegalTransition(DomainError):
    """The action does not exist from the job's current status."""

    def __init__(self, action: str, status: str, allowed_from: tuple[str, ...]) -> None:
        self.action = action
        self.status = status
        self.allowed_from = allowed_from
        where = ", ".join(allowed_from) if allowed_from else "no status"
        super().__init__(
            f"Cannot {action.replace('_', ' ')} a job that is {status.replace('_', ' ')}; "
            f"allowed from: {where}."
        )


class GuardFailed(DomainError):
    """The action exists from this status but a precondition is not met."""

    def __init__(self, action: str, reason: str, missing: tuple[str, ...] = ()) -> None:
        self.action = action
        self.reason = reason
        self.missing = missing
        super().__init__(reason)


class SlipLocked(DomainError):
    """A signed slip never changes; corrections are new slips that supersede it."""


class QuoteLocked(DomainError):
    """An approved or declined quote is a record of what the customer saw; it never changes."""


class CurrencyMismatch(DomainError):
    pass


class InvalidValue(DomainError):
    """A value is outside what the domain accepts (bad severity, negative quantity, ...)."""
