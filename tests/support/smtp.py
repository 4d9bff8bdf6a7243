"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.server import free_port
from tests.sync.test_tls import self_signed

USER, PASSWORD = "center", "s3cret-smtp-pass"


@dataclass
class Mailbox:
    """Accepts mail for everyone except *@refused.example.com (550, a permanent refusal)."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.endswith("@refused.example.com"):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float = 30.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} mails arrived"
        return self.messages


def _login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    controller: Controller
    mailbox: Mailbox
    port: int
    ca_file: Path

    def env(self) -> dict[str, str]:
        """The center's mail settings for this server: STARTTLS (its certificate trusted as a
        private authority), then login."""
        return {
            "FIELDKIT_SMTP_HOST": "localhost",
            "FIELDKIT_SMTP_PORT": str(self.port),
            "FIELDKIT_SMTP_SECURITY": "starttls",
            "FIELDKIT_SMTP_CA_FILE": str(self.ca_file),
            "FIELDKIT_SMTP_USER": USER,
            "FIELDKIT_SMTP_PASSWORD": PASSWORD,
            "FIELDKIT_SMTP_SENDER": "service@fieldkit.example.com",
        }

    def stop(self) -> None:
        self.controller.stop()


def start_smtp(folder: Path) -> SmtpServer:
    cert, key = self_signed(folder)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=tls,
        require_starttls=True,
        authenticator=_login,
        auth_required=True,
    )
    controller.start()
    return SmtpServer(controller, mailbox, port, cert)
