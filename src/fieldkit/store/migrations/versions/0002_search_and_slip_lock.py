"""Full-text search over jobs, customers, sites, devices; signed slips frozen in the database.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

The search index is kept current by triggers that call ``fk_segment`` (registered on every
connection by fieldkit.store.database) so Chinese text is searchable by substring.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What each entity contributes to its search document. Jobs include their customer, site
# and device names so "上海 门禁" finds a job by customer and fault together.
BODIES = {
    "job": """fk_segment(NEW.number || ' ' || NEW.fault_description || ' ' || NEW.fault_found
        || ' ' || NEW.resolution || ' ' ||
        coalesce((SELECT name || ' ' || name_en FROM customers WHERE id = NEW.customer_id), '')
        || ' ' || coalesce((SELECT name || ' ' || address FROM sites WHERE id = NEW.site_id), '')
        || ' ' || coalesce((SELECT name || ' ' || model || ' ' || serial FROM devices
                            WHERE id = NEW.device_id), ''))""",
    "customer": """fk_segment(NEW.name || ' ' || NEW.name_en || ' ' || NEW.address || ' '
        || NEW.phone)""",
    "site": "fk_segment(NEW.name || ' ' || NEW.address || ' ' || NEW.software_media_notes)",
    "device": """fk_segment(NEW.name || ' ' || NEW.manufacturer || ' ' || NEW.model || ' '
        || NEW.serial || ' ' || NEW.location || ' ' || NEW.firmware_version)""",
}
TABLES = {"job": "jobs", "customer": "customers", "site": "sites", "device": "devices"}
# Renaming a customer/site/device re-indexes the jobs that mention it (a no-op UPDATE fires
# the job trigger, which recomputes the document).
JOB_TOUCH = {
    "customer": "UPDATE jobs SET number = number WHERE customer_id = NEW.id;",
    "site": "UPDATE jobs SET number = number WHERE site_id = NEW.id;",
    "device": "UPDATE jobs SET number = number WHERE device_id = NEW.id;",
    "job": "",
}


def upgrade() -> None:
    op.execute(
        "CREATE TABLE search_docs (id INTEGER PRIMARY KEY, entity_type TEXT NOT NULL, "
        "entity_id TEXT NOT NULL, UNIQUE (entity_type, entity_id))"
    )
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5(body, tokenize='unicode61 remove_diacritics 2')"
    )
    for kind, table in TABLES.items():
        body = BODIES[kind]
        doc = f"(SELECT id FROM search_docs WHERE entity_type = '{kind}' AND entity_id = NEW.id)"
        old_doc = doc.replace("NEW.id", "OLD.id")
        op.execute(f"""
            CREATE TRIGGER {table}_search_ai AFTER INSERT ON {table} BEGIN
                INSERT INTO search_docs (entity_type, entity_id) VALUES ('{kind}', NEW.id);
                INSERT INTO search_fts (rowid, body) VALUES (last_insert_rowid(), {body});
            END""")
        op.execute(f"""
            CREATE TRIGGER {table}_search_au AFTER UPDATE ON {table} BEGIN
                UPDATE search_fts SET body = {body} WHERE rowid = {doc};
                {JOB_TOUCH[kind]}
            END""")
        op.execute(f"""
            CREATE TRIGGER {table}_search_ad AFTER DELETE ON {table} BEGIN
                DELETE FROM search_fts WHERE rowid = {old_doc};
                DELETE FROM search_docs WHERE entity_type = '{kind}' AND entity_id = OLD.id;
            END""")
        # Rows that existed before this migration get their documents now.
        op.execute(
            f"INSERT INTO search_docs (entity_type, entity_id) SELECT '{kind}', id FROM {table}"
        )
        backfill = body.replace("NEW.", "t.")
        op.execute(f"""
            INSERT INTO search_fts (rowid, body)
            SELECT d.id, {backfill} FROM {table} AS t
            JOIN search_docs AS d ON d.entity_type = '{kind}' AND d.entity_id = t.id""")
    # A signed slip never changes and is never deleted, whatever code path tries.
    op.execute("""
        CREATE TRIGGER slips_no_update BEFORE UPDATE ON slips
        WHEN NOT (OLD.pdf_sha256 IS NULL AND NEW.pdf_sha256 IS NOT NULL
                  AND NEW.canonical = OLD.canonical AND NEW.content_sha256 = OLD.content_sha256
                  AND NEW.signed_at = OLD.signed_at AND NEW.job_id = OLD.job_id
                  AND NEW.number = OLD.number
                  AND NEW.customer_signature_id = OLD.customer_signature_id
                  AND NEW.engineer_signature_id IS OLD.engineer_signature_id
                  AND NEW.supersedes_id IS OLD.supersedes_id)
        BEGIN SELECT RAISE(ABORT, 'signed slip is immutable'); END""")
    op.execute("""
        CREATE TRIGGER slips_no_delete BEFORE DELETE ON slips
        BEGIN SELECT RAISE(ABORT, 'signed slip is immutable'); END""")


def downgrade() -> None:
    op.execute("DROP TRIGGER slips_no_delete")
    op.execute("DROP TRIGGER slips_no_update")
    for table in TABLES.values():
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER {table}_search_{suffix}")
    op.execute("DROP TABLE search_fts")
    op.execute("DROP TABLE search_docs")
