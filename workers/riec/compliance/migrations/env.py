"""Alembic environment: runs on the connection handed over by ``riec.compliance.db.migrate``.

For a new revision during development::

    .venv/bin/riec database revision -m "what changes" --rev-id 0005_what \
        --database-url sqlite:////tmp/dev.sqlite
"""
from __future__ import annotations

from alembic import context

from riec.compliance.db import is_sqlite, metadata, open_database

config = context.config


def run() -> None:
    conn = config.attributes.get("connection")
    if conn is None:  # e.g. `alembic` invoked by hand with -x url=...
        url = context.get_x_argument(as_dictionary=True)["url"]
        with open_database(url).begin() as own:
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
    raise SystemExit("offline (SQL script) mode is not supported; run `riec database init`")
run()
