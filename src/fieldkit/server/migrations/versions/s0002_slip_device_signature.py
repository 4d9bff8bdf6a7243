"""Slips carry the issuing device's Ed25519 signature of their content hash.

Revision ID: s0002
Revises: s0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

from fieldkit.schema import steps

revision: str = "s0002"
down_revision: str | None = "s0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    steps.add_slip_device_signature()


def downgrade() -> None:
    steps.drop_slip_device_signature()
