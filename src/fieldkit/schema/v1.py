"""The synced entity tables as first released (revisions 0001 and s0001): the app's and the
center's initial migrations both create them by calling these two functions, so the 24 tables
are written once. Released steps are frozen: a later change is a new step in
:mod:`fieldkit.schema.steps`, never an edit here."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_entities() -> None:
    op.create_table(
        "checklist_templates",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_templates")),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    op.create_table(
        "parts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("part_no", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("unit_price", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("tax_rate", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parts")),
        sa.UniqueConstraint("part_no", name=op.f("uq_parts_part_no")),
    )
    op.create_table(
        "signatures",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("signer_name", sa.String(length=120), nullable=False),
        sa.Column("signed_at", sa.String(length=32), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("canvas_width", sa.Integer(), nullable=False),
        sa.Column("canvas_height", sa.Integer(), nullable=False),
        sa.Column("strokes", sa.Text(), nullable=False),
        sa.Column("thumbnail_sha256", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signatures")),
    )
    op.create_table(
        "checklist_template_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("template_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("evidence_kind", sa.String(length=10), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["checklist_templates.id"],
            name=op.f("fk_checklist_template_items_template_id_checklist_templates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_template_items")),
    )
    with op.batch_alter_table("checklist_template_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checklist_template_items_template_id"), ["template_id"], unique=False
        )
    op.create_table(
        "contracts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("warranty_ends_on", sa.Date(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_contracts_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("number", name=op.f("uq_contracts_number")),
    )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contracts_customer_id"), ["customer_id"], unique=False)
    op.create_table(
        "contract_sla",
        sa.Column("contract_id", sa.String(length=36), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("respond_minutes", sa.Integer(), nullable=False),
        sa.Column("arrive_minutes", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_contract_sla_contract_id_contracts")
        ),
        sa.PrimaryKeyConstraint("contract_id", "severity", name=op.f("pk_contract_sla")),
    )
    op.create_table(
        "sites",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("contract_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("installed_by_us", sa.Boolean(), nullable=False),
        sa.Column("software_media_notes", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_sites_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_sites_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
    )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sites_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sites_customer_id"), ["customer_id"], unique=False)
    op.create_table(
        "documents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("version_label", sa.String(length=40), nullable=False),
        sa.Column("blob_sha256", sa.String(length=64), nullable=False),
        sa.Column("mime", sa.String(length=80), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_documents_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_blob_sha256"), ["blob_sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_site_id"), ["site_id"], unique=False)
    op.create_table(
        "site_contacts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_site_contacts_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_contacts")),
    )
    with op.batch_alter_table("site_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_contacts_site_id"), ["site_id"], unique=False)
    op.create_table(
        "subsystems",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_subsystems_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsystems")),
    )
    with op.batch_alter_table("subsystems", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subsystems_site_id"), ["site_id"], unique=False)
    op.create_table(
        "devices",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("subsystem_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("manufacturer", sa.String(length=120), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column("serial", sa.String(length=120), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("firmware_version", sa.String(length=60), nullable=False),
        sa.Column("warranty_ends_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_devices_site_id_sites")),
        sa.ForeignKeyConstraint(
            ["subsystem_id"], ["subsystems.id"], name=op.f("fk_devices_subsystem_id_subsystems")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_devices_site_id"), ["site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_devices_subsystem_id"), ["subsystem_id"], unique=False)
    op.create_table(
        "device_parameters",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("value_type", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_device_parameters_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_parameters")),
        sa.UniqueConstraint("device_id", "key", name=op.f("uq_device_parameters_device_id")),
    )
    with op.batch_alter_table("device_parameters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_device_parameters_device_id"), ["device_id"], unique=False
        )
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.Column("contract_id", sa.String(length=36), nullable=True),
        sa.Column("reported_at", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("fault_description", sa.Text(), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("job_type", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("billing", sa.String(length=20), nullable=False),
        sa.Column("billing_basis", sa.String(length=200), nullable=False),
        sa.Column("assigned_engineer", sa.String(length=80), nullable=False),
        sa.Column("cause_area", sa.String(length=20), nullable=True),
        sa.Column("cause_origin", sa.String(length=20), nullable=True),
        sa.Column("fault_found", sa.Text(), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("confirmed_with", sa.String(length=120), nullable=False),
        sa.Column("respond_by", sa.String(length=32), nullable=True),
        sa.Column("arrive_by", sa.String(length=32), nullable=True),
        sa.Column("responded_at", sa.String(length=32), nullable=True),
        sa.Column("arrived_at", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_jobs_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_jobs_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_jobs_device_id_devices")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_jobs_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("number", name=op.f("uq_jobs_number")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_jobs_assigned_engineer"), ["assigned_engineer"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_jobs_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_reported_at"), ["reported_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_respond_by"), ["respond_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_site_id"), ["site_id"], unique=False)
        batch_op.create_index("ix_jobs_status_severity", ["status", "severity"], unique=False)
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("mime", sa.String(length=80), nullable=False),
        sa.Column("blob_sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_attachments_job_id_jobs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attachments_blob_sha256"), ["blob_sha256"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_attachments_job_id"), ["job_id"], unique=False)
    op.create_table(
        "checklist_runs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("template_id", sa.String(length=36), nullable=True),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_checklist_runs_device_id_devices")
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_checklist_runs_job_id_jobs")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["checklist_templates.id"],
            name=op.f("fk_checklist_runs_template_id_checklist_templates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_runs")),
    )
    with op.batch_alter_table("checklist_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checklist_runs_job_id"), ["job_id"], unique=False)
    op.create_table(
        "escalations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("by", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_escalations_job_id_jobs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
    )
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escalations_job_id"), ["job_id"], unique=False)
    op.create_table(
        "part_replacements",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("part_no", sa.String(length=60), nullable=False),
        sa.Column("quantity", sa.String(length=40), nullable=False),
        sa.Column("serial_removed", sa.String(length=120), nullable=False),
        sa.Column("serial_installed", sa.String(length=120), nullable=False),
        sa.Column("paid", sa.Boolean(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("by", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_part_replacements_job_id_jobs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_part_replacements")),
    )
    with op.batch_alter_table("part_replacements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_part_replacements_job_id"), ["job_id"], unique=False)
    op.create_table(
        "quotes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("decided_at", sa.String(length=32), nullable=True),
        sa.Column("decided_by_name", sa.String(length=120), nullable=False),
        sa.Column("decline_reason", sa.Text(), nullable=False),
        sa.Column("approval_signature_id", sa.String(length=36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approval_signature_id"],
            ["signatures.id"],
            name=op.f("fk_quotes_approval_signature_id_signatures"),
        ),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_quotes_job_id_jobs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotes")),
        sa.UniqueConstraint("number", name=op.f("uq_quotes_number")),
    )
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quotes_job_id"), ["job_id"], unique=False)
    op.create_table(
        "slips",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("canonical", sa.Text(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.String(length=32), nullable=False),
        sa.Column("supersedes_id", sa.String(length=36), nullable=True),
        sa.Column("customer_signature_id", sa.String(length=36), nullable=False),
        sa.Column("engineer_signature_id", sa.String(length=36), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_signature_id"],
            ["signatures.id"],
            name=op.f("fk_slips_customer_signature_id_signatures"),
        ),
        sa.ForeignKeyConstraint(
            ["engineer_signature_id"],
            ["signatures.id"],
            name=op.f("fk_slips_engineer_signature_id_signatures"),
        ),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_slips_job_id_jobs")),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["slips.id"], name=op.f("fk_slips_supersedes_id_slips")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slips")),
        sa.UniqueConstraint("number", name=op.f("uq_slips_number")),
    )
    with op.batch_alter_table("slips", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slips_job_id"), ["job_id"], unique=False)
    op.create_table(
        "work_log",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("by", sa.String(length=80), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_work_log_job_id_jobs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_log")),
    )
    with op.batch_alter_table("work_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_log_job_id"), ["job_id"], unique=False)
    op.create_table(
        "checklist_run_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("evidence_kind", sa.String(length=10), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["checklist_runs.id"],
            name=op.f("fk_checklist_run_items_run_id_checklist_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_run_items")),
    )
    with op.batch_alter_table("checklist_run_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checklist_run_items_run_id"), ["run_id"], unique=False)
    op.create_table(
        "quote_lines",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("quote_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("part_id", sa.String(length=36), nullable=True),
        sa.Column("part_no", sa.String(length=60), nullable=True),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.String(length=40), nullable=False),
        sa.Column("unit_price", sa.String(length=40), nullable=False),
        sa.Column("tax_rate", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_quote_lines_part_id_parts")
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["quotes.id"], name=op.f("fk_quote_lines_quote_id_quotes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_lines")),
    )
    with op.batch_alter_table("quote_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quote_lines_quote_id"), ["quote_id"], unique=False)
    op.create_table(
        "checklist_answers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("run_item_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("by", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("ticked", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("blob_sha256", sa.String(length=64), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_item_id"],
            ["checklist_run_items.id"],
            name=op.f("fk_checklist_answers_run_item_id_checklist_run_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_answers")),
    )
    with op.batch_alter_table("checklist_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checklist_answers_run_item_id"), ["run_item_id"], unique=False
        )


def drop_entities() -> None:
    with op.batch_alter_table("checklist_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_answers_run_item_id"))
    op.drop_table("checklist_answers")
    with op.batch_alter_table("quote_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quote_lines_quote_id"))
    op.drop_table("quote_lines")
    with op.batch_alter_table("checklist_run_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_run_items_run_id"))
    op.drop_table("checklist_run_items")
    with op.batch_alter_table("work_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_log_job_id"))
    op.drop_table("work_log")
    with op.batch_alter_table("slips", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slips_job_id"))
    op.drop_table("slips")
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quotes_job_id"))
    op.drop_table("quotes")
    with op.batch_alter_table("part_replacements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_part_replacements_job_id"))
    op.drop_table("part_replacements")
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalations_job_id"))
    op.drop_table("escalations")
    with op.batch_alter_table("checklist_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_runs_job_id"))
    op.drop_table("checklist_runs")
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachments_job_id"))
        batch_op.drop_index(batch_op.f("ix_attachments_blob_sha256"))
    op.drop_table("attachments")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_status_severity")
        batch_op.drop_index(batch_op.f("ix_jobs_site_id"))
        batch_op.drop_index(batch_op.f("ix_jobs_respond_by"))
        batch_op.drop_index(batch_op.f("ix_jobs_reported_at"))
        batch_op.drop_index(batch_op.f("ix_jobs_customer_id"))
        batch_op.drop_index(batch_op.f("ix_jobs_assigned_engineer"))
    op.drop_table("jobs")
    with op.batch_alter_table("device_parameters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_parameters_device_id"))
    op.drop_table("device_parameters")
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_devices_subsystem_id"))
        batch_op.drop_index(batch_op.f("ix_devices_site_id"))
    op.drop_table("devices")
    with op.batch_alter_table("subsystems", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subsystems_site_id"))
    op.drop_table("subsystems")
    with op.batch_alter_table("site_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_contacts_site_id"))
    op.drop_table("site_contacts")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_site_id"))
        batch_op.drop_index(batch_op.f("ix_documents_blob_sha256"))
    op.drop_table("documents")
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sites_customer_id"))
        batch_op.drop_index(batch_op.f("ix_sites_contract_id"))
    op.drop_table("sites")
    op.drop_table("contract_sla")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contracts_customer_id"))
    op.drop_table("contracts")
    with op.batch_alter_table("checklist_template_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_template_items_template_id"))
    op.drop_table("checklist_template_items")
    op.drop_table("signatures")
    op.drop_table("parts")
    op.drop_table("customers")
    op.drop_table("checklist_templates")
