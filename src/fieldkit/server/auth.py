"""Passwords (argon2id), bearer tokens bound to a device, login throttling."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
import os
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, and_, bindparam, func, insert, select, update
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool

from fieldkit.server import tables as t
from fieldkit.server.center_key import CenterKey
from fieldkit.server.errors import ApiError
from fieldkit.server.roles import OFFICE_ROLES, ROLES
from fieldkit.server.settings import ServerSettings

_hasher = PasswordHasher()  # argon2id with the library's vetted defaults (slow by design)
# Verifying against this keeps unknown usernames as slow as wrong passwords.
_DUMMY_HASH = _hasher.hash("not a real password")

WIPE_CODE = "auth.wipe"  # the client erases its synced data on this answer


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    role: str
    device_id: str

    @property
    def is_office(self) -> bool:
        """The service center's staff: the dispatch API, every engineer's data."""
        return self.role in OFFICE_ROLES


def create_user(
    conn: Connection,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    password_hash: str | None = None,
) -> int:
    """``password_hash``: the password's hash made already (the demo's users share one
    published password, hashed once: each hash takes most of a second by design)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    result = conn.execute(
        insert(t.users).values(
            username=username,
            display_name=display_name or username,
            role=role,
            password_hash=password_hash or hash_password(password),
            active=True,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


@dataclass(frozen=True)
class LoginRequestInfo:
    username: str
    password: str
    device_id: str
    device_name: str
    remote: str
    public_key: str | None = None


class LoginGate:
    """Logins that cannot sink the center. The throttle and the user row are read without a
    write lock; the attempt is counted and recorded in a short write transaction (serialised
    per user name on PostgreSQL by an advisory lock, so parallel guesses cannot overshoot);
    argon2 runs outside any transaction in a pool of ``settings.login_verifiers`` threads. A
    login that waits longer than ``login_queue_seconds`` for a slot answers 503 with
    Retry-After. Waiting logins hold no thread and no connection."""

    def __init__(self, engine: Engine, settings: ServerSettings) -> None:
        self.engine, self.settings = engine, settings
        self._pool = ThreadPoolExecutor(
            settings.login_verifiers, thread_name_prefix="argon2", initializer=_background
        )
        self._slots: asyncio.Semaphore | None = None

    async def login(
        self, req: LoginRequestInfo, now: Callable[[], datetime]
    ) -> tuple[str, datetime, dict[str, str]]:
        user, attempt = await self.check(req, now)
        return await run_in_threadpool(self._finish, req, user, attempt, now())

    async def check(
        self, req: LoginRequestInfo, now: Callable[[], datetime]
    ) -> tuple[dict[str, Any], int]:
        """The password check with its throttle: the user's row and the attempt's id, or
        ApiError 401/429/503. The console's sign-in uses this; the API's login also issues a
        device token."""
        user = await run_in_threadpool(self._read, req, now())
        if self._slots is None:  # created on the serving loop
            self._slots = asyncio.Semaphore(self.settings.login_verifiers)
        try:
            await asyncio.wait_for(self._slots.acquire(), self.settings.login_queue_seconds)
        except TimeoutError:
            raise ApiError(
                503,
                "server.busy",
                "The service center is busy; try again in a moment.",
                retry_after=5,
            ) from None
        try:
            attempt = await run_in_threadpool(self._reserve, req, now())
            loop = asyncio.get_running_loop()
            ok = await loop.run_in_executor(self._pool, verify_password, user, req.password)
        finally:
            self._slots.release()
        if not ok or user is None or not user["active"]:
            raise ApiError(401, "auth.invalid", "Wrong user name or password.")
        return user, attempt

    def succeeded(self, attempt: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(t.login_attempts).where(t.login_attempts.c.id == attempt).values(ok=True)
            )

    def _read(self, req: LoginRequestInfo, now: datetime) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            _refuse_if_throttled(conn, self.settings, now, req.username, req.remote)
            row = conn.execute(select(t.users).where(t.users.c.username == req.username))
            user = row.mappings().first()
            return dict(user) if user else None

    def _reserve(self, req: LoginRequestInfo, now: datetime) -> int:
        """Count and record the attempt as failed before the password is checked: a burst of
        parallel guesses is evaluated at most up to the limit."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(
                    select(func.pg_advisory_xact_lock(_LOCK_USER, func.hashtext(req.username)))
                )
                conn.execute(
                    select(func.pg_advisory_xact_lock(_LOCK_SOURCE, func.hashtext(req.remote)))
                )
            _refuse_if_throttled(conn, self.settings, now, req.username, req.remote)
            result = conn.execute(
                insert(t.login_attempts).values(
                    username=req.username[:80], remote=req.remote, at=now, ok=False
                )
            )
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    def _finish(
        self, req: LoginRequestInfo, user: dict[str, Any], attempt: int, now: datetime
    ) -> tuple[str, datetime, dict[str, str]]:
        with self.engine.begin() as conn:
            conn.execute(
                update(t.login_attempts).where(t.login_attempts.c.id == attempt).values(ok=True)
            )
            return _issue_token(conn, self.settings, now, user, req)


def _background() -> None:
    """Password checks yield the CPU to syncs: a burst of logins (argon2 runs 4 lanes per
    check) must not starve the requests engineers wait for. Linux applies niceness per
    thread, and argon2's lane threads inherit it."""
    if hasattr(os, "setpriority"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)


# Mild: a sync gets three times the CPU share of a password check, but on a machine busy
# with other work the checks still progress (nice 19 starved them past the app's timeout).
NICE = 5
_LOCK_USER, _LOCK_SOURCE = 7_733_101, 7_733_102
UNLOCK_PREFIX = "unlock:"


def verify_password(user: dict[str, Any] | None, password: str) -> bool:
    try:
        ok = _hasher.verify(user["password_hash"] if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(ok and user and user["active"])


def throttle_wait(
    conn: Connection, settings: ServerSettings, now: datetime, username: str, remote: str
) -> float:
    """Seconds before this account may be tried again from this address (0: now). Failures
    of one account from one address, of one account from everywhere, and of one address at
    any account each allow a few tries, then a wait that doubles per failure. A successful
    login starts the account-wide count afresh, the office's unlock every count of the
    account; nobody can lock an account for others for longer than
    ``login_account_max_delay`` at a time."""
    la = t.login_attempts
    since = now - settings.login_window
    ok = (la.c.username == username) & la.c.ok.is_(True) & (la.c.at >= since)
    reset = conn.scalar(select(func.max(la.c.at)).where(ok))
    account_since = max(since, reset) if reset else since
    # One address's count is lifted only by the office: a success in the middle of a burst
    # of parallel guesses from the same address must not make room for five more.
    unlocked = conn.scalar(
        select(func.max(la.c.at)).where(ok, la.c.remote.startswith(UNLOCK_PREFIX))
    )
    pair_since = max(since, unlocked) if unlocked else since

    def failures(*where: Any) -> tuple[int, datetime | None]:
        row = conn.execute(
            select(func.count(), func.max(la.c.at)).where(la.c.ok.is_(False), *where)
        ).one()
        return int(row[0] or 0), row[1]

    wait = 0.0
    limits = (
        (
            failures(la.c.username == username, la.c.remote == remote, la.c.at >= pair_since),
            settings.login_max_failures,
            settings.login_base_delay.total_seconds(),
            settings.login_max_delay.total_seconds(),
        ),
        (
            failures(la.c.username == username, la.c.at >= account_since),
            settings.login_account_failures,
            1.0,
            settings.login_account_max_delay.total_seconds(),
        ),
        (
            failures(la.c.remote == remote, la.c.at >= since),
            settings.login_source_failures,
            settings.login_base_delay.total_seconds(),
            settings.login_max_delay.total_seconds(),
        ),
    )
    for (count, last), limit, base, cap in limits:
        if count >= limit and last is not None:
            delay = min(base * 2 ** min(count - limit, 30), cap)
            wait = max(wait, delay - (now - last).total_seconds())
    return wait


def _refuse_if_throttled(
    conn: Connection, settings: ServerSettings, now: datetime, username: str, remote: str
) -> None:
    wait = throttle_wait(conn, settings, now, username, remote)
    if wait > 0:
        seconds = math.ceil(wait)
        raise ApiError(
            429,
            "auth.throttled",
            f"Too many failed logins. Try again in {seconds} seconds, or ask the office "
            "to unlock the account.",
            retry_after=seconds,
        )


def unlock(conn: Connection, username: str, now: datetime, by: str) -> bool:
    """The office lifts the account's login delay (its failures stop counting)."""
    if conn.scalar(select(t.users.c.id).where(t.users.c.username == username)) is None:
        return False
    conn.execute(
        insert(t.login_attempts).values(
            username=username, remote=(UNLOCK_PREFIX + by)[:64], at=now, ok=True
        )
    )
    return True


def _issue_token(
    conn: Connection,
    settings: ServerSettings,
    now: datetime,
    user: dict[str, Any],
    req: LoginRequestInfo,
) -> tuple[str, datetime, dict[str, str]]:
    device_id = req.device_id
    device = (
        conn.execute(select(t.client_devices).where(t.client_devices.c.device_id == device_id))
        .mappings()
        .first()
    )
    if device is not None and (device["user_id"] != user["id"] or device["revoked"]):
        raise ApiError(403, "auth.device", "This device is registered to another user or revoked.")
    if device is None:
        conn.execute(
            insert(t.client_devices).values(
                device_id=device_id,
                user_id=user["id"],
                name=req.device_name,
                registered_at=now,
                last_seq=0,
                revoked=False,
            )
        )
    # A login is a contact (server/contact.py: the device's "last seen").
    seen: dict[str, Any] = {"last_seen_at": now}
    if req.public_key:
        # The device proves its owner with the password; its key signs the slips it issues.
        seen["public_key"] = req.public_key
    conn.execute(
        update(t.client_devices).where(t.client_devices.c.device_id == device_id).values(**seen)
    )
    token = secrets.token_urlsafe(32)
    expires = now + settings.token_ttl
    conn.execute(
        insert(t.tokens).values(
            token_sha256=_sha(token),
            user_id=user["id"],
            device_id=device_id,
            created_at=now,
            expires_at=expires,
        )
    )
    return (
        token,
        expires,
        {"username": user["username"], "display_name": user["display_name"], "role": user["role"]},
    )


# Every request runs it: built once (see server/prepared.py).
_BY_TOKEN = (
    select(
        t.tokens.c.expires_at,
        t.tokens.c.revoked_at,
        t.tokens.c.device_id,
        t.users.c.id,
        t.users.c.username,
        t.users.c.role,
        t.users.c.active,
        t.client_devices.c.revoked,
        t.client_devices.c.wipe_requested_at,
        t.client_devices.c.wipe_delivered_at,
        t.client_devices.c.wipe_sent_at,
    )
    .join(t.users, t.users.c.id == t.tokens.c.user_id)
    .join(t.client_devices, t.client_devices.c.device_id == t.tokens.c.device_id)
    .where(t.tokens.c.token_sha256 == bindparam("sha"))
)


def authenticate(
    conn: Connection,
    token: str,
    now: datetime,
    center_key: CenterKey | None = None,
    pinned: str | None = None,
    *,
    note_wipe: bool = True,
) -> Principal:
    """The principal behind ``token``. A device reported lost or stolen gets the wipe order
    instead, signed by ``center_key`` (the device obeys only the key it pinned). ``pinned``
    is the key the request says the device has pinned: when it is ``center_key``, the order
    is recorded as delivered (the device can check it), else as sent (it may not obey)."""
    row = conn.execute(_BY_TOKEN, {"sha": _sha(token)}).first()
    if row is None:
        raise ApiError(401, "auth.invalid_token", "Please log in again.")
    if row.wipe_requested_at is not None:
        checkable = center_key is not None and pinned == center_key.public_b64
        column = "wipe_delivered_at" if checkable else "wipe_sent_at"
        # The first time only: a device that keeps asking writes once.
        if note_wipe and getattr(row, column) is None:
            conn.execute(
                update(t.client_devices)
                .where(t.client_devices.c.device_id == row.device_id)
                .values({column: now})
            )
            conn.commit()
        order = (
            center_key.wipe_order(row.device_id, row.username, row.wipe_requested_at)
            if center_key is not None
            else {}
        )
        raise ApiError(
            401,
            WIPE_CODE,
            "This device was reported lost or stolen: FieldKit erases its synced data.",
            **order,
        )
    if row.revoked_at is not None or row.revoked or not row.active:
        raise ApiError(401, "auth.revoked", "This login was revoked. Please log in again.")
    if row.expires_at <= now:
        raise ApiError(401, "auth.expired", "Your login expired. Please log in again.")
    return Principal(user_id=row.id, username=row.username, role=row.role, device_id=row.device_id)


def hand_over_center_key(
    engine: Engine, token: str, now: datetime, center_key: CenterKey, pinned: str | None
) -> None:
    """Check ``token`` for GET /auth/center-key. A device reported lost or stolen that does
    not show the center's key pinned is let through (its answer carries nothing but the
    public key), so that a tablet which logged in before keys were pinned can pin it and
    check the signed wipe order that its next request gets. Otherwise as ``authenticate``."""
    checkable = pinned == center_key.public_b64
    try:  # the order is noted as sent only when it is served
        with engine.connect() as conn:
            authenticate(conn, token, now, center_key, pinned, note_wipe=checkable)
    except ApiError as exc:
        if exc.code != WIPE_CODE or checkable:
            raise


def revoke_token(conn: Connection, token: str, now: datetime) -> None:
    conn.execute(
        update(t.tokens)
        .where(and_(t.tokens.c.token_sha256 == _sha(token), t.tokens.c.revoked_at.is_(None)))
        .values(revoked_at=now)
    )


def request_wipe(conn: Connection, username: str, now: datetime) -> int:
    """Every device of the user erases its synced data at its next request (stolen tablet)."""
    user_id = conn.scalar(select(t.users.c.id).where(t.users.c.username == username))
    result = conn.execute(
        update(t.client_devices)
        .where(
            t.client_devices.c.user_id == user_id, t.client_devices.c.wipe_requested_at.is_(None)
        )
        .values(wipe_requested_at=now, revoked=True)
    )
    return result.rowcount


def revoke_user_tokens(conn: Connection, username: str, now: datetime) -> int:
    user_id = conn.scalar(select(t.users.c.id).where(t.users.c.username == username))
    result = conn.execute(
        update(t.tokens)
        .where(t.tokens.c.user_id == user_id, t.tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount


def log_out(engine: Engine, token: str, now: datetime) -> None:
    """End the login that ``token`` belongs to."""
    with engine.begin() as conn:
        revoke_token(conn, token, now)
