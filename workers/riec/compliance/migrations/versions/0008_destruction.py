"""The destruction register and retention bookkeeping (issue 11, R-7.1): filled in by the destruction work.

Revision ID: 0008_destruction
Revises: 0007_intervention
Create Date: 2026-11-29
"""
from __future__ import annotations

revision = "0008_destruction"
down_revision = "0007_intervention"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
