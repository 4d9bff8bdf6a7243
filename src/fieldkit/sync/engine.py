"""One sync: upload blobs -> push mutations -> pull pages -> prefetch drawings.

Safe to start at any moment (every step is idempotent and resumable) and a second start
while one runs returns at once. Progress is reported as events; cancel between requests.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, update

from fieldkit.i18n import N_
from fieldkit.protocol import HEADER_PENDING
from fieldkit.protocol.wire import Mutation, PullResponse, PushRequest, PushResponse
from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m
from fieldkit.sync.apply import apply_page, load_cursor, start_reset
from fieldkit.sync.center_trust import KeyWatch
from fieldkit.sync.errors import Cancelled, DeviceWiped, SyncError, UntrustedWipe
from fieldkit.sync.transport import Transport
from fieldkit.sync.uploads import upload_blob
from fieldkit.sync.wipe import erase_synced_data, trusted_wipe_channel, wipe_order_refusal

log = logging.getLogger(__name__)
PUSH_BATCH = 200
PAGE = 2000  # the server maximum: fewer fsynced commits on a slow tablet disk
CHUNK = 1 << 20


@dataclass(frozen=True)
class Progress:
    phase: str  # upload | push | pull | download | done
    done: int
    total: int
    bytes: int = 0


@dataclass
class SyncReport:
    pushed: int = 0
    rejected: int = 0
    duplicates: int = 0
    pulled: int = 0
    uploaded_blobs: int = 0
    downloaded_blobs: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    clock_skew_seconds: int | None = None
    rejections: list[str] = field(default_factory=list)

    def summary(self) -> str:
        skew = (
            f", device clock off by {self.clock_skew_seconds}s" if self.clock_skew_seconds else ""
        )
        return (
            f"sent {self.pushed} change(s) ({self.rejected} rejected, {self.duplicates} "
            f"already there), received {self.pulled}, blobs up {self.uploaded_blobs} / down "
            f"{self.downloaded_blobs}, {self.bytes_sent} B sent, {self.bytes_received} B "
            f"received{skew}"
        )


_running: set[str] = set()
_running_lock = threading.Lock()


@contextlib.contextmanager
def _exclusive(data_dir: Path) -> Iterator[bool]:
    """One sync per data folder, across threads and processes."""
    key = str(data_dir.resolve())
    with _running_lock:
        if key in _running:
            yield False
            return
        _running.add(key)
    lock_file = None
    try:
        if os.name == "posix":
            import fcntl

            lock_file = (data_dir / "sync.lock").open("w")
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                yield False
                return
        yield True
    finally:
        if lock_file is not None:
            lock_file.close()
        with _running_lock:
            _running.discard(key)


def wire_mutation(x: m.OutboxMutation) -> Mutation:
    """An outbox row as the push request carries it."""
    return Mutation(
        mutation_id=x.mutation_id,
        device_id=x.device_id,
        seq=x.seq,
        name=x.name,
        entity_type=x.entity_type,
        entity_id=x.entity_id,
        base_version=x.base_version,
        args=x.args,
        created_at=x.created_at.isoformat(),
        blob_refs=x.blob_refs,
    )


class SyncEngine:
    def __init__(
        self,
        ctx: ServiceContext,
        transport: Transport,
        on_progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.ctx = ctx
        self.http = transport
        self.on_progress = on_progress or (lambda _p: None)
        self.cancel = cancel or threading.Event()

    def _check(self) -> None:
        if self.cancel.is_set():
            raise Cancelled()

    def run(self) -> SyncReport | None:
        """Run one sync; None if another sync of this data folder is already running."""
        data_dir = self.ctx.db.path.parent
        with _exclusive(data_dir) as mine:
            if not mine:
                return None
            report = SyncReport()
            # Every answer's center key is checked: pinned on the first verified sync of a
            # device that logged in before keys were pinned, never silently replaced.
            watch = KeyWatch(self.ctx, self.http)
            try:
                watch.start()
                self._push(report)
                self._pull(report)
                self._prefetch(report)
            except DeviceWiped as exc:
                if not trusted_wipe_channel(exc.url or self.http.base_url):
                    # Anyone on the path of a plain-HTTP connection could have said this.
                    raise UntrustedWipe(
                        N_(
                            "The service center's answer asked to erase this device, but it "
                            "came over a connection that does not prove it is the center's; "
                            "nothing was erased. Contact the office."
                        )
                    ) from exc
                refusal = wipe_order_refusal(self.ctx, exc.order)
                if refusal is not None:
                    log.warning("a wipe order was ignored: %s", refusal)
                    raise UntrustedWipe(
                        N_(
                            "The service center's answer asked to erase this device, but it "
                            "was not signed by the center this device logged in to; nothing "
                            "was erased. Contact the office."
                        )
                    ) from exc
                # Reported lost or stolen: erase now, before anything else reads the data.
                wiped = erase_synced_data(self.ctx)
                raise DeviceWiped(
                    f"{exc} Unsynced work was kept in {wiped.rescue}." if wiped.rescue else str(exc)
                ) from exc
            report.bytes_sent, report.bytes_received = (
                self.http.bytes_sent,
                self.http.bytes_received,
            )
            if self.http.server_time is not None:
                skew = int((datetime.now(UTC) - self.http.server_time).total_seconds())
                report.clock_skew_seconds = skew if abs(skew) > 60 else 0
            now = self.ctx.clock.now()
            with self.ctx.db.write() as session:
                row = session.get(m.SyncCursor, "main")
                if row is not None:
                    row.last_sync_at = now
                setting = session.get(m.Setting, "sync.clock_skew_seconds")
                if setting is None:
                    session.add(
                        m.Setting(
                            key="sync.clock_skew_seconds", value=report.clock_skew_seconds or 0
                        )
                    )
                else:
                    setting.value = report.clock_skew_seconds or 0
            self.on_progress(Progress("done", 1, 1, report.bytes_sent + report.bytes_received))
            return report

    # -- push ------------------------------------------------------------------------------
    def _pending(self) -> list[m.OutboxMutation]:
        with self.ctx.db.read() as session:
            return list(
                session.scalars(
                    select(m.OutboxMutation)
                    .where(m.OutboxMutation.state.in_(("pending", "sent")))
                    .order_by(m.OutboxMutation.seq)
                )
            )

    def _outbox(self, left: int | None) -> dict[str, str]:
        """The header that tells the center how many changes this device holds beyond the
        request (``left``; None: all of the outbox), for the office's "pending" display."""
        if left is None:
            with self.ctx.db.read() as session:
                left = session.scalar(
                    select(func.count())
                    .select_from(m.OutboxMutation)
                    .where(m.OutboxMutation.state.in_(("pending", "sent")))
                )
        return {HEADER_PENDING: str(max(0, int(left or 0)))}

    def _push(self, report: SyncReport) -> None:
        pending = self._pending()
        total = len(pending)
        blobs = sorted({sha for mut in pending for sha in mut.blob_refs})
        for i, sha in enumerate(blobs):
            self._check()
            self.on_progress(Progress("upload", i, len(blobs), self.http.bytes_sent))
            if self._upload(sha):
                report.uploaded_blobs += 1
        done = 0
        while pending:
            self._check()
            batch = pending[:PUSH_BATCH]
            self.on_progress(Progress("push", done, total, self.http.bytes_sent))
            body = PushRequest(
                device_time=self.ctx.clock.now().isoformat(),
                mutations=[wire_mutation(x) for x in batch],
            )
            with self.ctx.db.write() as session:
                session.execute(
                    update(m.OutboxMutation)
                    .where(m.OutboxMutation.mutation_id.in_([x.mutation_id for x in batch]))
                    .values(state="sent", attempts=m.OutboxMutation.attempts + 1)
                )
            response = self.http.post_model(
                "/sync/push", body, PushResponse, self._outbox(len(pending) - len(batch))
            )
            self._record_results(response, report)
            done += len(response.results)
            if response.stopped == "blob_missing" and response.expected_seq is not None:
                stuck = next((x for x in batch if x.seq == response.expected_seq), None)
                for sha in stuck.blob_refs if stuck else []:
                    self._upload(sha)
            elif response.stopped == "gap":
                raise SyncError(
                    f"The service center expects change #{response.expected_seq} from "
                    "this device, which it does not have. Export the outbox "
                    "(fieldkit export-outbox) and contact the office."
                )
            before = len(pending)
            pending = self._pending()
            if len(pending) >= before and not response.results:
                raise SyncError("The service center did not accept any change; try again later")
        self.on_progress(Progress("push", done, total, self.http.bytes_sent))

    def _record_results(self, response: PushResponse, report: SyncReport) -> None:
        now = self.ctx.clock.now()
        with self.ctx.db.write() as session:
            for result in response.results:
                row = session.get(m.OutboxMutation, result.mutation_id)
                if row is None:
                    continue
                if result.status == "rejected":
                    row.state, row.last_error = "rejected", f"{result.reason} [{result.code}]"
                    report.rejected += 1
                    report.rejections.append(row.last_error)
                    # The losing version stays in the audit log, whatever the user decides.
                    session.add(
                        m.AuditEntry(
                            at=now,
                            actor=self.ctx.actor,
                            device_id=self.ctx.device_id,
                            action="sync.rejected",
                            entity_type=row.entity_type,
                            entity_id=row.entity_id,
                            details={
                                "reason": result.reason,
                                "code": result.code,
                                "mutation": row.name,
                                "args": row.args,
                            },
                            mutation_id=row.mutation_id,
                        )
                    )
                else:
                    row.state = "acked"
                    row.last_error = ""
                    report.pushed += 1
                    if result.status == "duplicate":
                        report.duplicates += 1

    def _upload(self, sha: str) -> bool:
        def progress(offset: int, total: int) -> None:
            self.on_progress(Progress("upload", offset, total, self.http.bytes_sent))

        return upload_blob(self.ctx, self.http, sha, self._check, progress)

    # -- pull ------------------------------------------------------------------------------
    def _fetch(
        self, cursor: int | None, snapshot: str | None, headers: dict[str, str]
    ) -> PullResponse:
        params: dict[str, object] = {"limit": PAGE}
        if cursor is not None:
            params["cursor"] = cursor
        if snapshot is not None:
            params["snapshot"] = snapshot
        return self.http.get_model("/sync/pull", PullResponse, params=params, headers=headers)

    def _pull(self, report: SyncReport) -> None:
        """Pages in turn, the next one fetched while this one is applied (server and device
        work overlap). Only applying a page moves the stored cursor, in the page's own
        transaction: a page fetched ahead and never applied (a kill, an error) is asked for
        again from the stored cursor."""
        cursor, snapshot, tracking = load_cursor(self.ctx.db)
        resets = 0
        outbox = self._outbox(None)  # read here: the page fetched ahead runs in another thread
        with ThreadPoolExecutor(1, thread_name_prefix="pull-ahead") as ahead:
            coming: Future[PullResponse] | None = None
            while True:
                self._check()
                snapshot_mode = cursor is None
                page = coming.result() if coming else self._fetch(cursor, snapshot, outbox)
                coming = None
                if page.reset_required:
                    resets += 1
                    if resets > 1:
                        raise SyncError(
                            "The service center keeps asking for a full resync; "
                            "try again later or contact the office"
                        )
                    log.info("server history pruned past cursor %s: full resync", cursor)
                    start_reset(self.ctx.db)
                    cursor, snapshot, tracking = None, None, True
                    continue
                after: tuple[int | None, str | None, bool]
                if snapshot_mode and page.snapshot is not None:
                    after, more = (None, page.snapshot, tracking), True
                elif snapshot_mode:
                    after, more = (page.next_cursor, None, False), page.has_more
                else:
                    after, more = (page.next_cursor, None, tracking), page.has_more
                if more and not self.cancel.is_set():
                    coming = ahead.submit(self._fetch, after[0], after[1], outbox)
                report.pulled += apply_page(
                    self.ctx.db,
                    page.changes,
                    page.next_cursor,
                    page.snapshot,
                    snapshot_mode,
                    self.ctx.clock.now(),
                    tracking,
                )
                self.on_progress(
                    Progress(
                        "pull",
                        report.pulled,
                        report.pulled + (PAGE if page.has_more else 0),
                        self.http.bytes_received,
                    )
                )
                cursor, snapshot, tracking = after
                if not more:
                    break

    # -- prefetch --------------------------------------------------------------------------
    def missing_blobs(self) -> list[str]:
        with self.ctx.db.read() as session:
            wanted = set(session.scalars(select(m.Document.blob_sha256)))
            wanted |= set(session.scalars(select(m.Attachment.blob_sha256)))
            wanted |= {s for s in session.scalars(select(m.ChecklistAnswer.blob_sha256)) if s}
        return sorted(sha for sha in wanted if not self.ctx.blobs.has(sha))

    def _prefetch(self, report: SyncReport) -> None:
        missing = self.missing_blobs()
        for i, sha in enumerate(missing):
            self._check()
            self.on_progress(Progress("download", i, len(missing), self.http.bytes_received))
            try:
                self._download(sha)
                report.downloaded_blobs += 1
            except SyncError as exc:
                if getattr(exc, "status", 0) == 404:
                    log.warning("blob %s not available at the center", sha[:12])
                    continue
                raise

    def _download(self, sha: str) -> None:
        """Resumable: bytes already fetched stay in a partial file; Range fetches the rest."""
        partial = self.ctx.blobs.root / "tmp" / f"download-{sha}"
        self.http.download(f"/blobs/{sha}", partial, self.ctx.blobs.max_bytes)
        digest = hashlib.sha256()
        with partial.open("rb") as fh:
            for block in iter(lambda: fh.read(CHUNK), b""):
                digest.update(block)
        if digest.hexdigest() != sha:
            partial.unlink()
            raise SyncError(
                f"Downloaded file {sha[:12]}... failed its hash check; it will be fetched again"
            )
        with partial.open("rb") as fh:
            self.ctx.blobs.put_verified(iter(lambda: fh.read(CHUNK), b""), sha)
        partial.unlink()
