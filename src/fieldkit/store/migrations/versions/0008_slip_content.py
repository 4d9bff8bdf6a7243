"""Sites carry their IANA time zone (documents print the site's local time); existing sites
take their contract's zone. A slip may be locked without a customer signature (the customer
was not present or refused, the reason is in the signed content).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from fieldkit.schema import steps

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Written out (not imported) so this migration stays what it was when released; the same
# rule as 0002, with ``IS`` for the customer signature that may now be empty.
NO_UPDATE = """
    CREATE TRIGGER slips_no_update BEFORE UPDATE ON slips
    WHEN NOT (OLD.pdf_sha256 IS NULL AND NEW.pdf_sha256 IS NOT NULL
              AND NEW.canonical = OLD.canonical AND NEW.content_sha256 = OLD.content_sha256
              AND NEW.signed_at = OLD.signed_at AND NEW.job_id = OLD.job_id
              AND NEW.number = OLD.number
              AND NEW.customer_signature_id IS OLD.customer_signature_id
              AND NEW.engineer_signature_id IS OLD.engineer_signature_id
              AND NEW.supersedes_id IS OLD.supersedes_id
              AND NEW.device_signature IS OLD.device_signature
              AND NEW.device_public_key IS OLD.device_public_key)
    BEGIN SELECT RAISE(ABORT, 'signed slip is immutable'); END"""
SLIPS = """
    CREATE TABLE slips (
        id VARCHAR(36) NOT NULL,
        job_id VARCHAR(36) NOT NULL,
        number VARCHAR(40) NOT NULL,
        canonical TEXT NOT NULL,
        content_sha256 VARCHAR(64) NOT NULL,
        signed_at VARCHAR(32) NOT NULL,
        supersedes_id VARCHAR(36),
        customer_signature_id VARCHAR(36),
        engineer_signature_id VARCHAR(36),
        pdf_sha256 VARCHAR(64),
        device_signature VARCHAR(100),
        device_public_key VARCHAR(60),
        CONSTRAINT pk_slips PRIMARY KEY (id),
        CONSTRAINT fk_slips_customer_signature_id_signatures
            FOREIGN KEY(customer_signature_id) REFERENCES signatures (id),
        CONSTRAINT fk_slips_engineer_signature_id_signatures
            FOREIGN KEY(engineer_signature_id) REFERENCES signatures (id),
        CONSTRAINT fk_slips_job_id_jobs FOREIGN KEY(job_id) REFERENCES jobs (id),
        CONSTRAINT fk_slips_supersedes_id_slips FOREIGN KEY(supersedes_id) REFERENCES slips (id),
        CONSTRAINT uq_slips_number UNIQUE (number)
    )"""
COLUMNS = (
    "id, job_id, number, canonical, content_sha256, signed_at, supersedes_id, "
    "customer_signature_id, engineer_signature_id, pdf_sha256, device_signature, "
    "device_public_key"
)
NO_DELETE = """
    CREATE TRIGGER slips_no_delete BEFORE DELETE ON slips
    BEGIN SELECT RAISE(ABORT, 'signed slip is immutable'); END"""


def upgrade() -> None:
    steps.add_site_timezone()
    # SQLite drops NOT NULL only by copying the table (its triggers go with the old one and
    # are made again at once, in the same transaction); no row changes.
    op.execute("DROP TRIGGER slips_no_update")
    op.execute("DROP TRIGGER slips_no_delete")
    # Renamed first, so the old table's references to itself follow it and dropping it later
    # leaves nothing pointing at a missing row (foreign keys stay on throughout).
    op.execute("ALTER TABLE slips RENAME TO slips_old")
    op.execute(SLIPS)
    op.execute(f"INSERT INTO slips ({COLUMNS}) SELECT {COLUMNS} FROM slips_old")
    op.execute("DROP TABLE slips_old")
    op.execute("CREATE INDEX ix_slips_job_id ON slips (job_id)")
    op.execute(NO_UPDATE)
    op.execute(NO_DELETE)


def downgrade() -> None:
    steps.drop_site_timezone()
