"""Escalation categories and attachments; e-mails of signed slips to the customer.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

Escalations recorded before there were categories are "other".
"""

from __future__ import annotations

from collections.abc import Sequence

from fieldkit.schema import steps

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    steps.add_slip_mail()


def downgrade() -> None:
    steps.drop_slip_mail()
