"""Fixtures of the compliance tests: register databases.

Storage tests run on SQLite always and also on PostgreSQL when
``RIEC_TEST_POSTGRES_URL`` is set (each test gets its own schema).
"""
from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from riec.compliance import db

# The test modules import their builders from compliance_factories.py beside this file;
# make that work under any pytest import mode.
sys.path.insert(0, str(Path(__file__).parent))

POSTGRES_URL = os.environ.get("RIEC_TEST_POSTGRES_URL")


# --------------------------------------------------------------------------- databases


def _postgres_schema_url(base: str, schema: str) -> str:
    url = make_url(base)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


#: PostgreSQL joins the parametrisation only when configured; test_compliance_registers.py
#: has one test that is skipped, with the reason, when it is not.
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    """A fresh, empty register database URL (not yet migrated)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registers.sqlite'}"
        return
    schema = f"riec_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_schema_url(POSTGRES_URL, schema)
    finally:
        db.close_databases()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database(db_url):
    """A migrated register database."""
    eng = db.open_database(db_url)
    db.migrate(eng)
    yield eng
    db.close_databases()
