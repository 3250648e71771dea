"""Hit/no-hit checks record the signal's reporting partner, which is never counted as a hit (R-4.1).

Revision ID: 0004_hit_check_reporter
Revises: 0003_notification
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_hit_check_reporter"
down_revision = "0003_notification"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hit_check") as batch:
        batch.add_column(sa.Column("reporting_partner", sa.String(80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hit_check") as batch:
        batch.drop_column("reporting_partner")
