"""Sending signed slips to customers by e-mail, after the push that asked for it committed.

A ``slip.send_email.v1`` mutation leaves a row in ``mail_outbox``; a sender thread in each
API process claims due rows (a conditional update, so two processes never send one mail),
renders the slip's PDF from the canonical content the center stored (the same
``reports/slip_pdf`` code as the device), sends it over SMTP and records the result on the
synced ``slip_emails`` row, which the engineer's next sync brings back. A refused recipient
fails at once; anything else (the mail server down, a timeout) is retried with backoff.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from sqlalchemy import Connection, Engine, and_, or_, select, update

from fieldkit.domain.enums import DeliveryStatus
from fieldkit.domain.slip import SignedSlip
from fieldkit.i18n import N_, translator
from fieldkit.server import tables as t
from fieldkit.server.changes import ChangeWriter
from fieldkit.server.settings import MailSettings

log = logging.getLogger(__name__)
E = t.ENTITY
MAX_ATTEMPTS = 8
NOT_CONFIGURED = N_(
    "The service center has no mail server configured yet; the e-mail waits for one"
)
STALE_CLAIM = timedelta(minutes=10)  # a sender that crashed mid-send: try again after this


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes between tries, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


class Permanent(Exception):
    """The mail server refused the message itself (an unknown mailbox): retrying cannot help."""


@dataclass(frozen=True)
class Outgoing:
    email_id: str
    to: str
    subject: str
    body: str
    filename: str
    pdf: bytes


def render_slip_pdf(
    conn: Connection, slip_id: str, language: str, center_url: str | None = None
) -> tuple[str, bytes]:
    """(slip number, PDF bytes) from what the center stored: the hashed content, checked
    against its hash, and the signatures as captured; the QR code opens ``center_url``'s
    public slip check when the center knows its public address."""
    from fieldkit.reports.layout import SignatureImage
    from fieldkit.reports.slip_pdf import render_slip

    slips, sigs = E["slips"], E["signatures"]
    slip = conn.execute(select(slips).where(slips.c.id == slip_id)).mappings().one()
    signed = SignedSlip(
        slip["id"],
        slip["job_id"],
        slip["canonical"],
        slip["content_sha256"],
        slip["signed_at"],
        slip["supersedes_id"],
    )
    if not signed.verify():
        raise Permanent("The stored slip does not match its hash")
    ids = [i for i in (slip["customer_signature_id"], slip["engineer_signature_id"]) if i]
    rows = {r["id"]: r for r in conn.execute(select(sigs).where(sigs.c.id.in_(ids))).mappings()}
    signatures = [
        SignatureImage(
            r["role"],
            r["signer_name"],
            r["signed_at"].strftime("%Y-%m-%d %H:%M UTC"),
            r["canvas_width"],
            r["canvas_height"],
            r["strokes"],
        )
        for r in (rows.get(i) for i in ids)
        if r is not None
    ]
    issued = (slip["device_signature"], slip["device_public_key"])
    pdf = render_slip(
        signed.content(),
        signed.sha256,
        signatures,
        language,
        issued_by=issued if all(issued) else None,
        center_url=center_url,
    )
    return str(slip["number"]), pdf


def compose(settings: MailSettings, item: Outgoing) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = item.to
    msg["Subject"] = item.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(idstring=item.email_id.replace("-", ""))
    msg.set_content(item.body)
    msg.add_attachment(item.pdf, maintype="application", subtype="pdf", filename=item.filename)
    return msg


def send(settings: MailSettings, msg: EmailMessage) -> None:
    """One SMTP session; Permanent for a refusal of this message, OSError/SMTPException for
    what may pass on a later try."""
    context = ssl.create_default_context(cafile=settings.ca_file or None)
    smtp: smtplib.SMTP
    if settings.security == "ssl":
        smtp = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout_s, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
    with smtp:
        if settings.security == "starttls":
            smtp.starttls(context=context)
        if settings.user:
            smtp.login(settings.user, settings.password)
        try:
            smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if all(500 <= code < 600 for code in codes):
                raise Permanent(_smtp_text(exc)) from exc
            raise
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
            if 500 <= exc.smtp_code < 600:
                raise Permanent(_smtp_text(exc)) from exc
            raise


def _smtp_text(exc: Exception) -> str:
    """What the mail server said, without the password or anything of the settings."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{to}: {code} {reply.decode(errors='replace')}"
            for to, (code, reply) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "The mail server refused the center's login"
    if isinstance(exc, smtplib.SMTPResponseException):
        said = exc.smtp_error
        return (
            f"{exc.smtp_code} {said.decode(errors='replace') if isinstance(said, bytes) else said}"
        )
    return exc.__class__.__name__ + (f": {exc.strerror}" if isinstance(exc, OSError) else "")


_BOX, _EMAILS = t.mail_outbox, E["slip_emails"]
# Slip e-mails waiting without a mail server whose engineer has not been told so yet.
_UNTOLD = (
    select(_EMAILS.c.id, E["jobs"].c.assigned_engineer)
    .join(_BOX, _BOX.c.id == _EMAILS.c.id)
    .join(E["jobs"], E["jobs"].c.id == _EMAILS.c.job_id)
    .where(_BOX.c.state == "pending", _EMAILS.c.detail != NOT_CONFIGURED)
)


class MailOutbox:
    """The sender of one API process: wakes after each push and every ``poll_s``."""

    def __init__(
        self,
        engine: Engine,
        settings: MailSettings | None,
        poll_s: float = 30.0,
        center_url: str | None = None,
    ):
        self.engine, self.settings, self.poll_s = engine, settings, poll_s
        self.center_url = center_url  # the public address the slips' QR codes open
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="fieldkit-mail", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():  # at start (what a restart left), then when woken
            try:
                self.run_due()
            except Exception:  # the sender must outlive a bad row or a database hiccup
                log.exception("sending slip e-mails failed; retrying later")
            self._wake.wait(self.poll_s)
            self._wake.clear()

    def run_due(self, now: datetime | None = None) -> int:
        """Send every due e-mail this process can claim; returns how many were tried.
        Without a mail server they stay queued, and the engineer is told why."""
        if self.settings is None:
            self._tell_not_configured(now or datetime.now(UTC))
            return 0
        tried = 0
        while (item := self._claim(now or datetime.now(UTC))) is not None:
            tried += 1
            self._deliver(item, now)
        return tried

    def _tell_not_configured(self, now: datetime) -> None:
        # Woken after every push: a read first, so that nothing to tell takes no write lock
        # (on SQLite the writers' BEGIN IMMEDIATE would queue the next push behind it).
        with self.engine.connect() as conn:
            if not conn.execute(_UNTOLD).first():
                return
        with self.engine.begin() as conn:
            rows = conn.execute(_UNTOLD).all()
            if not rows:
                return
            writer = ChangeWriter(conn, now)
            for email_id, engineer in rows:
                conn.execute(
                    update(_EMAILS)
                    .where(_EMAILS.c.id == email_id)
                    .values(detail=NOT_CONFIGURED, status_at=now)
                )
                writer.upsert("slip_emails", email_id, {engineer} if engineer else set())
            writer.flush()

    def _claim(self, now: datetime) -> dict[str, Any] | None:
        box = t.mail_outbox
        due = or_(
            and_(box.c.state == "pending", box.c.next_attempt_at <= now),
            and_(box.c.state == "sending", box.c.claimed_at < now - STALE_CLAIM),
        )
        with self.engine.begin() as conn:
            for row in conn.execute(
                select(box).where(due).order_by(box.c.next_attempt_at).limit(5)
            ).mappings():
                won = conn.execute(
                    update(box)
                    .where(
                        box.c.id == row["id"],
                        box.c.state == row["state"],
                        box.c.attempts == row["attempts"],
                    )
                    .values(state="sending", claimed_at=now, attempts=row["attempts"] + 1)
                ).rowcount
                if won == 1:
                    return {**dict(row), "attempts": row["attempts"] + 1}
        return None

    def _deliver(self, claimed: dict[str, Any], now: datetime | None) -> None:
        assert self.settings is not None
        emails = E["slip_emails"]
        try:
            with self.engine.connect() as conn:
                request = (
                    conn.execute(select(emails).where(emails.c.id == claimed["id"]))
                    .mappings()
                    .one()
                )
                try:
                    number, pdf = render_slip_pdf(
                        conn, request["slip_id"], request["language"], self.center_url
                    )
                except Permanent:
                    raise
                except Exception as exc:  # a slip this center cannot render: not retried
                    log.exception("slip %s could not be rendered", request["slip_id"])
                    raise Permanent(f"The center could not render the slip ({exc!r})") from exc
            _ = translator(request["language"])
            item = Outgoing(
                request["id"],
                request["to_address"],
                _("Service slip {number}").format(number=number),
                _(
                    "Dear customer,\n\nattached is the service slip {number} you signed. "
                    "Keep it with your records: the verification block on its last page "
                    "shows that it is the signed original.\n\n{sender}"
                ).format(number=number, sender=self.settings.sender),
                f"{number}.pdf",
                pdf,
            )
            send(self.settings, compose(self.settings, item))
        except Permanent as exc:
            self._record(claimed, DeliveryStatus.FAILED, str(exc), now)
        except (OSError, smtplib.SMTPException) as exc:
            final = claimed["attempts"] >= MAX_ATTEMPTS
            self._record(
                claimed,
                DeliveryStatus.FAILED if final else DeliveryStatus.QUEUED,
                _smtp_text(exc),
                now,
            )
        else:
            self._record(claimed, DeliveryStatus.SENT, "", now)

    def _record(
        self, claimed: dict[str, Any], status: DeliveryStatus, detail: str, now: datetime | None
    ) -> None:
        at = now or datetime.now(UTC)
        box, emails = t.mail_outbox, E["slip_emails"]
        retry = status is DeliveryStatus.QUEUED
        with self.engine.begin() as conn:
            conn.execute(
                update(box)
                .where(box.c.id == claimed["id"])
                .values(
                    state="pending" if retry else status.value,
                    claimed_at=None,
                    next_attempt_at=at + backoff(claimed["attempts"]) if retry else at,
                    last_error=detail,
                )
            )
            conn.execute(
                update(emails)
                .where(emails.c.id == claimed["id"])
                .values(
                    status=status.value,
                    status_at=at,
                    detail=detail[:2000],
                    attempts=claimed["attempts"],
                )
            )
            job_id = conn.scalar(select(emails.c.job_id).where(emails.c.id == claimed["id"]))
            engineer = conn.scalar(
                select(E["jobs"].c.assigned_engineer).where(E["jobs"].c.id == job_id)
            )
            writer = ChangeWriter(conn, at)
            writer.upsert("slip_emails", claimed["id"], {str(engineer)} if engineer else set())
            writer.flush()
        log.info("slip e-mail %s: %s", claimed["id"], status.value)
