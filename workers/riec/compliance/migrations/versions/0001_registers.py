"""Registers: legal bases, partners, designated persons, necessity assessments, provision register.

Revision ID: 0001_registers
Revises:
Create Date: 2025-06-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_registers"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "legal_basis",
        sa.Column("id", sa.String(80), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("citation", sa.Text, nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=True),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("registered_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_legal_basis"),
    )
    op.create_table(
        "partner",
        sa.Column("id", sa.String(80), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("region", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_partner"),
    )
    op.create_index("ix_partner_region", "partner", ["region"])
    op.create_table(
        "designated_person",
        sa.Column("id", sa.String(80), nullable=False),
        sa.Column("partner_id", sa.String(80), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("screening_date", sa.Date, nullable=True),
        sa.Column("screening_valid_until", sa.Date, nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_designated_person"),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"], name="fk_designated_person_partner_id_partner"),
    )
    op.create_index("ix_designated_person_partner_id", "designated_person", ["partner_id"])
    op.create_table(
        "necessity_assessment",
        sa.Column("id", sa.String(80), nullable=False),
        sa.Column("case_id", sa.String(80), nullable=False),
        sa.Column("author", sa.String(80), nullable=False),
        sa.Column("assessed_at", TS, nullable=False),
        sa.Column("necessity", sa.Text, nullable=False),
        sa.Column("proportionality", sa.Text, nullable=False),
        sa.Column("subsidiarity", sa.Text, nullable=False),
        sa.Column("necessary", sa.Boolean, nullable=False),
        sa.Column("data_categories", sa.Text, nullable=False),
        sa.Column("person_refs", sa.Text, nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_necessity_assessment"),
    )
    op.create_index("ix_necessity_assessment_case_id", "necessity_assessment", ["case_id"])
    op.create_table(
        "register_entry",
        sa.Column("seq", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("entry_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("case_id", sa.String(80), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_register_entry"),
        sa.UniqueConstraint("entry_id", name="uq_register_entry_entry_id"),
        sa.UniqueConstraint("idempotency_key", name="uq_register_entry_idempotency_key"),
        sa.UniqueConstraint("prev_hash", name="uq_register_entry_prev_hash"),
        sa.UniqueConstraint("hash", name="uq_register_entry_hash"),
    )
    op.create_index("ix_register_entry_case_id", "register_entry", ["case_id"])
    op.create_table(
        "register_person",
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("person_ref", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("seq", "person_ref", name="pk_register_person"),
        sa.ForeignKeyConstraint(["seq"], ["register_entry.seq"], name="fk_register_person_seq_register_entry"),
    )
    op.create_index("ix_register_person_person_ref", "register_person", ["person_ref"])
    _append_only_guards()


def _append_only_guards() -> None:
    """The register tables refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL).

    A guard, not the proof: someone with DDL rights can drop a trigger, which is
    why the hash chain exists and `riec provision-register verify` checks it.
    """
    dialect = op.get_bind().dialect.name
    for table in ("register_entry", "register_person"):
        if dialect == "sqlite":
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'the provision register is append-only'); END"
                )
        elif dialect == "postgresql":
            op.execute(
                "CREATE OR REPLACE FUNCTION riec_register_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'the provision register is append-only'; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION riec_register_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION riec_register_append_only()"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in ("register_person", "register_entry"):
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    op.drop_table("register_person")
    op.drop_table("register_entry")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS riec_register_append_only()")
    op.drop_table("necessity_assessment")
    op.drop_table("designated_person")
    op.drop_table("partner")
    op.drop_table("legal_basis")
