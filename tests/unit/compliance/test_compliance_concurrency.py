"""Two OS processes append to the provision register at once: no entry lost, none reordered,
the chain complete and valid (SQLite with BEGIN IMMEDIATE; PostgreSQL with an advisory lock)."""
from __future__ import annotations

import multiprocessing as mp

from compliance_factories import append_from_process
from riec.compliance import provision_register as pr

PER_PROCESS = 600  # two processes: 1,200 entries


def test_two_processes_appending_leave_a_complete_valid_chain(engine, db_url):
    ctx = mp.get_context("spawn")
    start, times = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=append_from_process, args=(db_url, name, PER_PROCESS, start, times)) for name in ("wa", "wb")]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(timeout=300)
        if p.is_alive():  # hung on the lock: do not leave it behind
            p.terminate()
            p.join()
    assert [p.exitcode for p in procs] == [0, 0], "a writer process failed (lock not held, or a constraint broke)"
    spans = [times.get(timeout=10) for _ in procs]

    result = pr.verify_chain(engine)
    assert result.ok, result.describe()
    assert result.checked == result.head_seq == 2 * PER_PROCESS

    entries = list(pr.iter_entries(engine))
    assert [e.seq for e in entries] == list(range(1, 2 * PER_PROCESS + 1))
    for name in ("wa", "wb"):
        mine = [int(e.entry.references["n"]) for e in entries if e.entry.actor == name]
        assert mine == list(range(PER_PROCESS)), f"{name}: entries lost or reordered"
    # The writers really competed: both were appending (or waiting for the lock) at the same time.
    # (monotonic clocks are system-wide on Linux; SQLite may still hand the lock over in long runs)
    assert max(b for _, b, _ in spans) < min(e for _, _, e in spans)
