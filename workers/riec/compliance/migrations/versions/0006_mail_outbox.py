"""Mail outbox (riec.mail) and refusal letters (riec.letters, R-4.1-refuse).

Revision ID: 0006_mail_outbox
Revises: 0005_hit_check_region
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_mail_outbox"
down_revision = "0005_hit_check_region"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("recipient_group", sa.String(80), nullable=False),
        sa.Column("region", sa.String(80), nullable=True),
        sa.Column("business_key", sa.String(200), nullable=True),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(200), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_mail_outbox"),
        sa.UniqueConstraint("dedupe_key", name="uq_mail_outbox_dedupe_key"),
        sa.UniqueConstraint("message_id", name="uq_mail_outbox_message_id"),
    )
    op.create_index("ix_mail_outbox_status", "mail_outbox", ["status"])
    op.create_index("ix_mail_outbox_business_key", "mail_outbox", ["business_key"])
    op.create_table(
        "refusal_letter",
        sa.Column("ref", sa.String(80), nullable=False),
        sa.Column("case_key", sa.String(200), nullable=False),
        sa.Column("decision_ref", sa.String(200), nullable=False),
        sa.Column("region", sa.String(80), nullable=True),
        sa.Column("requesting_partner", sa.String(80), nullable=True),
        sa.Column("explanation_possible", sa.Boolean, nullable=False),
        sa.Column("rule_ids", sa.Text, nullable=False),
        sa.Column("text_nl", sa.Text, nullable=False),
        sa.Column("pdf", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ref", name="pk_refusal_letter"),
        sa.UniqueConstraint("decision_ref", name="uq_refusal_letter_decision_ref"),
    )
    op.create_index("ix_refusal_letter_case_key", "refusal_letter", ["case_key"])


def downgrade() -> None:
    op.drop_index("ix_refusal_letter_case_key", table_name="refusal_letter")
    op.drop_table("refusal_letter")
    op.drop_index("ix_mail_outbox_business_key", table_name="mail_outbox")
    op.drop_index("ix_mail_outbox_status", table_name="mail_outbox")
    op.drop_table("mail_outbox")
