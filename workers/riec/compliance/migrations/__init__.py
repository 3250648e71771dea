"""Alembic migrations of the registers; run through :func:`riec.compliance.db.migrate`."""
