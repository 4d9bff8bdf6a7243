"""Known sync failures: each message tells the engineer what happened and what to do.
None of them loses data: the outbox stays until the server confirms every mutation."""

from __future__ import annotations

from typing import Any

from fieldkit.domain.messages import N_, Message


class SyncError(Exception):
    """Base: a sync did not complete; local work is safe."""


class Offline(SyncError):
    def __init__(self, detail: str = "") -> None:
        # What people read (translatable): a human detail (an untrusted certificate) is
        # part of it; an exception's name is only for the log.
        self.detail = detail
        if detail and not detail.isidentifier():
            self.reason = Message(
                N_(
                    "The service center cannot be reached ({detail}). "
                    "Your work is saved on this device and will be sent later."
                ),
                detail=detail,
            )
        else:
            self.reason = Message(
                N_(
                    "The service center cannot be reached (no network or server down). "
                    "Your work is saved on this device and will be sent later."
                )
            )
        super().__init__(
            "The service center cannot be reached (no network or server down). "
            "Your work is saved on this device and will be sent later."
            + (f" ({detail})" if detail else "")
        )


class AuthRequired(SyncError):
    pass


class DeviceWiped(AuthRequired):
    """The center reported this device lost or stolen; its synced data has been erased.
    ``url``: where the answer came from (after any redirect), to judge whether to obey it."""

    def __init__(self, message: str, url: str = "", order: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.order = order or {}  # the signed order: device id, username, issued time


class UntrustedWipe(SyncError):
    """A wipe instruction arrived over a channel that does not prove it is the center's."""


class ServerRefused(SyncError):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"The service center refused the request: {message} [{code}]")
        self.status, self.code = status, code


class ServerUnavailable(SyncError):
    pass


class BadReply(SyncError):
    """The server answered something that is not the protocol (HTML, truncated JSON...)."""


class Cancelled(SyncError):
    def __init__(self) -> None:
        super().__init__("Sync cancelled; it resumes where it stopped next time.")
