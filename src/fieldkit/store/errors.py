"""Errors of the local store that the user can act on (no SQLAlchemy needed to catch them).

Storage failures (a full disk, a read-only folder, a file locked by another program) are
classified here once, from whatever raised them: SQLite through SQLAlchemy, or the OS while
writing a file. Each becomes a :class:`StoreError` with one plain sentence saying what
happened and what to do. SQLite rolls the failed transaction back, so what was committed
before stays committed: the sentences say so.
"""

from __future__ import annotations

import errno
from collections.abc import Callable

from fieldkit.domain.messages import N_, Message


class StoreError(Exception):
    """The local data file cannot be used; the message says what the user can do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.reason = message


class StorageFull(StoreError):
    def __init__(self) -> None:
        super().__init__(
            Message(
                N_("The device's storage is full: free some space; nothing you saved was lost.")
            )
        )


class StorageReadOnly(StoreError):
    def __init__(self) -> None:
        super().__init__(
            Message(
                N_(
                    "The data folder cannot be written (read-only or no permission): "
                    "check the folder or the memory card; nothing you saved was lost."
                )
            )
        )


class StoreLocked(StoreError):
    def __init__(self) -> None:
        super().__init__(
            Message(
                N_(
                    "The data file is busy in another program (another FieldKit window?): "
                    "close it and try again; nothing you saved was lost."
                )
            )
        )


class StorageFailed(StoreError):
    def __init__(self) -> None:
        super().__init__(
            Message(
                N_(
                    "The device's storage could not be read or written (a disk error): "
                    "restart the device and try again; nothing you saved was lost."
                )
            )
        )


_SQLITE_TEXT: tuple[tuple[str, Callable[[], StoreError]], ...] = (
    ("database or disk is full", StorageFull),
    ("readonly database", StorageReadOnly),
    ("read-only", StorageReadOnly),
    ("unable to open database file", StorageReadOnly),
    ("database is locked", StoreLocked),
    ("database table is locked", StoreLocked),
    ("disk i/o error", StorageFailed),
)
_ERRNO: dict[int, Callable[[], StoreError]] = {
    errno.ENOSPC: StorageFull,
    errno.EDQUOT: StorageFull,
    errno.EROFS: StorageReadOnly,
    errno.EACCES: StorageReadOnly,
    errno.EPERM: StorageReadOnly,
    errno.EIO: StorageFailed,
}


def classify(exc: BaseException) -> StoreError | None:
    """The known storage error behind ``exc`` (following SQLAlchemy's ``orig`` and the
    ``__cause__`` chain), or None when it is not one: then it is a bug."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, StoreError):
            return current
        if isinstance(current, OSError) and current.errno in _ERRNO:
            return _ERRNO[current.errno]()
        if type(current).__name__ in ("OperationalError", "DatabaseError"):
            text = str(getattr(current, "orig", None) or current).lower()
            for fragment, kind in _SQLITE_TEXT:
                if fragment in text:
                    return kind()
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) else current.__cause__
    return None
