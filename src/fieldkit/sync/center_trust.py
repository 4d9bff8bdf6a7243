"""Which center key this device trusts: the key that signs its remote wipe orders.

The key is pinned at login (the login answer's ``X-FieldKit-Center-Key`` header). A device
that logged in with an app older than the signed wipe has no key pinned: it pins the one
that the first successful answer to an authenticated sync request carries, but only over a
channel that proves it is the center's (HTTPS, certificates always verified, or plain HTTP
to this computer with no proxy), so a server that does not hold the device's token, or
anyone on the path of a plain-HTTP link, cannot pin its own key first. When and how the key
was pinned is recorded. A pinned key is never replaced by a sync: a different key is
refused, logged and shown, and the sync stops before the next request; only a new login
(with the engineer's password) pins another key.

Every authenticated request shows the pinned key (``X-FieldKit-Pinned-Key``), so the center
knows the device can check a signed wipe order. A device with none pinned first asks
``GET /auth/center-key``: the center answers it even when the device was reported lost
before it ever pinned the key, and serves the signed order to the next request, which then
shows the key. The header claims nothing the center relies on for access; the device obeys
only what the key it pinned signed.
"""

from __future__ import annotations

import base64
import binascii
import logging

from fieldkit.domain.messages import N_
from fieldkit.protocol import HEADER_PINNED_KEY
from fieldkit.services.context import ServiceContext
from fieldkit.services.settings import get_setting, set_setting
from fieldkit.sync.center import CENTER_KEY_SETTING
from fieldkit.sync.errors import ServerRefused, SyncError
from fieldkit.sync.transport import Transport
from fieldkit.sync.wipe import trusted_wipe_channel

log = logging.getLogger(__name__)
# {"how": "login" | "first_sync", "at": ISO time, "url": where it came from}
PINNED_SETTING = "sync.center_key_pinned"


class CenterKeyChanged(SyncError):
    """The center answered with a signing key other than the one this device pinned."""


def well_formed(key: str) -> bool:
    """An Ed25519 public key in base64: 32 bytes."""
    try:
        return len(base64.b64decode(key, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def pin(ctx: ServiceContext, key: str | None, how: str, url: str) -> None:
    """Record ``key`` as the center's (or no key), with when, how and from where."""
    set_setting(ctx, CENTER_KEY_SETTING, key)
    record = {"how": how, "at": ctx.clock.now().isoformat(), "url": url} if key else None
    set_setting(ctx, PINNED_SETTING, record)


def pin_at_login(ctx: ServiceContext, key: str | None, url: str) -> None:
    """A login pins the key its answer carries: the engineer's password went to this center."""
    before = get_setting(ctx, CENTER_KEY_SETTING)
    if key is not None and not well_formed(key):
        log.warning("the service center sent a malformed signing key at login; not pinned")
        key = None
    if before and key and before != key:
        log.warning("a new login pinned another service center key (was %s)", before)
    pin(ctx, key, "login", url)
    if not key:
        log.warning("the service center sent no signing key: remote wipe orders are not obeyed")


def key_seen(ctx: ServiceContext, key: str | None, url: str) -> bool:
    """Check the key a successful authenticated answer carried. True when it is the pinned
    key, or was pinned now (trust on first use); False when nothing can be pinned from it.
    Raises CenterKeyChanged when it differs from the pinned one."""
    if not key:
        return False  # a center older than the signed wipe: nothing to compare
    pinned = get_setting(ctx, CENTER_KEY_SETTING)
    if pinned == key:
        return True
    if pinned:
        log.warning(
            "the service center at %s presented another signing key than the pinned one; "
            "sync stopped, the pinned key is kept",
            url,
        )
        raise CenterKeyChanged(
            N_(
                "The service center answered with another signing key than the one this "
                "device trusts; the sync was stopped and nothing more was sent. Contact the "
                "office; logging in again accepts the new key."
            )
        )
    if not well_formed(key) or not trusted_wipe_channel(url):
        log.warning("a service center key offered over %s was not pinned", url)
        return False
    pin(ctx, key, "first_sync", url)
    log.warning("pinned the service center's signing key on the first verified sync (%s)", url)
    return True


class KeyWatch:
    """One sync's check of the center key: once a key matched, later answers are compared
    with it in memory (no read of the store per request). The key trusted is shown on every
    later request of ``transport``."""

    def __init__(self, ctx: ServiceContext, transport: Transport) -> None:
        self.ctx = ctx
        self.transport = transport
        self.trusted: str | None = None
        transport.on_center_key = self

    def __call__(self, key: str | None, url: str) -> None:
        if key is not None and key == self.trusted:
            return
        if key is not None and key_seen(self.ctx, key, url):
            self.trusted = key
            self.transport.session.headers[HEADER_PINNED_KEY] = key

    def start(self) -> None:
        """Before the sync's first request: show the pinned key, or ask the center for it
        (pinned by ``key_seen`` when the channel proves it is the center's)."""
        pinned = get_setting(self.ctx, CENTER_KEY_SETTING)
        if pinned:
            self.trusted = pinned
            self.transport.session.headers[HEADER_PINNED_KEY] = pinned
            return
        if "Authorization" not in self.transport.session.headers:
            return
        try:
            self.transport.request("GET", "/auth/center-key")
        except ServerRefused as exc:
            if exc.status != 404:  # 404: a center older than the key hand-over
                raise
