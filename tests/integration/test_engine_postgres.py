"""The same engine jar on PostgreSQL, chosen by environment variables alone (production set-up)."""
from __future__ import annotations

import os
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.integration.conftest import prepare
from tests.integration.engine import Engine, WorkerProcess
from tests.integration.queries import SIGNAL_NO_HIT, send_signal_message, wait_ended

pytestmark = pytest.mark.integration

PG_URL = os.environ.get("RIEC_TEST_POSTGRES_URL")


@pytest.mark.skipif(not PG_URL, reason="set RIEC_TEST_POSTGRES_URL (scripts/test.sh starts a PostgreSQL server and sets it)")
def test_engine_runs_on_postgresql_without_code_change(tmp_path, business_key):
    pg = urlsplit(PG_URL)
    engine = Engine(tmp_path / "engine", engine_env={
        "RIEC_ENGINE_DB_URL": f"jdbc:postgresql://{pg.hostname}:{pg.port}/riec_engine",
        "RIEC_ENGINE_DB_USER": pg.username or "postgres",
        "RIEC_ENGINE_DB_PASSWORD": pg.password or "",
    }).start()
    worker = WorkerProcess(engine, tmp_path / "worker.log")
    try:
        prepare(engine)
        worker.start()
        send_signal_message(engine.client(), business_key, SIGNAL_NO_HIT)
        assert wait_ended(engine.client(), business_key)["endActivityId"] == "EndEvent_NoHit"
    finally:
        worker.stop()
        engine.stop()
    with psycopg.connect(f"host={pg.hostname} port={pg.port} user={pg.username or 'postgres'} dbname=riec_engine") as db:
        rows = db.execute("SELECT count(*) FROM act_hi_procinst WHERE business_key_ = %s", (business_key,)).fetchone()
    assert rows == (1,)
    assert not (tmp_path / "engine" / "engine").exists(), "no H2 file was written"
