"""Known errors versus bugs, decided in one place for every screen.

A known error is one the engineer can act on: a rule said no (:class:`DomainError`), the
device's storage failed (:class:`StoreError`, classified from SQLite or the OS), a file
could not be stored (:class:`BlobError`), or the service center could not be used
(:class:`SyncError`). Its message says what happened and what to do. Anything else is a bug:
logged with its traceback and reported.
"""

from __future__ import annotations

from fieldkit.domain.errors import DomainError
from fieldkit.store.blobs import BlobError
from fieldkit.store.errors import StoreError, classify
from fieldkit.sync.errors import SyncError

KNOWN = (DomainError, StoreError, BlobError, SyncError)


def known_error(exc: BaseException) -> Exception | None:
    """The known error ``exc`` is (or stands for), or None when it is a bug."""
    storage = classify(exc)
    if storage is not None:
        return storage
    return exc if isinstance(exc, KNOWN) else None


def reason(exc: BaseException) -> str:
    """The message to translate: a rule's parameterised message when it has one."""
    given = getattr(exc, "reason", None)
    if isinstance(given, str) and given:
        return given
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, str) and first else str(exc)
