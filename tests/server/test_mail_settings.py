"""The center's mail settings: from the environment or a secrets file, never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.server.settings import load_mail_settings


def test_password_from_a_secrets_file_and_never_in_the_repr(tmp_path: Path) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text("hunter2-very-secret\n")
    settings = load_mail_settings(
        {
            "FIELDKIT_SMTP_HOST": "smtp.example.com",
            "FIELDKIT_SMTP_SECURITY": "ssl",
            "FIELDKIT_SMTP_USER": "center",
            "FIELDKIT_SMTP_PASSWORD_FILE": str(secret),
            "FIELDKIT_SMTP_SENDER": "service@example.com",
        }
    )
    assert settings is not None
    assert (settings.port, settings.password) == (465, "hunter2-very-secret")
    assert "hunter2" not in repr(settings)


def test_no_host_means_no_mail_and_bad_settings_say_what_is_wrong() -> None:
    assert load_mail_settings({}) is None
    with pytest.raises(ValueError, match="FIELDKIT_SMTP_SENDER"):
        load_mail_settings({"FIELDKIT_SMTP_HOST": "smtp.example.com"})
    with pytest.raises(ValueError, match="starttls, ssl, none"):
        load_mail_settings({"FIELDKIT_SMTP_HOST": "h", "FIELDKIT_SMTP_SECURITY": "tls"})
    plain = load_mail_settings({"FIELDKIT_SMTP_HOST": "h", "FIELDKIT_SMTP_SENDER": "a@b.cn"})
    assert plain is not None and (plain.security, plain.port) == ("starttls", 587)
