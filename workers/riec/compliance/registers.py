"""Start-up of the registers' database: migrate, register the built-in basis, seed the demo.

Called by the command line (``riec database init``, ``riec seed-demo``, ``riec up``)
and by tests, always with an explicit database and configuration.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine

from . import db, demo, legal_basis, provision_register


def init_registers(database: Engine, legal_bases_file: Path | None = None) -> str:
    """Migrate the schema to head, register the built-in 2013 decree and load the configured
    legal-bases file, if any. Idempotent; safe when several processes start at once.
    Returns the schema revision."""
    db.migrate(database)
    legal_basis.ensure_builtin(database)
    legal_basis.load_configured(database, legal_bases_file)
    return db.current_revision(database) or ""


def seed_demo(database: Engine, today: date, legal_bases_file: Path | None = None) -> dict[str, int]:
    """``init_registers`` plus the demo content (idempotent)."""
    init_registers(database, legal_bases_file)
    return demo.seed(database, today)


def verify(database: Engine) -> provision_register.VerifyResult:
    return provision_register.verify_chain(database)


def require_head(database: Engine) -> Engine:
    """The database, refusing with the next step when its schema is not at the latest revision."""
    current, head = db.current_revision(database), db.head_revision()
    if current != head:
        where = database.url.render_as_string(hide_password=True)
        raise RuntimeError(f"the registers at {where} are at schema revision {current or 'none'}, not {head}: run `riec database init` first")
    return database
