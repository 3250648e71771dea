"""Anonymised records kept by an R-7.2 decision (issue 11): filled in by the anonymisation work.

Revision ID: 0009_anonymised
Revises: 0008_destruction
Create Date: 2026-11-29
"""
from __future__ import annotations

revision = "0009_anonymised"
down_revision = "0008_destruction"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
