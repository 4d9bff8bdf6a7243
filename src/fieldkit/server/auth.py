"""Passwords (argon2id), bearer tokens bound to a device, login throttling."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Connection

from fieldkit.server import tables as t
from fieldkit.server.errors import ApiError
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
    def is_dispatcher(self) -> bool:
        return self.role == "dispatcher"


def create_user(
    conn: Connection, username: str, password: str, role: str, display_name: str = ""
) -> int:
    if role not in ("engineer", "dispatcher"):
        raise ValueError("role must be engineer or dispatcher")
    result = conn.execute(
        insert(t.users).values(
            username=username,
            display_name=display_name or username,
            role=role,
            password_hash=hash_password(password),
            active=True,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def login(
    conn: Connection,
    settings: ServerSettings,
    now: datetime,
    username: str,
    password: str,
    device_id: str,
    device_name: str,
    remote: str,
    public_key: str | None = None,
) -> tuple[str, datetime, dict[str, str]]:
    since = now - settings.login_window
    failures = (
        conn.scalar(
            select(func.count())
            .select_from(t.login_attempts)
            .where(
                t.login_attempts.c.username == username,
                t.login_attempts.c.ok.is_(False),
                t.login_attempts.c.at >= since,
            )
        )
        or 0
    )
    if failures >= settings.login_max_failures:
        raise ApiError(
            429,
            "auth.throttled",
            "Too many failed logins. Wait 15 minutes or ask the office to reset it.",
        )
    user = conn.execute(select(t.users).where(t.users.c.username == username)).mappings().first()
    ok = False
    try:
        ok = _hasher.verify(user["password_hash"] if user else _DUMMY_HASH, password) and bool(user)
    except (VerificationError, InvalidHashError):
        ok = False
    ok = ok and bool(user and user["active"])
    conn.execute(insert(t.login_attempts).values(username=username, remote=remote, at=now, ok=ok))
    if not ok or user is None:
        conn.commit()  # the failed attempt must count even though we refuse
        raise ApiError(401, "auth.invalid", "Wrong user name or password.")
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
                name=device_name,
                registered_at=now,
                last_seq=0,
                revoked=False,
            )
        )
    if public_key:
        # The device proves its owner with the password; its key signs the slips it issues.
        conn.execute(
            update(t.client_devices)
            .where(t.client_devices.c.device_id == device_id)
            .values(public_key=public_key)
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


def authenticate(conn: Connection, token: str, now: datetime) -> Principal:
    row = conn.execute(
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
        )
        .join(t.users, t.users.c.id == t.tokens.c.user_id)
        .join(t.client_devices, t.client_devices.c.device_id == t.tokens.c.device_id)
        .where(t.tokens.c.token_sha256 == _sha(token))
    ).first()
    if row is None:
        raise ApiError(401, "auth.invalid_token", "Please log in again.")
    if row.wipe_requested_at is not None:
        raise ApiError(
            401,
            WIPE_CODE,
            "This device was reported lost or stolen: FieldKit erases its synced data.",
        )
    if row.revoked_at is not None or row.revoked or not row.active:
        raise ApiError(401, "auth.revoked", "This login was revoked. Please log in again.")
    if row.expires_at <= now:
        raise ApiError(401, "auth.expired", "Your login expired. Please log in again.")
    return Principal(user_id=row.id, username=row.username, role=row.role, device_id=row.device_id)


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
