"""Server configuration from the environment, with defaults for a single-machine center."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

SMTP_SECURITY = ("starttls", "ssl", "none")
SMTP_DEFAULT_PORT = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class MailSettings:
    """The mail server the center sends slips through. The password is never logged or
    shown: it comes from FIELDKIT_SMTP_PASSWORD or the file FIELDKIT_SMTP_PASSWORD_FILE."""

    host: str
    port: int
    security: str  # starttls | ssl | none (a relay on the same host or network only)
    sender: str
    user: str = ""
    password: str = field(default="", repr=False)
    timeout_s: float = 30.0
    ca_file: str = ""  # a private certificate authority of the mail server (else the system's)


def load_mail_settings(env: Mapping[str, str] | None = None) -> MailSettings | None:
    """From FIELDKIT_SMTP_*; None when no mail server is configured (e-mails stay queued)."""
    env = os.environ if env is None else env
    host = env.get("FIELDKIT_SMTP_HOST", "").strip()
    if not host:
        return None
    security = env.get("FIELDKIT_SMTP_SECURITY", "starttls").strip().lower()
    if security not in SMTP_SECURITY:
        raise ValueError(f"FIELDKIT_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}")
    sender = env.get("FIELDKIT_SMTP_SENDER", "").strip()
    if not sender:
        raise ValueError("FIELDKIT_SMTP_SENDER (the From address of slip e-mails) is not set")
    password = env.get("FIELDKIT_SMTP_PASSWORD", "")
    secret_file = env.get("FIELDKIT_SMTP_PASSWORD_FILE", "").strip()
    if not password and secret_file:
        password = Path(secret_file).read_text(encoding="utf-8").rstrip("\r\n")
    port = env.get("FIELDKIT_SMTP_PORT", "").strip()
    return MailSettings(
        host=host,
        port=int(port) if port else SMTP_DEFAULT_PORT[security],
        security=security,
        sender=sender,
        user=env.get("FIELDKIT_SMTP_USER", "").strip(),
        password=password,
        timeout_s=float(env.get("FIELDKIT_SMTP_TIMEOUT", "30")),
        ca_file=env.get("FIELDKIT_SMTP_CA_FILE", "").strip(),
    )


@dataclass(frozen=True)
class ServerSettings:
    data_dir: Path
    database_url: str
    token_ttl: timedelta = timedelta(days=30)  # engineers sync rarely; revocation is instant
    login_window: timedelta = timedelta(minutes=15)
    # Failed logins of one account from one address before each further try waits (the wait
    # doubles per failure, up to login_max_delay); an address guessing at many accounts is
    # slowed after login_source_failures. The account itself is never locked outright.
    login_max_failures: int = 5
    login_source_failures: int = 20
    login_account_failures: int = 50  # from every address together
    login_base_delay: timedelta = timedelta(seconds=15)
    login_max_delay: timedelta = timedelta(minutes=15)
    login_account_max_delay: timedelta = timedelta(seconds=60)
    # Password checks (argon2id, 64 MiB, four lanes, ~0.3 s each) run at most this many at
    # once per process; the others queue up to login_queue_seconds, then get 503 +
    # Retry-After. The default keeps two per machine: split among the workers.
    login_verifiers: int = 2
    login_queue_seconds: float = 20.0
    max_blob_bytes: int = 2 << 30
    mail: MailSettings | None = None
    # Per user: uploads declared and not finished, and the bytes they may still add.
    max_open_uploads: int = 64
    max_partial_bytes: int = 4 << 30
    partial_max_age: timedelta = timedelta(days=1)
    debug: bool = False  # serves /docs, /redoc and /openapi.json
    # Named on the public slip check (/v/<slip id>): the company that issues the slips.
    company: str = "FieldKit Service"
    # How customers reach this center (https://service.example.com): the QR code of a slip
    # the center renders (e-mail) opens its /v/ page there. Devices use their account's URL.
    public_url: str = ""
    # The service center's own clock, for times that belong to no site (device contacts,
    # the archive's closing dates); a job's times show in its site's zone.
    center_timezone: str = "Asia/Shanghai"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"


def load_server_settings(
    data_dir: str | Path | None = None, database_url: str | None = None
) -> ServerSettings:
    root = Path(
        data_dir or os.environ.get("FIELDKIT_SERVER_DATA", "fieldkit-server-data")
    ).resolve()
    url = database_url or os.environ.get("FIELDKIT_SERVER_DB") or f"sqlite:///{root / 'server.db'}"
    debug = os.environ.get("FIELDKIT_SERVER_DEBUG", "").lower() in ("1", "true", "yes")
    workers = int(os.environ.get("FIELDKIT_WORKERS", "") or 1)
    verifiers = int(os.environ.get("FIELDKIT_LOGIN_VERIFIERS", "") or max(1, 2 // workers))
    return ServerSettings(
        data_dir=root,
        database_url=url,
        mail=load_mail_settings(),
        debug=debug,
        login_verifiers=verifiers,
        company=os.environ.get("FIELDKIT_COMPANY", "").strip() or "FieldKit Service",
        public_url=os.environ.get("FIELDKIT_PUBLIC_URL", "").strip(),
        center_timezone=os.environ.get("FIELDKIT_CENTER_TIMEZONE", "").strip() or "Asia/Shanghai",
    )
