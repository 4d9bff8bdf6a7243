"""Errors of the local store that the user can act on (no SQLAlchemy needed to catch them)."""

from __future__ import annotations


class StoreError(Exception):
    """The local data file cannot be used; the message says what the user can do."""
