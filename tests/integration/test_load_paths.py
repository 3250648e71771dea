"""The stop and the outage paths under load (issue 13, deliverable 4), on PostgreSQL as in production.

SIGTERM to a worker in the middle of a few hundred signals: it finishes the tasks at hand and hands the rest
back, so no task stays locked to it for the lock duration (60 s by default). An engine restart in the middle
of the load loses nothing. The benchmark runs 1,000 signals (riec bench); the tests use fewer to stay fast.
"""
from __future__ import annotations

import time

import pytest

from tests.integration.cluster import (
    PG_URL, SKIP_REASON, Node, prepare, all_done, assert_nothing_lost_nothing_twice, diagnosis, hit_checks_by_key,
    private_databases, submit_signals, wait_for,
)
from tests.integration.engine import WorkerProcess

# Each test takes 1-2 minutes on a quiet 2-core machine; the margin is for a busy one.
pytestmark = [pytest.mark.integration, pytest.mark.skipif(not PG_URL, reason=SKIP_REASON), pytest.mark.timeout(1800)]

SIGNALS = 200
#: The default lock duration: a task left locked to a stopped worker would wait this long.
LOCK_MS = 60_000


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """One engine node on a private database, prepared once for both tests."""
    base = tmp_path_factory.mktemp("load")
    with private_databases("riec_load") as dbs:
        node = Node(base / "node", engine_env=dbs.engine_env, registers_url=dbs.registers_url,
                    worker_settings={"lock_duration_ms": LOCK_MS, "concurrency": 8, "long_poll_ms": 5000})
        try:
            node.start()
            prepare(node)
            yield node, dbs, base
        finally:
            node.stop()


def wait_all_done(dbs, keys, timeout):
    try:
        wait_for(lambda: all_done(dbs, keys), timeout, "every signal to complete", interval=2)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{diagnosis(dbs, keys)}") from None


def locked_by(dbs, worker_id: str) -> list[tuple]:
    """External tasks whose lock the worker holds right now, per the engine's database."""
    return dbs.query(dbs.engine, "SELECT id_, topic_name_ FROM act_ru_ext_task WHERE worker_id_ = %s AND lock_exp_time_ > now()", worker_id)


# Found by this test (21:05 UTC run, issue 13): SIGTERM arriving while a fetch-and-lock that returns tasks is in flight
# abandoned that response, so the tasks the engine had just locked stayed locked to the stopped worker for the lock
# duration (2 of 200 in that run). The runtime now hands back what is still locked to its worker id on exit
# (Worker._hand_back_orphans).
def test_sigterm_under_load_finishes_tasks_at_hand_and_hands_back_the_rest(cluster):
    node, dbs, base = cluster
    first = WorkerProcess(node, base / "first.log", extra_env={"RIEC_WORKER_ID": "first"}).start()
    second = None
    try:
        keys = submit_signals([node], "TERM", SIGNALS)
        wait_for(lambda: len([k for k in hit_checks_by_key(dbs) if k and k.startswith("TERM-")]) >= SIGNALS // 4, 600, "a quarter of the signals checked")
        at_hand = {task_id for task_id, _ in locked_by(dbs, "first")}
        t0 = time.monotonic()
        exit_code = first.stop(timeout=LOCK_MS / 1000)
        took = time.monotonic() - t0
        assert exit_code == 0, f"SIGTERM stops the worker cleanly (exit {exit_code}); log: {first.log_path}"
        assert took < LOCK_MS / 1000 / 2, f"the worker stopped in {took:.1f} s, not after waiting out its locks"
        assert locked_by(dbs, "first") == [], "no task stays locked to the stopped worker: each was finished or handed back"
        assert "no longer locked by this worker" not in first.log() and "could not report" not in first.log()

        # What it had at hand was finished by it, or handed back and done by the next worker, once.
        # No time filter: a task in at_hand was still locked when asked, so any completion of it by 'first' came after
        # (a filter on the engine's log time against this process's clock dropped tasks finished in between).
        finished_by_first = {t for (t,) in dbs.query(dbs.engine, "SELECT ext_task_id_ FROM act_hi_ext_task_log WHERE state_ = 2 AND worker_id_ = 'first'")}
        second = WorkerProcess(node, base / "second.log", extra_env={"RIEC_WORKER_ID": "second"}).start()
        wait_all_done(dbs, keys, 600)
    finally:
        for worker in (first, second):
            if worker:
                worker.stop(30)
    assert_nothing_lost_nothing_twice(dbs, keys)
    by_second = {t for (t,) in dbs.query(dbs.engine, "SELECT ext_task_id_ FROM act_hi_ext_task_log WHERE state_ = 2 AND worker_id_ = 'second'")}
    assert at_hand <= finished_by_first | by_second, "every task at hand at the signal was completed, by the stopped worker or the next"
    print(f"\nSIGTERM with {len(at_hand)} task(s) locked; {len(at_hand & finished_by_first)} finished by the stopping worker in {took:.1f} s, the rest handed back")


def test_engine_restart_under_load_loses_nothing(cluster):
    node, dbs, base = cluster
    worker = WorkerProcess(node, base / "restart.log", extra_env={"RIEC_WORKER_ID": "restart"}).start()
    try:
        keys = submit_signals([node], "RST", SIGNALS * 3 // 4)
        wait_for(lambda: len([k for k in hit_checks_by_key(dbs) if k and k.startswith("RST-")]) >= len(keys) // 3, 600, "a third of the signals checked")
        node.stop()  # SIGTERM: the ordinary restart of an operator or an orchestrator
        node.start()
        wait_all_done(dbs, keys, 600)
        assert worker.alive(), "the worker rode out the restart"
    finally:
        exit_code = worker.stop(30)
    assert exit_code == 0
    assert_nothing_lost_nothing_twice(dbs, keys)
    assert "engine unreachable" in worker.log() and "engine reachable again" in worker.log()
