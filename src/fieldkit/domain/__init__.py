"""Pure rules of field service: no Qt, no SQLAlchemy, no HTTP, no I/O.

Everything here is unit-testable with plain values. Time comes from an injected
:class:`~fieldkit.domain.clock.Clock`; money is :class:`decimal.Decimal`.
"""
