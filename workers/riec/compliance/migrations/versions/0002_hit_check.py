"""Hit/no-hit checks: which partners had a hit, per task (no names, no addresses).

Revision ID: 0002_hit_check
Revises: 0001_registers
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_hit_check"
down_revision = "0001_registers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hit_check",
        sa.Column("task_key", sa.String(200), nullable=False),
        sa.Column("business_key", sa.String(200), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hit_partners", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("task_key", name="pk_hit_check"),
    )
    op.create_index("ix_hit_check_business_key", "hit_check", ["business_key"])


def downgrade() -> None:
    op.drop_index("ix_hit_check_business_key", table_name="hit_check")
    op.drop_table("hit_check")
