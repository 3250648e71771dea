"""Hit/no-hit checks record the signal's region: only that region's partners were asked (R-6.1).

Revision ID: 0005_hit_check_region
Revises: 0004_hit_check_reporter
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_hit_check_region"
down_revision = "0004_hit_check_reporter"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hit_check") as batch:
        batch.add_column(sa.Column("region", sa.String(80), nullable=True))
        batch.create_index("ix_hit_check_region", ["region"])


def downgrade() -> None:
    with op.batch_alter_table("hit_check") as batch:
        batch.drop_index("ix_hit_check_region")
        batch.drop_column("region")
