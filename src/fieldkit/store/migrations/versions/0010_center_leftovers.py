"""A signed slip's record takes the number the service center issued.

Revision ID: 0010_center_leftovers
Revises: 0009
Create Date: 2026-12-02

A slip's number must be unique, so the center issues it: when the number a device gave a
slip is taken inside its job (a second tablet's correction), the center files the slip
under the next free number, and the device adopts it with the next pull. The signed content
(and its hash, signatures and device signature) never change; only the record's ``number``
may, on its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010_center_leftovers"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNED_UNCHANGED = """
    NEW.canonical = OLD.canonical AND NEW.content_sha256 = OLD.content_sha256
    AND NEW.signed_at = OLD.signed_at AND NEW.job_id = OLD.job_id
    AND NEW.customer_signature_id IS OLD.customer_signature_id
    AND NEW.engineer_signature_id IS OLD.engineer_signature_id
    AND NEW.supersedes_id IS OLD.supersedes_id
    AND NEW.device_signature IS OLD.device_signature
    AND NEW.device_public_key IS OLD.device_public_key"""
NO_UPDATE = f"""
    CREATE TRIGGER slips_no_update BEFORE UPDATE ON slips
    WHEN NOT ({SIGNED_UNCHANGED}
              AND ((OLD.pdf_sha256 IS NULL AND NEW.pdf_sha256 IS NOT NULL
                    AND NEW.number = OLD.number)
                   OR (NEW.pdf_sha256 IS OLD.pdf_sha256 AND NEW.number != OLD.number)))
    BEGIN SELECT RAISE(ABORT, 'signed slip is immutable'); END"""
# 0008's rule, for the way back.
OLD_NO_UPDATE = f"""
    CREATE TRIGGER slips_no_update BEFORE UPDATE ON slips
    WHEN NOT (OLD.pdf_sha256 IS NULL AND NEW.pdf_sha256 IS NOT NULL
              AND NEW.number = OLD.number AND {SIGNED_UNCHANGED})
    BEGIN SELECT RAISE(ABORT, 'signed slip is immutable'); END"""


def upgrade() -> None:
    op.execute("DROP TRIGGER slips_no_update")
    op.execute(NO_UPDATE)


def downgrade() -> None:
    op.execute("DROP TRIGGER slips_no_update")
    op.execute(OLD_NO_UPDATE)
