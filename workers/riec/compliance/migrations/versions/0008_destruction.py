"""The destruction register (issue 11, R-7.1): one row per destroyed case or signal, with what was destroyed.

Revision ID: 0008_destruction
Revises: 0007_intervention
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_destruction"
down_revision = "0007_intervention"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "destruction",
        sa.Column("case_key", sa.String(200), nullable=False),
        sa.Column("region", sa.String(80), nullable=True),
        sa.Column("subject", sa.String(20), nullable=False, server_default="case"),
        sa.Column("trigger", sa.String(40), nullable=False),
        sa.Column("rule_ids", sa.Text, nullable=False),
        sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counts", sa.Text, nullable=False),
        sa.Column("register_seq", sa.BigInteger, nullable=True),
        sa.PrimaryKeyConstraint("case_key", name="pk_destruction"),
    )
    op.create_index("ix_destruction_region", "destruction", ["region"])


def downgrade() -> None:
    op.drop_index("ix_destruction_region", table_name="destruction")
    op.drop_table("destruction")
