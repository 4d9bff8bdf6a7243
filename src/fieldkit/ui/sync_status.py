"""Background sync seen from the window: AutoSync runs on its own thread; its state crosses
to the UI thread through a queued Qt signal, never by touching widgets from the worker."""

from __future__ import annotations

from fieldkit.services.context import ServiceContext
from fieldkit.sync.auto import AutoSync, AutoSyncSettings, SyncState
from fieldkit.ui.qt import QObject, Signal


class SyncBridge(QObject):
    state_changed = Signal(object)  # SyncState, delivered on the UI thread
    progress = Signal(object)  # Progress (phase, items, bytes), delivered on the UI thread

    def __init__(self, ctx: ServiceContext, settings: AutoSyncSettings | None = None) -> None:
        super().__init__()
        self.auto = AutoSync(
            ctx, self.state_changed.emit, settings or AutoSyncSettings(), self.progress.emit
        )

    def sync_now(self) -> None:
        self.auto.sync_now()

    def cancel(self) -> None:
        self.auto.cancel_current()

    def start(self) -> None:
        self.auto.start()
        self.auto.sync_now()

    def local_change(self) -> None:
        self.auto.changed()

    def stop(self) -> None:
        self.auto.stop()


__all__ = ["SyncBridge", "SyncState"]
