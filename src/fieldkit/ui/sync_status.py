"""Background sync seen from the window: AutoSync runs on its own thread; its state crosses
to the UI thread through a queued Qt signal, never by touching widgets from the worker.

The OS's own word on the network (``QNetworkInformation``, when the platform has a backend)
reaches AutoSync at once: offline shows the moment the network goes, and a sync starts the
moment it is back.
"""

from __future__ import annotations

import contextlib
from typing import Any

from fieldkit.services.context import ServiceContext
from fieldkit.sync.auto import AutoSync, AutoSyncSettings, SyncState
from fieldkit.ui.qt import QObject, Signal, network_information


class SyncBridge(QObject):
    state_changed = Signal(object)  # SyncState, delivered on the UI thread
    progress = Signal(object)  # Progress (phase, items, bytes), delivered on the UI thread

    def __init__(self, ctx: ServiceContext, settings: AutoSyncSettings | None = None) -> None:
        super().__init__()
        self.auto = AutoSync(
            ctx, self.state_changed.emit, settings or AutoSyncSettings(), self.progress.emit
        )
        self._sources: list[Any] = []  # what reports the network's reachability

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
        # The OS's network object outlives this bridge: no signal may reach it after.
        for source in self._sources:
            with contextlib.suppress(RuntimeError, TypeError):
                source.reachabilityChanged.disconnect(self._reachability)
        self._sources.clear()

    def watch_network(self, source: Any = None) -> bool:
        """Follow the OS's network reachability (``source``: a QNetworkInformation, by
        default the platform's own). False when the platform has no backend for it."""
        if source is None:
            QNetworkInformation: Any = network_information()
            if not QNetworkInformation.loadBackendByFeatures(
                QNetworkInformation.Feature.Reachability
            ):
                return False
            source = QNetworkInformation.instance()
        self._sources.append(source)
        source.reachabilityChanged.connect(self._reachability)
        return True

    def _reachability(self, reachability: Any) -> None:
        levels: Any = network_information().Reachability
        if reachability == levels.Disconnected:
            self.auto.network_changed(False)
        elif reachability in (levels.Local, levels.Site, levels.Online):
            self.auto.network_changed(True)


__all__ = ["SyncBridge", "SyncState"]
