"""Two OS processes append to the provision register at once: no entry lost, none reordered,
the chain complete and valid (SQLite with BEGIN IMMEDIATE; PostgreSQL with an advisory lock)."""
from __future__ import annotations

import multiprocessing as mp

from compliance_factories import append_from_process
from riec.compliance import provision_register as pr

PER_PROCESS = 300  # two processes: 600 entries
PAUSE_S = 0.002  # between appends, as a worker has work between entries: the lock is free now and then


def runs(actors: list[str]) -> int:
    """How many unbroken runs of one writer the chain holds (1 + the number of changes of writer)."""
    return 1 + sum(1 for a, b in zip(actors, actors[1:]) if a != b)


def test_two_processes_appending_leave_a_complete_valid_chain(database, db_url):
    ctx = mp.get_context("spawn")
    barrier, times = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=append_from_process, args=(db_url, name, PER_PROCESS, barrier, times, PAUSE_S)) for name in ("wa", "wb")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
        if p.is_alive():  # hung on the lock: do not leave it behind
            p.terminate()
            p.join()
    assert [p.exitcode for p in procs] == [0, 0], "a writer process failed (lock not held, or a constraint broke)"
    spans = [times.get(timeout=10) for _ in procs]

    result = pr.verify_chain(database)
    assert result.ok, result.describe()
    assert result.checked == result.head_seq == 2 * PER_PROCESS

    entries = list(pr.iter_entries(database))
    assert [e.seq for e in entries] == list(range(1, 2 * PER_PROCESS + 1))
    for name in ("wa", "wb"):
        mine = [int(e.entry.references["n"]) for e in entries if e.entry.actor == name]
        assert mine == list(range(PER_PROCESS)), f"{name}: entries lost or reordered"
    # The writers really competed: both started at the barrier and appended during each other's
    # run (monotonic clocks are system-wide on Linux) ...
    assert max(b for _, b, _ in spans) < min(e for _, _, e in spans)
    # ... and the lock went back and forth: their entries interleave in the chain, not one
    # writer's block after the other's.
    actors = [e.entry.actor for e in entries]
    assert runs(actors) >= 10, f"entries barely interleave ({runs(actors)} runs): the writers did not compete"
    assert actors.index("wb") < len(actors) - 1 - actors[::-1].index("wa")
    assert actors.index("wa") < len(actors) - 1 - actors[::-1].index("wb")
