"""The supervisor's people operations: create accounts (engineers and office staff), reset a
password (argon2id, :func:`fieldkit.server.auth.hash_password`), revoke a device's logins or
tell a stolen tablet to erase its synced data, and lift a login delay. One transaction each;
errors are :class:`ApiError` with one plain sentence."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from fieldkit.i18n import N_
from fieldkit.server import auth
from fieldkit.server import tables as t
from fieldkit.server.errors import ApiError
from fieldkit.server.roles import ROLES

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,79}")
MIN_PASSWORD = 10


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ApiError(422, "user.password", N_("The password needs at least 10 characters."))


@dataclass
class OfficePeople:
    engine: Engine
    now: Callable[[], datetime] = _utcnow

    def create_user(self, username: str, display_name: str, role: str, password: str) -> None:
        if not USERNAME.fullmatch(username):
            raise ApiError(
                422,
                "user.name",
                N_("A user name is 2-80 lower-case letters, digits, dots, dashes or underscores."),
            )
        if role not in ROLES:
            raise ApiError(422, "user.role", N_("Choose one of the roles offered."))
        _password(password)
        try:
            with self.engine.begin() as conn:
                auth.create_user(conn, username, password, role, display_name.strip()[:120])
        except IntegrityError:
            raise ApiError(409, "user.exists", N_("This user name is taken.")) from None

    def reset_password(self, username: str, password: str) -> None:
        """A new password; the user's console sessions end (devices keep their logins: revoke
        them separately when the password was stolen with the tablet)."""
        _password(password)
        with self.engine.begin() as conn:
            user_id = conn.scalar(select(t.users.c.id).where(t.users.c.username == username))
            if user_id is None:
                raise ApiError(404, "user.unknown", N_("No such user"))
            conn.execute(
                update(t.users)
                .where(t.users.c.id == user_id)
                .values(password_hash=auth.hash_password(password))
            )
            conn.execute(
                update(t.console_sessions)
                .where(
                    t.console_sessions.c.user_id == user_id,
                    t.console_sessions.c.revoked_at.is_(None),
                )
                .values(revoked_at=self.now())
            )

    def _device(self, username: str, device_id: str) -> None:
        with self.engine.connect() as conn:
            owner = conn.scalar(
                select(t.users.c.username)
                .join(t.client_devices, t.client_devices.c.user_id == t.users.c.id)
                .where(t.client_devices.c.device_id == device_id)
            )
        if owner is None or owner != username:
            raise ApiError(404, "device.unknown", N_("No such device for this user"))

    def revoke_device(self, username: str, device_id: str) -> None:
        """The device's logins end and it cannot log in again (its data stays on it)."""
        self._device(username, device_id)
        now = self.now()
        with self.engine.begin() as conn:
            conn.execute(
                update(t.tokens)
                .where(t.tokens.c.device_id == device_id, t.tokens.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            conn.execute(
                update(t.client_devices)
                .where(t.client_devices.c.device_id == device_id)
                .values(revoked=True)
            )

    def wipe_device(self, username: str, device_id: str) -> None:
        """A lost or stolen tablet: at its next request it erases its synced data."""
        self._device(username, device_id)
        now = self.now()
        with self.engine.begin() as conn:
            conn.execute(
                update(t.client_devices)
                .where(
                    t.client_devices.c.device_id == device_id,
                    t.client_devices.c.wipe_requested_at.is_(None),
                )
                .values(wipe_requested_at=now, revoked=True)
            )

    def revoke_all(self, username: str) -> int:
        with self.engine.begin() as conn:
            if conn.scalar(select(t.users.c.id).where(t.users.c.username == username)) is None:
                raise ApiError(404, "user.unknown", N_("No such user"))
            return auth.revoke_user_tokens(conn, username, self.now())

    def unlock(self, username: str, by: str) -> None:
        with self.engine.begin() as conn:
            if not auth.unlock(conn, username, self.now(), by):
                raise ApiError(404, "user.unknown", N_("No such user"))
