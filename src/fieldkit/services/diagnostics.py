"""Diagnostics for the office: the log, versions, schema, sync state and settings in one zip
file, never a secret (no token, password or key: secret settings are left out and any secret
this device holds is blanked wherever it appears, the log included)."""

from __future__ import annotations

import contextlib
import io
import json
import platform
import re
import sys
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

import keyring
from keyring.errors import KeyringError
from sqlalchemy import select

from fieldkit import __version__
from fieldkit.services.context import ServiceContext
from fieldkit.services.queries import sync_summary
from fieldkit.store import models as m
from fieldkit.store.migrate import current_revision, head_revision

REDACTED = "[redacted]"
SECRET_KEY = re.compile(r"token|password|passwd|secret|key|credential|auth|cookie", re.I)
BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+")
PACKAGES = ("PySide6", "SQLAlchemy", "alembic", "requests", "pydantic", "pypdfium2", "keyring")


def _secrets(ctx: ServiceContext, settings: dict[str, Any]) -> list[str]:
    """Every secret this device holds: its sync token and its signing key."""
    from fieldkit.services import device_key

    found: list[str] = []
    accounts = [device_key._account(ctx.device_id)]
    url, user = settings.get("sync.server_url"), settings.get("sync.username")
    if url and user:
        accounts.append(f"{user}@{str(url).rstrip('/')}")
    for account in accounts:
        with contextlib.suppress(KeyringError, RuntimeError):
            value = keyring.get_password("fieldkit", account)
            if value:
                found.append(value)
    return found


def scrub(text: str, secrets: list[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 6:
            text = text.replace(secret, REDACTED)
    return BEARER.sub(lambda match: match.group(1) + REDACTED, text)


def _versions() -> str:
    lines = [
        f"FieldKit {__version__}",
        f"Python {sys.version.split()[0]} ({platform.python_implementation()})",
        f"Platform {platform.platform()}",
    ]
    for name in PACKAGES:
        try:
            lines.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            lines.append(f"{name} -")
    return "\n".join(lines) + "\n"


def export_diagnostics(ctx: ServiceContext, log_dir: Path, target: Path) -> Path:
    """Write the diagnostics zip to ``target`` and return it."""
    with ctx.db.read() as session:
        settings = {row.key: row.value for row in session.scalars(select(m.Setting))}
    secrets = _secrets(ctx, settings)
    shown = {key: REDACTED if SECRET_KEY.search(key) else value for key, value in settings.items()}
    summary = sync_summary(ctx)
    files: dict[str, str] = {
        "versions.txt": _versions(),
        "schema.txt": (
            f"data file: {current_revision(ctx.db.engine) or '-'}\n"
            f"this app: {head_revision() or '-'}\n"
        ),
        "sync.txt": (
            f"device: {ctx.device_id}\nunsynced changes: {summary.pending}\n"
            f"refused: {summary.rejected}\nlast sync: {summary.last_sync_at or 'never'}\n"
        ),
        "settings.json": json.dumps(shown, ensure_ascii=False, indent=2, default=str),
    }
    for log_file in sorted(Path(log_dir).glob("*.log*")):
        files[f"logs/{log_file.name}"] = log_file.read_text(encoding="utf-8", errors="replace")
    target.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, text in files.items():
            bundle.writestr(name, scrub(text, secrets))
    target.write_bytes(buffer.getvalue())
    return target
