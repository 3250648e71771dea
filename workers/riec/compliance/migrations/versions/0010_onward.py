"""Onward provision (issue 12, R-6.2 / R-6.3): requests, consents and the vault's grants to another region's partner.

Revision ID: 0010_onward
Revises: 0009_anonymised
Create Date: 2026-11-29
"""
from __future__ import annotations

revision = "0010_onward"
down_revision = "0009_anonymised"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
