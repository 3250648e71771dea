"""Two engine nodes on one PostgreSQL database, one killed with kill -9 under load (issue 13, deliverable 3).

The engine's own clustering: both nodes share the database, run their job executors, and answer any REST call
(no sticky sessions); workers are spread over both. A node dying loses only what it had not committed: a task
its workers had locked comes back when the lock expires, and the surviving node's workers finish it.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.cluster import (
    PG_URL, SKIP_REASON, Node, prepare, all_done, diagnosis, assert_nothing_lost_nothing_twice, hit_checks_by_key, outcome,
    private_databases, submit_signals, wait_for,
)
from tests.integration.engine import WorkerProcess

pytestmark = [pytest.mark.integration, pytest.mark.skipif(not PG_URL, reason=SKIP_REASON)]

#: Short, so tasks locked by the dead node's workers come back within the test (production: 60 s).
LOCK_MS = 5000
FIRST, SECOND = 120, 30


# About 3 minutes on a quiet 2-core machine (two engine start-ups are most of it); the margin is for a busy one.
@pytest.mark.timeout(1800)
def test_two_nodes_one_killed_mid_load_every_signal_completes_once(tmp_path):
    with private_databases() as dbs:
        shared = {"engine_env": dbs.engine_env, "registers_url": dbs.registers_url, "worker_data_dir": tmp_path / "worker-data",
                  "worker_settings": {"lock_duration_ms": LOCK_MS, "concurrency": 4, "long_poll_ms": 2000}}
        shared["worker_data_dir"].mkdir()
        a, b = Node(tmp_path / "node-a", **shared), Node(tmp_path / "node-b", **shared)
        workers: list[WorkerProcess] = []
        try:
            # One node first: on an empty database it creates the schema and the administrator; the second joins.
            a.start()
            joining = ThreadPoolExecutor(1).submit(b.start)
            prepare(a)  # deployments, users and registers: written once, seen by both nodes
            joining.result()
            assert b.client().get("process-definition/count", key="riec-signal")["count"] == 1, "node b sees node a's deployment"
            workers = [WorkerProcess(node, tmp_path / f"worker-{node.data_dir.name}.log", extra_env={"RIEC_WORKER_ID": f"worker-{node.data_dir.name}"}).start()
                       for node in (a, b)]

            keys = submit_signals([a, b], "CL", FIRST)
            wait_for(lambda: len(hit_checks_by_key(dbs)) >= FIRST // 3, 600, "a third of the signals checked")
            both = {w for (w,) in dbs.query(dbs.engine, "SELECT DISTINCT worker_id_ FROM act_hi_ext_task_log WHERE state_ = 2")}
            assert both == {"worker-node-a", "worker-node-b"}, "workers on both nodes completed tasks before the kill"

            a.kill()
            killed_at = time.monotonic()
            still_open = len(keys) - len(outcome(dbs, keys)["hit_checks"])
            assert still_open > 0, "the kill came mid-load"
            keys += submit_signals([b], "CL", SECOND, start=FIRST)  # the survivor takes new signals too

            try:
                wait_for(lambda: all_done(dbs, keys), 600, "every signal to complete on the surviving node", interval=2)
            except AssertionError as exc:
                raise AssertionError(f"{exc}\n{diagnosis(dbs, keys)}") from None
            took = time.monotonic() - killed_at
        finally:
            for worker in workers:
                # The dead node's worker may still be retrying its last reports (up to 2 min): not waited for.
                worker.stop(30 if worker.engine is b else 3)
            a.stop()
            b.stop()

        assert_nothing_lost_nothing_twice(dbs, keys)
        after = {w for (w,) in dbs.query(dbs.engine, """
            SELECT DISTINCT l.worker_id_ FROM act_hi_ext_task_log l JOIN act_hi_procinst p ON p.proc_inst_id_ = l.proc_inst_id_
             WHERE l.state_ = 2 AND p.business_key_ >= %s""", f"CL-{FIRST:04d}")}
        assert after == {"worker-node-b"}, "after the kill only the survivor's workers completed tasks"
        print(f"\n{still_open} of {FIRST} signals open at the kill; all {len(keys)} done {took:.0f} s after it")
