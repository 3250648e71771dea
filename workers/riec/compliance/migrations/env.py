"""Alembic environment: runs on the connection handed over by ``riec.compliance.db.migrate``.

For a new revision during development::

    .venv/bin/python -m riec.compliance.cli registers revision -m "what changes" --rev-id 0002_what \
        --database-url sqlite:////tmp/dev.sqlite
"""
from __future__ import annotations

from alembic import context

from riec.compliance.db import get_engine, is_sqlite, metadata

config = context.config


def run() -> None:
    conn = config.attributes.get("connection")
    if conn is None:  # e.g. `alembic` invoked by hand with -x url=...
        url = context.get_x_argument(as_dictionary=True).get("url")
        with get_engine(url).begin() as own:
            _run(own)
    else:
        _run(conn)


def _run(conn) -> None:  # noqa: ANN001
    context.configure(
        connection=conn,
        target_metadata=metadata,
        render_as_batch=is_sqlite(conn),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) mode is not supported; run `riec registers init`")
run()
