"""The data vault (issue 10): per-package keys, encrypted packages, confidentiality acknowledgements.

Revision ID: 0006_vault
Revises: 0006_mail_outbox
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_vault"
down_revision = "0006_mail_outbox"  # after the mail outbox (H8), so the chain stays linear
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vault_key",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("key", sa.LargeBinary, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shredded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_vault_key"),
    )
    op.create_table(
        "vault_package",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("case_key", sa.String(200), nullable=False),
        sa.Column("region", sa.String(80), nullable=False),
        sa.Column("process_instance_id", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(36), nullable=False),
        sa.Column("nonce", sa.LargeBinary, nullable=False),
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
        sa.Column("name_nonce", sa.LargeBinary, nullable=False),
        sa.Column("name_ciphertext", sa.LargeBinary, nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("uploaded_by", sa.String(80), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("partner_ids", sa.Text, nullable=True),
        sa.Column("recipient_ids", sa.Text, nullable=True),
        sa.Column("data_categories", sa.Text, nullable=True),
        sa.Column("person_refs", sa.Text, nullable=True),
        sa.Column("legal_basis_id", sa.String(80), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_vault_package"),
        sa.ForeignKeyConstraint(["key_id"], ["vault_key.id"], name="fk_vault_package_key_id_vault_key"),
        sa.UniqueConstraint("process_instance_id", name="uq_vault_package_process_instance_id"),
    )
    op.create_index("ix_vault_package_case_key", "vault_package", ["case_key"])
    op.create_index("ix_vault_package_region", "vault_package", ["region"])
    op.create_table(
        "vault_acknowledgement",
        sa.Column("package_id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(80), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("package_id", "user_id", name="pk_vault_acknowledgement"),
        sa.ForeignKeyConstraint(["package_id"], ["vault_package.id"], name="fk_vault_acknowledgement_package_id_vault_package"),
    )


def downgrade() -> None:
    op.drop_table("vault_acknowledgement")
    op.drop_index("ix_vault_package_region", "vault_package")
    op.drop_index("ix_vault_package_case_key", "vault_package")
    op.drop_table("vault_package")
    op.drop_table("vault_key")
