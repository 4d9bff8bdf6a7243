"""A signed slip reaches the customer by e-mail: queued offline on the device, sent by a
real center process through a real SMTP server on loopback once the change arrives, with
the PDF the center rendered from the stored slip attached; the status comes back by sync."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from fieldkit.domain.enums import DeliveryStatus, SignerRole
from fieldkit.domain.errors import InvalidValue
from fieldkit.services import slip_delivery, slips
from fieldkit.services.transaction import transaction
from fieldkit.store import models as m
from tests.services.fixtures import signature
from tests.support.flow import resolve_on_site
from tests.support.server import Client, Office, Server, copy_template, make_client, start_server
from tests.support.smtp import PASSWORD, SmtpServer, start_smtp


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    server = start_smtp(tmp_path)
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def center(request: pytest.FixtureRequest, tmp_path: Path, smtp: SmtpServer) -> Iterator[Server]:
    """A real center process with the loopback mail server in its settings."""
    if request.param == "sqlite":
        template = request.getfixturevalue("server_template")
        srv = start_server(copy_template(template, tmp_path / "server"), env=smtp.env())
    else:
        postgres = request.getfixturevalue("postgres")
        folder, name = request.getfixturevalue("pg_template")
        db = postgres.url(postgres.create_database(template=name))
        srv = start_server(copy_template(folder, tmp_path / "server"), db=db, env=smtp.env())
    yield srv
    srv.stop()


@pytest.fixture
def engineer(center: Server, tmp_path: Path) -> Iterator[Client]:
    client = make_client(center.url, "wang", tmp_path / "wang")
    yield client
    client.close()


def signed_slip(office: Office, wang: Client, folder: Path) -> tuple[str, str]:
    job = office.new_job("wang")
    wang.sync()
    resolve_on_site(wang.ctx, job, folder)
    slip_id = slips.sign_slip(
        wang.ctx, job, signature(), signature(SignerRole.ENGINEER, "王工"), satisfaction=5
    ).entity_id
    assert slip_id is not None
    return job, slip_id


def status_after_sync(
    wang: Client, job: str, want: DeliveryStatus | Callable[[slip_delivery.Delivery], bool]
) -> slip_delivery.Delivery:
    """Sync until the latest e-mail's status (as the center reported it) is ``want``."""
    done = want if callable(want) else (lambda d: d.status is want)
    deadline = time.monotonic() + 30
    while True:
        wang.sync()
        latest = slip_delivery.deliveries(wang.ctx, job)[0]
        if done(latest) or time.monotonic() > deadline:
            return latest
        time.sleep(0.3)


def test_the_center_sends_the_signed_slip_with_its_pdf_and_reports_sent(
    center: Server, engineer: Client, smtp: SmtpServer, tmp_path: Path
) -> None:
    job, slip_id = signed_slip(Office(center.url), engineer, tmp_path)
    number = slips.load_slip(engineer.ctx, slip_id).content()["number"]
    slip_delivery.send_slip(engineer.ctx, slip_id, " Li.Wei@Customer.Example.COM ", "zh_CN")
    queued = slip_delivery.deliveries(engineer.ctx, job)
    assert [(d.status, d.synced, d.to) for d in queued] == [
        (DeliveryStatus.QUEUED, False, "Li.Wei@customer.example.com")
    ]
    assert smtp.mailbox.messages == []  # offline: nothing leaves before the sync

    report = engineer.sync()
    assert report.rejected == 0
    [mail] = smtp.mailbox.wait_for(1)
    assert smtp.mailbox.envelopes == [
        ("service@fieldkit.example.com", ["Li.Wei@customer.example.com"])
    ]
    assert mail["To"] == "Li.Wei@customer.example.com"
    assert mail["Subject"] == f"服务单 {number}"
    [pdf_part] = list(mail.iter_attachments())
    assert pdf_part.get_content_type() == "application/pdf"
    assert pdf_part.get_filename() == f"{number}.pdf"
    pdf = tmp_path / "received.pdf"
    pdf.write_bytes(pdf_part.get_content())
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert number in text and "更换电源" in text and slip_id in text.replace("\n", "")

    sent = status_after_sync(engineer, job, DeliveryStatus.SENT)
    assert sent.status is DeliveryStatus.SENT and sent.synced and sent.status_at is not None
    log = (center.data_dir / "server.log").read_text()
    assert PASSWORD not in log  # the SMTP password is never logged


def test_a_refused_address_comes_back_as_failed_with_the_servers_words(
    center: Server, engineer: Client, smtp: SmtpServer, tmp_path: Path
) -> None:
    job, slip_id = signed_slip(Office(center.url), engineer, tmp_path)
    slip_delivery.send_slip(engineer.ctx, slip_id, "nobody@refused.example.com", "en")
    failed = status_after_sync(engineer, job, DeliveryStatus.FAILED)
    assert failed.status is DeliveryStatus.FAILED
    assert "550" in failed.detail and "No such mailbox" in failed.detail
    assert smtp.mailbox.messages == []


def test_the_center_refuses_what_the_app_refuses(
    center: Server, engineer: Client, smtp: SmtpServer, tmp_path: Path
) -> None:
    _job, slip_id = signed_slip(Office(center.url), engineer, tmp_path)
    with pytest.raises(InvalidValue, match="not an e-mail address"):
        slip_delivery.send_slip(engineer.ctx, slip_id, "li.wei@localhost", "en")
    with pytest.raises(InvalidValue, match="English or Chinese"):
        slip_delivery.send_slip(engineer.ctx, slip_id, "li.wei@example.com", "fr")
    # A device that skipped the app's checks: the center runs the same rules.
    forged = [
        {"to": "li.wei@localhost", "language": "en"},
        {"to": "li.wei@example.com", "language": "fr"},
        {"to": "li.wei@example.com", "language": "en", "slip_id": "no-such-slip"},
    ]
    with transaction(engineer.ctx) as tx:
        for i, args in enumerate(forged):
            email_id = f"forged-{i}"
            tx.emit_stored(
                "slip.send_email.v1",
                email_id,
                None,
                {"id": email_id, "slip_id": slip_id, "at": "2026-12-01T08:00:00+00:00", **args},
            )
    report = engineer.sync()
    assert report.rejected == 3
    reasons = " | ".join(report.rejections)
    assert "is not an e-mail address" in reasons
    assert "English or Chinese" in reasons
    assert "not at the service center" in reasons
    time.sleep(1)
    assert smtp.mailbox.messages == []
    with engineer.ctx.db.read() as s:
        assert s.scalars(select(m.SlipEmail.id)).all() == []


def test_a_mail_server_that_is_down_is_retried_with_backoff(
    server_template: Path, tmp_path: Path, smtp: SmtpServer
) -> None:
    from datetime import UTC, datetime, timedelta

    from fieldkit.server import tables as t
    from fieldkit.server.mail import MailOutbox
    from fieldkit.server.settings import load_mail_settings
    from tests.support.server import free_port

    down = {**smtp.env(), "FIELDKIT_SMTP_PORT": str(free_port())}  # nothing listens there
    srv = start_server(copy_template(server_template, tmp_path / "server"), env=down)
    wang = make_client(srv.url, "wang", tmp_path / "wang")
    try:
        job, slip_id = signed_slip(Office(srv.url), wang, tmp_path)
        slip_delivery.send_slip(wang.ctx, slip_id, "li.wei@example.com", "en")
        waiting = status_after_sync(wang, job, lambda d: d.attempts > 0)
        assert waiting.status is DeliveryStatus.QUEUED and waiting.synced
        assert "Connection" in waiting.detail  # why it has not gone yet, in the app
        engine = srv.engine()
        with engine.connect() as conn:
            row = conn.execute(select(t.mail_outbox)).mappings().one()
        assert row["state"] == "pending" and row["attempts"] == 1
        assert row["next_attempt_at"] > datetime.now(UTC) + timedelta(seconds=30)
        # Not due yet: a sender (here a second process's, reaching the live mail server)
        # leaves it alone; once due, it is sent.
        sender = MailOutbox(engine, load_mail_settings(smtp.env()))
        assert sender.run_due(datetime.now(UTC)) == 0
        assert sender.run_due(row["next_attempt_at"] + timedelta(seconds=1)) == 1
        [mail] = smtp.mailbox.wait_for(1)
        assert mail["To"] == "li.wei@example.com"
        sent = status_after_sync(wang, job, DeliveryStatus.SENT)
        assert sent.status is DeliveryStatus.SENT and sent.detail == ""
    finally:
        wang.close()
        srv.stop()


def test_without_a_mail_server_the_engineer_is_told_why_it_waits(
    server_template: Path, tmp_path: Path
) -> None:
    from fieldkit.server.mail import NOT_CONFIGURED

    srv = start_server(copy_template(server_template, tmp_path / "server"))
    wang = make_client(srv.url, "wang", tmp_path / "wang")
    try:
        job, slip_id = signed_slip(Office(srv.url), wang, tmp_path)
        slip_delivery.send_slip(wang.ctx, slip_id, "li.wei@example.com", "en")
        waiting = status_after_sync(wang, job, lambda d: d.detail != "")
        assert (waiting.status, waiting.detail) == (DeliveryStatus.QUEUED, NOT_CONFIGURED)
    finally:
        wang.close()
        srv.stop()
