"""Remote wipe: the service center answered that this device was reported lost or stolen.

What goes: every row the store holds (jobs, customers, sites, drawings' records, device
parameters, slips already synced, settings), every blob file, the sync token and the device
key. What stays: work the center never received (an unsynced signed slip above all), and work
it refused that the engineer had not resolved yet, is first written to a rescue bundle in
the data folder, signed by the device key, which `fieldkit-server import-outbox` accepts, so
a wipe never destroys the only copy of a customer's signature.

The wipe instruction is obeyed only when it came over a channel that proves it is the
center's: HTTPS (the certificate is always verified) or plain HTTP to this computer (the
local demo center). Anyone on the network path of a plain-HTTP connection could forge it.
And it must be signed: the center signs (device id, username, issued time) with its key,
which the device pinned when it logged in; any other server that answers on the channel (a
hostile process on loopback, a misissued certificate) cannot sign for this device.

Deleted pages are overwritten (secure_delete) and the file is rewritten (VACUUM), so the old
content is not left in free pages of the data file.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from requests.utils import get_environ_proxies, select_proxy

from fieldkit.domain.wipe_order import order_refusal
from fieldkit.services import device_key
from fieldkit.services.context import ServiceContext
from fieldkit.services.settings import get_setting
from fieldkit.sync.center import CENTER_KEY_SETTING
from fieldkit.sync.rescue import export_outbox, rescued_count

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WipeReport:
    tables: int
    blobs: int
    rescue: Path | None  # unsynced work, kept for the center


def trusted_wipe_channel(url: str) -> bool:
    """True if an answer received from ``url`` can only have come from the center itself:
    HTTPS (the transport never turns certificate checks off) or HTTP on loopback that no
    proxy relays (a proxy sits on the path of a plain-HTTP request)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    host = parts.hostname
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
    return loopback and not select_proxy(url, get_environ_proxies(url))


def wipe_order_refusal(ctx: ServiceContext, order: Mapping[str, Any]) -> str | None:
    """Why the wipe ``order`` must not be obeyed, or None: it must be signed by the center
    key pinned at login, for this device and the account logged in on it."""
    from fieldkit.sync.session import account

    acct = account(ctx)
    pinned = get_setting(ctx, CENTER_KEY_SETTING)
    return order_refusal(
        str(pinned) if pinned else None,
        order,
        ctx.device_id,
        acct.username if acct is not None else "",
    )


def erase_synced_data(ctx: ServiceContext) -> WipeReport:
    from fieldkit.sync.session import account, credentials

    rescue = None
    if rescued_count(ctx):
        stamp = ctx.clock.now().strftime("%Y%m%dT%H%M%SZ")
        rescue = ctx.db.path.parent / f"rescue-{stamp}.json"
        export_outbox(ctx, rescue)
    acct = account(ctx)
    if acct is not None:
        credentials().delete(acct.server_url, acct.username)
    device_key.erase(ctx.device_id)
    tables = _empty_every_table(ctx)
    blobs = 0
    for sha in list(ctx.blobs):
        ctx.blobs.path(sha).unlink(missing_ok=True)
        blobs += 1
    log.warning("remote wipe: %d tables emptied, %d files erased", tables, blobs)
    return WipeReport(tables, blobs, rescue)


def _empty_every_table(ctx: ServiceContext) -> int:
    # One raw connection for all of it: secure_delete is per connection, and VACUUM must run
    # outside any transaction (the connection is in autocommit mode, see store.database).
    raw = ctx.db.engine.raw_connection()
    try:
        db = raw.driver_connection
        assert db is not None
        db.execute("PRAGMA secure_delete = ON")  # deleted content is zeroed, not just unlinked
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("PRAGMA defer_foreign_keys = ON")  # every row goes: checked at commit
            found = db.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'slips_no_delete'"
            ).fetchone()
            if found:
                db.execute("DROP TRIGGER slips_no_delete")
            names = [
                r[0]
                for r in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version' "
                    "AND name NOT LIKE 'search_fts_%'"
                )
            ]
            for name in names:
                db.execute(f'DELETE FROM "{name}"')
            if found:
                db.execute(found[0])  # signed slips are immutable again
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("VACUUM")
    finally:
        raw.close()
    return len(names)
