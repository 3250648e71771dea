"""Anonymised records kept by an R-7.2 decision (issue 11): the whitelist only, no case key.

Revision ID: 0009_anonymised
Revises: 0008_destruction
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_anonymised"
down_revision = "0008_destruction"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "anonymised_record",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("region", sa.String(80), nullable=True),
        sa.Column("phenomenon", sa.String(40), nullable=True),
        sa.Column("quarter", sa.String(7), nullable=True),
        sa.Column("persons_a", sa.Integer, nullable=True),
        sa.Column("persons_b", sa.Integer, nullable=True),
        sa.Column("persons_c", sa.Integer, nullable=True),
        sa.Column("data_categories", sa.Text, nullable=True),
        sa.Column("outcome", sa.String(40), nullable=True),
        sa.Column("measures", sa.Text, nullable=True),
        sa.Column("duration_weeks", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_anonymised_record"),
    )
    op.create_index("ix_anonymised_record_region", "anonymised_record", ["region"])


def downgrade() -> None:
    op.drop_index("ix_anonymised_record_region", table_name="anonymised_record")
    op.drop_table("anonymised_record")
