"""Notifications recorded for a role's group (overdue tasks); issue 10's outbox replaces the sending side.

Revision ID: 0003_notification
Revises: 0002_hit_check
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_notification"
down_revision = "0002_hit_check"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("recipient_group", sa.String(80), nullable=False),
        sa.Column("business_key", sa.String(200), nullable=True),
        sa.Column("task_ref", sa.String(200), nullable=False),
        sa.Column("text_nl", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_notification"),
    )
    op.create_index("ix_notification_recipient_group", "notification", ["recipient_group"])
    op.create_index("ix_notification_business_key", "notification", ["business_key"])


def downgrade() -> None:
    op.drop_index("ix_notification_business_key", table_name="notification")
    op.drop_index("ix_notification_recipient_group", table_name="notification")
    op.drop_table("notification")
