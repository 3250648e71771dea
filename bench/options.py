"""The options of `riec bench` (no heavy imports: the `riec` command builds its parser from these)."""
from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

DESCRIPTION = ("Benchmark the worker runtime (issue 13): the raw REST limit, riec.runtime at 1/4/8/16 slots, "
               "camunda-external-task-client-python3, pickup latency, 1,000 signals end to end and the worker's memory. "
               "Starts an engine of its own; writes data/bench/results.md and results.json.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--postgres", metavar="URL", help="run the engine on a fresh database (dropped afterwards) on this PostgreSQL server, "
                                                     "e.g. postgresql://postgres@127.0.0.1:5432/postgres; default H2")
    p.add_argument("--rounds", type=int, default=4, help="interleaved rounds per client (default 4)")
    p.add_argument("--tasks", type=int, default=300, help="no-op tasks per client and round (default 300)")
    p.add_argument("--slots", default="1,4,8,16", help="handler slots / parallelism to compare (default 1,4,8,16)")
    p.add_argument("--raw-batch", type=int, default=10, help="also run the raw loop fetching this many tasks per fetch and thread "
                                                              "(the issue's batch loop); the runtime's ratio is given against both (default 10; 0 skips)")
    p.add_argument("--handler-ms", type=int, default=0, help="every client's handler waits this long before it completes, as a handler "
                                                             "that calls the vault, SMTP or a police system does (default 0: no-op)")
    p.add_argument("--pyclient-tasks", type=int, default=40, help="tasks per round for camunda-external-task-client-python3 (default 40; it is slow)")
    p.add_argument("--pyclient-max-tasks", default="1,10", help="maxTasks settings of the Python client to try; the best is named (default 1,10)")
    p.add_argument("--no-pyclient", action="store_true", help="skip the Python client (no venv, no download)")
    p.add_argument("--pickup", type=int, default=200, help="pickup-latency samples (default 200; 0 skips)")
    p.add_argument("--signals", type=int, default=1000, help="signals submitted at once in the end-to-end run (default 1000; 0 skips)")
    p.add_argument("--signal-concurrency", type=int, default=8, help="RIEC_CONCURRENCY of the worker in the signal run (default 8)")
    p.add_argument("--warmup-tasks", type=int, default=8000, help="warm the engine's JIT with the batch loop in chunks of 500 tasks, at least 4,000, until "
                                                                   "three chunks in a row agree within 10 %%; at most this many (default 8000; 0 skips)")
    p.add_argument("--quick", action="store_true", help="a short run for a busy machine: 2 rounds of 100 tasks, 60 pickups, 200 signals")
    p.add_argument("--out", default=str(ROOT / "data" / "bench"), help="folder for results.md and results.json (default data/bench)")
    p.add_argument("--venv", default=str(ROOT / "data" / "bench" / "pyclient-venv"), help="where the Python client's venv is made")


QUICK = {"rounds": 2, "tasks": 100, "pickup": 60, "signals": 200, "pyclient_tasks": 30, "warmup_tasks": 1000}


def settle(args: argparse.Namespace, given: list[str] | None = None) -> argparse.Namespace:
    """--quick sets its smaller figures, except for options given explicitly on the command line."""
    if args.quick:
        for name, value in QUICK.items():
            if not any(a == f"--{name.replace('_', '-')}" or a.startswith(f"--{name.replace('_', '-')}=") for a in (given or [])):
                setattr(args, name, value)
    return args
