"""The intervention register (issue 10, deliverable 5): the partners' joint strategy and the date it was carried out.

Revision ID: 0007_intervention
Revises: 0006_vault
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_intervention"
down_revision = "0006_vault"  # after the vault (chain stays linear)
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intervention",
        sa.Column("case_key", sa.String(200), nullable=False),
        sa.Column("region", sa.String(80), nullable=True),
        sa.Column("measures", sa.Text, nullable=False),
        sa.Column("other_description", sa.Text, nullable=True),
        sa.Column("strategy", sa.Text, nullable=False),
        sa.Column("carried_out_on", sa.Date, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_key", name="pk_intervention"),
    )
    op.create_index("ix_intervention_region", "intervention", ["region"])


def downgrade() -> None:
    op.drop_index("ix_intervention_region", table_name="intervention")
    op.drop_table("intervention")
