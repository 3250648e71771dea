"""Engines on a private PostgreSQL database and signal load, for the cluster and load-path tests (issue 13).

Each test gets its own databases on the test server (RIEC_TEST_POSTGRES_URL): one for the engine nodes,
one for the registers, so the workers of every node share one hit-check record, as in production.
"""
from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from riec.settings import Settings
from tests.integration.engine import ROOT, Engine, wait_until
from tests.integration.queries import SIGNAL_HIT, SIGNAL_NO_HIT, send_signal_message

PG_URL = os.environ.get("RIEC_TEST_POSTGRES_URL")
SKIP_REASON = "set RIEC_TEST_POSTGRES_URL (scripts/test.sh starts a PostgreSQL server and sets it)"


@dataclass(frozen=True)
class Databases:
    """The engine's and the registers' database of one test, on the test server."""
    engine: str
    registers: str

    @property
    def server(self):
        return urlsplit(PG_URL)

    def dsn(self, name: str) -> str:
        pg = self.server
        return f"host={pg.hostname} port={pg.port} user={pg.username or 'postgres'} dbname={name}" + (f" password={pg.password}" if pg.password else "")

    @property
    def engine_env(self) -> dict[str, str]:
        pg = self.server
        return {"RIEC_ENGINE_DB_URL": f"jdbc:postgresql://{pg.hostname}:{pg.port}/{self.engine}",
                "RIEC_ENGINE_DB_USER": pg.username or "postgres", "RIEC_ENGINE_DB_PASSWORD": pg.password or ""}

    @property
    def registers_url(self) -> str:
        pg = self.server
        auth = (pg.username or "postgres") + (f":{pg.password}" if pg.password else "")
        return f"postgresql+psycopg://{auth}@{pg.hostname}:{pg.port}/{self.registers}"

    def query(self, name: str, sql: str, *params) -> list[tuple]:
        with psycopg.connect(self.dsn(name)) as conn:
            return conn.execute(sql, params).fetchall()


@contextlib.contextmanager
def private_databases(prefix: str = "riec_cluster") -> Iterator[Databases]:
    """Two fresh databases, dropped afterwards (also when the test fails)."""
    suffix = uuid.uuid4().hex[:10]
    dbs = Databases(f"{prefix}_{suffix}", f"{prefix}_{suffix}_reg")
    admin = Databases("postgres", "postgres")
    with psycopg.connect(admin.dsn("postgres"), autocommit=True) as conn:
        for name in (dbs.engine, dbs.registers):
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield dbs
    finally:
        with psycopg.connect(admin.dsn("postgres"), autocommit=True) as conn:
            for name in (dbs.engine, dbs.registers):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Node(Engine):
    """An engine node on a shared PostgreSQL database; its workers use the shared registers database."""
    registers_url: str = ""
    #: The workers' data folder, shared by the workers of every node as in production (compose's worker-data
    #: volume): the partners' demo hit/no-hit registers live there. Default: this node's folder.
    worker_data_dir: Path | None = None
    #: Overrides for the workers' settings (lock duration, long poll, concurrency).
    worker_settings: dict = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return Settings(**{
            "home": ROOT, "engine_url": f"http://127.0.0.1:{self.port}/engine-rest", "data_dir": self.worker_data_dir or self.data_dir,
            "database_url": self.registers_url or None, "long_poll_ms": 1000, "retry_backoff_ms": 300,
            # Generous: on a busy machine a deployment or a start may take tens of seconds.
            "http_read_timeout_s": 120, **self.worker_settings,
        })

    def env(self, **extra: str) -> dict[str, str]:
        env = super().env(**extra)
        s = self.settings
        env.update({"RIEC_LOCK_DURATION_MS": str(s.lock_duration_ms), "RIEC_CONCURRENCY": str(s.concurrency)})
        env.update(extra)
        return env

    def kill(self) -> None:
        """kill -9: no shutdown hook, no transaction finished, connections to PostgreSQL just drop."""
        if self.process:
            self.process.kill()
            self.process.wait()
            self.process = None


#: The diagrams a signal passes through up to the analyst's first case task; the rest of bpmn/ is not needed.
DIAGRAMS = ("signal.bpmn", "case.bpmn", "intervention.bpmn")


def prepare(node: Engine) -> None:
    """tests.integration.conftest.prepare, deploying only the signal's diagrams (riec deploy's way: each with its forms)."""
    import datetime as dt

    from riec.app import App
    from riec.cli import seed_demo
    from riec.deployment import forms_by_id, referenced_forms
    from riec.identity import ensure_demo

    client = node.client()
    forms = forms_by_id(ROOT / "forms")
    for name in DIAGRAMS:
        diagram = ROOT / "bpmn" / name
        files = [diagram] + [forms[f] for f in sorted(referenced_forms(diagram))]
        client.rest("POST", "deployment/create", data={"deployment-name": f"riec-{diagram.stem}", "enable-duplicate-filtering": "true"},
                    files=[(f.name, (f.name, f.read_bytes(), "application/octet-stream")) for f in files])
    s = node.settings
    ensure_demo(client, s.worker_user, s.worker_password, s.demo_password)
    seed_demo(App(s, camunda=client), dt.date.today(), registers_only=True)


def submit_signals(nodes: list[Engine], prefix: str, count: int, start: int = 0, parallel: int = 4) -> list[str]:
    """Start `count` signals over REST, alternating the nodes (no sticky sessions), every third a hit.

    Returns the business keys; a key ending in -H is a hit (bd-noord knows the subject, R-4.1)."""
    def one(i: int) -> str:
        hit = i % 3 == 0
        key = f"{prefix}-{i:04d}-{'H' if hit else 'N'}"
        send_signal_message(nodes[i % len(nodes)].client(), key, SIGNAL_HIT if hit else SIGNAL_NO_HIT)
        return key

    with ThreadPoolExecutor(parallel) as pool:
        return list(pool.map(one, range(start, start + count)))


def wait_for(predicate, timeout: float, what: str, interval: float = 1.0):
    """``engine.wait_until`` with the argument order these tests read best in (and a calmer default interval)."""
    return wait_until(predicate, timeout=timeout, interval=interval, what=what)


def hit_checks_by_key(dbs: Databases) -> dict[str, int]:
    """Rows of the hit-check record per business key (the check's side effect, R-4.1)."""
    try:
        return dict(dbs.query(dbs.registers, "SELECT business_key, count(*) FROM hit_check GROUP BY business_key"))
    except psycopg.errors.UndefinedTable:
        return {}


def successes_per_activity(dbs: Databases, prefix: str) -> list[tuple]:
    """External tasks completed more than once in history: (activity instance, completions), none expected."""
    return dbs.query(dbs.engine, """
        SELECT l.act_inst_id_, count(*) FROM act_hi_ext_task_log l
          JOIN act_hi_procinst p ON p.proc_inst_id_ = l.proc_inst_id_
         WHERE l.state_ = 2 AND p.business_key_ LIKE %s
         GROUP BY l.act_inst_id_ HAVING count(*) > 1""", prefix + "-%")


def outcome(dbs: Databases, keys: list[str]) -> dict:
    """Where every signal stands, read from the engine's database (any node sees the same)."""
    prefix = keys[0].rsplit("-", 2)[0]
    ended_no_hit = {k for (k,) in dbs.query(dbs.engine, """
        SELECT p.business_key_ FROM act_hi_procinst p JOIN act_hi_actinst a ON a.proc_inst_id_ = p.proc_inst_id_
         WHERE p.business_key_ LIKE %s AND p.proc_def_key_ = 'riec-signal' AND p.state_ = 'COMPLETED'
           AND a.act_id_ = 'EndEvent_NoHit'""", prefix + "-%")}
    cases = dbs.query(dbs.engine, """
        SELECT business_key_, count(*) FROM act_hi_procinst WHERE business_key_ LIKE %s AND proc_def_key_ = 'riec-case'
         GROUP BY business_key_""", prefix + "-%")
    waiting = {k for (k,) in dbs.query(dbs.engine, """
        SELECT p.business_key_ FROM act_ru_task t JOIN act_ru_execution p ON p.id_ = t.proc_inst_id_
         WHERE p.business_key_ LIKE %s AND t.task_def_key_ = 'Task_HalfOpenSources'""", prefix + "-%")}
    return {
        "no_hit_ended": ended_no_hit,
        "cases": dict(cases),
        "hit_waiting_for_analyst": waiting,
        "external_tasks_left": dbs.query(dbs.engine, "SELECT count(*) FROM act_ru_ext_task")[0][0],
        "incidents": dbs.query(dbs.engine, "SELECT count(*) FROM act_ru_incident")[0][0]
                     + dbs.query(dbs.engine, "SELECT count(*) FROM act_hi_incident")[0][0],
        "done_twice": successes_per_activity(dbs, prefix),
        "hit_checks": {k: n for k, n in hit_checks_by_key(dbs).items() if k and k.startswith(prefix + "-")},
    }


def all_done(dbs: Databases, keys: list[str]) -> bool:
    now = outcome(dbs, keys)
    hits = {k for k in keys if k.endswith("-H")}
    return now["no_hit_ended"] == set(keys) - hits and now["hit_waiting_for_analyst"] == hits


def assert_nothing_lost_nothing_twice(dbs: Databases, keys: list[str]) -> None:
    now = outcome(dbs, keys)
    hits = {k for k in keys if k.endswith("-H")}
    assert now["no_hit_ended"] == set(keys) - hits, "every no-hit signal ended at EndEvent_NoHit"
    assert now["hit_waiting_for_analyst"] == hits, "every hit reached the analyst's first task"
    assert now["cases"] == {k: 1 for k in hits}, "one case per hit, none started twice"
    assert now["hit_checks"] == {k: 1 for k in keys}, "one hit-check record per signal (R-4.1)"
    assert now["done_twice"] == [], "no external task completed twice"
    assert now["external_tasks_left"] == 0, "no external task left behind"
    assert now["incidents"] == 0, "no incident"


def diagnosis(dbs: Databases, keys: list[str]) -> str:
    """What is still open, for the failure message: the signals, their external tasks and their locks."""
    now = outcome(dbs, keys)
    hits = {k for k in keys if k.endswith("-H")}
    open_keys = sorted((set(keys) - hits - now["no_hit_ended"]) | (hits - now["hit_waiting_for_analyst"]))
    tasks = dbs.query(dbs.engine, """
        SELECT e.business_key_, t.topic_name_, t.worker_id_, t.lock_exp_time_, t.retries_, now()
          FROM act_ru_ext_task t LEFT JOIN act_ru_execution e ON e.id_ = t.proc_inst_id_ ORDER BY 1 LIMIT 20""")
    activity = dbs.query("postgres", """
        SELECT pid, state, now() - xact_start, left(query, 80) FROM pg_stat_activity
         WHERE datname = %s AND state <> 'idle'""", dbs.engine)
    return (f"{len(open_keys)} open: {open_keys[:20]}\nexternal tasks: {tasks}\nbusy sessions: {activity}\n"
            f"incidents: {now['incidents']}, done twice: {now['done_twice']}")
