"""Onward provision (issue 12, R-6.2 / R-6.3): the vault's grants to another region's partner.

Requests, consents, refusals and notifications of onward provisions are register entries (kind
``onward_provision`` / ``refusal``) and mails of the outbox; only the grant needs a table of its own.

Revision ID: 0010_onward
Revises: 0009_anonymised
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_onward"
down_revision = "0009_anonymised"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "onward_grant",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("package_id", sa.String(36), nullable=False),
        sa.Column("case_key", sa.String(200), nullable=False),
        sa.Column("region", sa.String(80), nullable=False),
        sa.Column("partner_id", sa.String(80), nullable=False),
        sa.Column("receiving_region", sa.String(80), nullable=False),
        sa.Column("requested_by", sa.String(80), nullable=False),
        sa.Column("process_instance_id", sa.String(64), nullable=False),
        sa.Column("consent_refs", sa.Text, nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_onward_grant"),
        sa.ForeignKeyConstraint(["package_id"], ["vault_package.id"], name="fk_onward_grant_package_id_vault_package"),
        sa.UniqueConstraint("process_instance_id", name="uq_onward_grant_process_instance_id"),
    )
    op.create_index("ix_onward_grant_case_key", "onward_grant", ["case_key"])
    op.create_index("ix_onward_grant_region", "onward_grant", ["region"])
    op.create_index("ix_onward_grant_receiving_region", "onward_grant", ["receiving_region"])
    op.create_index("ix_onward_grant_package_id_partner_id", "onward_grant", ["package_id", "partner_id"])


def downgrade() -> None:
    for name in ("ix_onward_grant_package_id_partner_id", "ix_onward_grant_receiving_region", "ix_onward_grant_region",
                 "ix_onward_grant_case_key"):
        op.drop_index(name, table_name="onward_grant")
    op.drop_table("onward_grant")
