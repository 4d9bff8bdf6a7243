"""Connecting this device to its service center: login, stored account, ready transport."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path

from fieldkit.protocol import HEADER_CENTER_KEY
from fieldkit.protocol.wire import LoginRequest, LoginResponse
from fieldkit.services.context import ServiceContext
from fieldkit.services.settings import get_setting, set_setting
from fieldkit.store.migrate import head_revision
from fieldkit.sync import center, center_trust
from fieldkit.sync.center import (
    DEMO_CENTER_SETTING,
    SERVER_URL_SETTING,
    USERNAME_SETTING,
)
from fieldkit.sync.credentials import CredentialStore
from fieldkit.sync.errors import AuthRequired
from fieldkit.sync.transport import Transport, parse

_credentials = CredentialStore()
log = logging.getLogger(__name__)


def credentials() -> CredentialStore:
    return _credentials


@dataclass(frozen=True)
class Account:
    server_url: str
    username: str
    ca_bundle: Path | None


def account(ctx: ServiceContext) -> Account | None:
    url, user = get_setting(ctx, SERVER_URL_SETTING), get_setting(ctx, USERNAME_SETTING)
    if not url or not user:
        return None
    ca = get_setting(ctx, "sync.ca_bundle")
    return Account(url, user, Path(ca) if ca else None)


def login(
    ctx: ServiceContext,
    server_url: str,
    username: str,
    password: str,
    ca_bundle: Path | None = None,
    device_name: str = "",
    demo_center: bool = False,
) -> LoginResponse:
    """Log in and remember the account; ``demo_center`` marks the local demo center that
    `fieldkit run` starts, which a login to a real center replaces for good."""
    with Transport(server_url, ca_bundle=ca_bundle, schema_version=head_revision() or "") as http:
        from fieldkit.services.device_key import private_key, public_key_b64

        request = LoginRequest(
            public_key=public_key_b64(private_key(ctx)),
            username=username,
            password=password,
            device_id=ctx.device_id,
            device_name=device_name,
        )
        answer = http.request("POST", "/auth/login", json_body=request.model_dump(mode="json"))
        reply = parse(answer, LoginResponse)
        center_key = answer.headers.get(HEADER_CENTER_KEY) or None
    _credentials.save(server_url, reply.username, reply.token)
    set_setting(ctx, SERVER_URL_SETTING, server_url.rstrip("/"))
    set_setting(ctx, USERNAME_SETTING, reply.username)
    set_setting(ctx, "sync.display_name", reply.display_name)  # printed on the slips signed
    set_setting(ctx, "sync.ca_bundle", str(ca_bundle) if ca_bundle else None)
    set_setting(ctx, DEMO_CENTER_SETTING, demo_center)
    # Pinned with the account: only an order signed by this key erases the device.
    center_trust.pin_at_login(ctx, center_key, server_url.rstrip("/"))
    return reply


def uses_real_center(ctx: ServiceContext) -> bool:
    """True once this data folder logged in to a service center other than the demo one."""
    return center.uses_real_center(lambda key: get_setting(ctx, key))


def connect(ctx: ServiceContext) -> Transport:
    """A transport carrying this device's token, or AuthRequired with what to do."""
    acct = account(ctx)
    if acct is None:
        raise AuthRequired("Not connected to a service center yet: log in first")
    token = _credentials.load(acct.server_url, acct.username)
    if not token:
        raise AuthRequired(f"Log in to {acct.server_url} again as {acct.username}")
    return Transport(
        acct.server_url, token=token, ca_bundle=acct.ca_bundle, schema_version=head_revision() or ""
    )


def logout(ctx: ServiceContext) -> None:
    acct = account(ctx)
    if acct is None:
        return
    token = _credentials.load(acct.server_url, acct.username)
    if token:
        with (
            contextlib.suppress(Exception),
            Transport(acct.server_url, token=token, ca_bundle=acct.ca_bundle, retries=0) as http,
        ):
            http.request("POST", "/auth/logout", ok=(204,))
    _credentials.delete(acct.server_url, acct.username)
