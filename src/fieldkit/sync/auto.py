"""Background sync: on an interval, soon after a local change, and as soon as the service
center becomes reachable again. Runs on its own thread; reports state through a callback
(the UI bridges it to its thread with a signal).

Offline shows at once: the first request of a sync that cannot reach the center reports
"offline" while the transport goes on retrying (a later success reports "online" again),
and the OS saying the network went away (:meth:`AutoSync.network_changed`) reports it
without waiting for a request at all."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from fieldkit.services.context import ServiceContext
from fieldkit.sync import session
from fieldkit.sync.engine import Progress, SyncEngine, SyncReport
from fieldkit.sync.errors import AuthRequired, DeviceWiped, Offline, SyncError
from fieldkit.sync.transport import Transport

log = logging.getLogger(__name__)


class Connection(StrEnum):
    UNKNOWN = "unknown"
    ONLINE = "online"
    OFFLINE = "offline"
    LOGIN_NEEDED = "login_needed"
    WIPED = "wiped"  # reported lost or stolen: synced data erased, sync stops
    ERROR = "error"


@dataclass(frozen=True)
class SyncState:
    connection: Connection
    last_success: datetime | None
    message: str = ""
    report: SyncReport | None = None
    # False while a sync is still running (its request failed and is being retried): the
    # connection is known, the outcome is not yet.
    final: bool = True
    run: int = 0  # which sync this is the state of (AutoSync.runs when it started)


@dataclass(frozen=True)
class AutoSyncSettings:
    interval_s: float = 300.0  # while online
    after_change_s: float = 5.0  # debounce: batch a burst of edits into one sync
    offline_retry_s: float = 30.0  # first probe delay once offline, doubled up to the max
    offline_retry_max_s: float = 600.0
    # While offline, a one-request look at the center's /health this often: it coming back
    # starts a sync at once instead of at the next (backed-off) retry.
    probe_s: float = 5.0


class AutoSync:
    def __init__(
        self,
        ctx: ServiceContext,
        on_state: Callable[[SyncState], None],
        settings: AutoSyncSettings = AutoSyncSettings(),
        on_progress: Callable[[Progress], None] | None = None,
    ) -> None:
        self.ctx = ctx
        self.settings = settings
        self.on_state = on_state
        self.on_progress = on_progress
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="fieldkit-sync", daemon=True)
        self.state = SyncState(Connection.UNKNOWN, None)
        self._pending_change = False
        self._now = False
        self.runs = 0  # syncs started so far: "sync now" waits for one that starts later

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._cancel.set()
        self._wake.set()
        self._thread.join(timeout)

    def changed(self) -> None:
        """A local change was saved: sync soon (debounced)."""
        self._pending_change = True
        self._wake.set()

    def sync_now(self) -> None:
        self._now = True
        self._wake.set()

    def cancel_current(self) -> None:
        self._cancel.set()

    def network_changed(self, reachable: bool) -> None:
        """The OS reports the network gone (offline now) or back (sync at once)."""
        if reachable:
            self.sync_now()
        elif self.state.connection is not Connection.WIPED:
            self._publish(SyncState(Connection.OFFLINE, self.state.last_success, Offline().reason))

    def _request_failed(self, exc: Exception) -> None:
        """A request of the running sync could not reach the center; it is retried."""
        if self.state.connection is not Connection.OFFLINE or self.state.final:
            self._publish(
                SyncState(
                    Connection.OFFLINE,
                    self.state.last_success,
                    Offline().reason,
                    final=False,
                    run=self.runs,
                )
            )

    def _publish(self, state: SyncState) -> None:
        self.state = state
        self.on_state(state)

    def _loop(self) -> None:
        delay = 0.0
        offline_delay = self.settings.offline_retry_s
        while not self._stop.is_set():
            if self.state.connection is Connection.OFFLINE:
                self._wait_offline(delay)
            else:
                self._wake.wait(delay)
            self._wake.clear()
            if self._stop.is_set():
                return
            if self._pending_change and not self._now:
                self._pending_change = False
                if self._wake.wait(self.settings.after_change_s) and not self._now:
                    self._wake.clear()  # more edits arrived: keep batching, then sync
            self._now = False
            self._pending_change = False
            self._cancel.clear()
            state = self.run_once()
            if state.connection is Connection.WIPED:
                return  # nothing left to sync, and this device may not log in again
            if state.connection is Connection.ONLINE:
                delay, offline_delay = self.settings.interval_s, self.settings.offline_retry_s
            elif state.connection is Connection.OFFLINE:
                delay = offline_delay
                offline_delay = min(offline_delay * 2, self.settings.offline_retry_max_s)
            else:
                delay = self.settings.interval_s

    def _wait_offline(self, delay: float) -> None:
        """Wait up to ``delay``, looking at the center every ``probe_s``; back early when it
        answers (or anything wakes the loop)."""
        deadline = time.monotonic() + delay
        while not self._wake.is_set() and not self._stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0 or self._wake.wait(min(self.settings.probe_s, left)):
                return
            if self._reachable():
                return

    def _reachable(self) -> bool:
        acct = session.account(self.ctx)
        if acct is None:
            return False
        try:
            with Transport(
                acct.server_url, ca_bundle=acct.ca_bundle, retries=0, timeout=(2.0, 3.0)
            ) as http:
                http.request("GET", "/health")
        except SyncError:
            return False
        return True

    def run_once(self) -> SyncState:
        self.runs += 1
        run = self.runs
        last = self.state.last_success
        try:
            with session.connect(self.ctx) as transport:
                transport.on_attempt_failed = self._request_failed
                report = SyncEngine(self.ctx, transport, self.on_progress, self._cancel).run()
            state = SyncState(
                Connection.ONLINE, self.ctx.clock.now() if report else last, report=report, run=run
            )
        except DeviceWiped as exc:
            state = SyncState(Connection.WIPED, last, str(exc), run=run)
        except AuthRequired as exc:
            state = SyncState(Connection.LOGIN_NEEDED, last, str(exc), run=run)
        except Offline as exc:
            log.info("service center unreachable: %s", exc)
            state = SyncState(Connection.OFFLINE, last, exc.reason, run=run)
        except SyncError as exc:
            state = SyncState(Connection.ERROR, last, str(exc), run=run)
        except Exception as exc:  # a bug must not kill the sync thread; it is logged
            log.exception("sync failed")
            state = SyncState(Connection.ERROR, last, f"Sync failed: {exc}", run=run)
        self._publish(state)
        return state
