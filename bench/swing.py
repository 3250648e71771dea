"""Why a one-at-a-time client swings between ~10 ms and ~200+ ms per task (issue 13): an experiment.

    .venv/bin/python -m bench.swing [--rounds 4] [--tasks 100] [--postgres URL]

One engine; the raw loop at parallelism 1 (fetchAndLock 1 + complete, one session) drains
``tasks`` pre-created no-op tasks, alternately at normal priority and with the engine's
threads and this process raised to nice -15, while whatever else runs on the machine keeps
running. Each half-round also records the CPU pressure (Linux PSI: the share of time some
runnable task waited for a CPU), the fetch and complete latencies, and, for the JVM, the
round number (warm-up shows as a slow first round that does not come back).

If the per-task time falls to the quiet-machine figure when only the priorities change, the
swing is CPU scheduling: a client that waits for each answer pays every wake-up of the
engine's threads (Tomcat poller and worker, the JDBC commit) in full, where parallel clients
overlap them. If it does not, the database is the suspect (run again with --postgres).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from bench import clients
from bench.harness import BenchEngine, steady_rate
from bench.run import cpu_pressure


def set_nice(pid: int, value: int) -> None:
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            os.setpriority(os.PRIO_PROCESS, int(task.name), value)
        except (PermissionError, ProcessLookupError):
            pass


def probe(bench: BenchEngine, n: int = 20) -> dict[str, float]:
    """p50 ms of one request at a time, by what it asks of the engine: the split of a task's time."""
    import time

    from bench.harness import percentile, session

    s = bench.settings
    http = session(s.worker_user, s.worker_password, 2)
    root = bench.url.rsplit("/engine-rest", 1)[0]
    empty = {"workerId": "probe", "maxTasks": 1, "topics": [{"topicName": "bench-nothing", "lockDuration": 1000}]}
    kinds = {
        "health (no login, no database)": lambda: http.get(f"{root}/actuator/health", auth=None, timeout=30),
        "version (login only)": lambda: http.get(f"{bench.url}/version", timeout=30),
        "external-task count (login + a query)": lambda: http.get(f"{bench.url}/external-task/count", timeout=30),
        "empty fetchAndLock (login + query + no write)": lambda: http.post(f"{bench.url}/external-task/fetchAndLock", json=empty, timeout=30),
    }
    out = {}
    for name, call in kinds.items():
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            call().raise_for_status()
            times.append((time.perf_counter() - t0) * 1000)
        out[name] = percentile(times, 50)
    http.close()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.swing", description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--tasks", type=int, default=100)
    p.add_argument("--postgres", metavar="URL")
    p.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "data" / "bench" / "swing.json"))
    args = p.parse_args(argv)
    bench = BenchEngine(postgres=args.postgres).start()
    rows = []
    try:
        bench.prepare(project=False)
        assert bench.engine.process is not None, "a started engine has its process"
        engine_pid = bench.engine.process.pid
        bench.start_instances("warm", 100)
        clients.raw(bench, 1, 100)
        for r in range(args.rounds):
            for raised in ((False, True) if r % 2 == 0 else (True, False)):
                nice = -15 if raised else 0
                set_nice(engine_pid, nice)
                set_nice(os.getpid(), nice)
                prefix = f"swing-{r}-{int(raised)}"
                bench.start_instances(prefix, args.tasks)
                pressure = cpu_pressure()
                info = clients.raw(bench, 1, args.tasks)
                rate = steady_rate(bench.end_times(prefix))
                row = {"round": r, "nice": nice, "ms_per_task": 1000 / rate if rate == rate and rate else None,
                       "cpu_pressure_avg10": pressure, "load1": os.getloadavg()[0], **info, "probe_p50_ms": probe(bench)}
                rows.append(row)
                print(json.dumps(row), flush=True)
        set_nice(engine_pid, 0)
        set_nice(os.getpid(), 0)
    finally:
        bench.stop()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"engine": bench.kind, "rows": rows}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
