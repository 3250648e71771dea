"""`riec bench`: run the benchmark and write docs-ready results (markdown and JSON).

Order: start an engine (H2, or PostgreSQL with --postgres), deploy the project and the
no-op process; then R rounds, each running every client once on N fresh no-op tasks, in
an order rotated per round (interleaved, so drift of the machine hits all alike); then
pickup latency; then the signal run; then bench/cluster.py when present (cross-node).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from bench import clients
from bench.options import DESCRIPTION, add_arguments, settle
from bench.harness import ROOT, BenchEngine, spread, steady_rate



def per_round_ratio(runtime: list[float], raw: list[float]) -> dict:
    """Median and spread of runtime / raw taken round by round (a round whose raw rate is missing or 0 is left out)."""
    return spread([rt / rw for rt, rw in zip(runtime, raw) if rw == rw and rw > 0])


#: Warm-up chunk, how close the last three chunks' rates must be for the engine to count as warm, and the least
#: warm-up: on 30 November three 500-task chunks agreed at ~58 tasks/s after 2,500 tasks while the rate was still
#: to rise for minutes (the first round after them ran 20-30 % below the later ones).
WARMUP_CHUNK, WARMUP_TOLERANCE, WARMUP_MIN_CHUNKS = 500, 0.10, 8


def steady(rates: list[float], tolerance: float = WARMUP_TOLERANCE, min_chunks: int = 4) -> bool:
    """The last three chunks within ``tolerance`` of each other (max / min), after at least ``min_chunks``: the JIT has settled."""
    if len(rates) < max(4, min_chunks):
        return False
    last = rates[-3:]
    return min(last) > 0 and max(last) / min(last) - 1 <= tolerance


def warm_up(bench: BenchEngine, max_tasks: int, chunk: int = WARMUP_CHUNK) -> dict:
    """Drain chunks with the batch loop (8 threads) until the rate is steady, so that no round meets a cold JVM.

    A fresh engine on two cores spends minutes compiling (its C2 compiler thread took half a core and the
    rate rose from 58 to 80 tasks/s over 2,000 tasks in a run on 30 November); a fixed short warm-up let
    the first rounds of every client run on a half-compiled engine and widened the spread.
    """
    rates: list[float] = []
    started = time.monotonic()
    least = min(WARMUP_MIN_CHUNKS, max_tasks // chunk)
    while len(rates) * chunk < max_tasks and not steady(rates, min_chunks=least):
        prefix = f"warmup{len(rates)}"
        bench.start_instances(prefix, chunk)
        clients.raw(bench, 8, chunk, batch=10)
        rates.append(steady_rate(bench.end_times(prefix)))
        print(f"  warm-up {len(rates)}: {rates[-1]:.1f} tasks/s", flush=True)
    return {"chunk": chunk, "rates": rates, "steady": steady(rates, min_chunks=least), "seconds": time.monotonic() - started}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="riec bench", description=DESCRIPTION)
    add_arguments(parser)
    return settle(parser.parse_args(argv), argv if argv is not None else sys.argv[1:])


def machine() -> dict:
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    mem = subprocess.run(["free", "-g"], capture_output=True, text=True).stdout.splitlines()
    return {"nproc": os.cpu_count(), "cpu": _cpu_model(), "memory_gib": mem[1].split()[1] if len(mem) > 1 else "?",
            "java": java[0] if java else "?", "python": platform.python_version(), "kernel": platform.release(),
            "load_at_start": os.getloadavg()}


def cpu_pressure() -> float | None:
    """Share of the last 10 s in which some runnable task waited for a CPU (Linux PSI), in percent."""
    try:
        return float(Path("/proc/pressure/cpu").read_text().split()[1].split("=")[1])
    except (OSError, IndexError, ValueError):
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def main(argv: list[str] | None = None, args: argparse.Namespace | None = None) -> int:
    args = args if args is not None else parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    slots = [int(s) for s in args.slots.split(",")]
    results: dict = {"command": "riec bench " + " ".join(args.argv if getattr(args, "argv", None) is not None else (argv if argv is not None else sys.argv[1:])), "machine": machine(),
                     "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "settings": vars(args)}
    python = None
    if not args.no_pyclient:
        print("installing the Python client into its own venv ...", flush=True)
        python, installed = clients.pyclient_venv(Path(args.venv))
        results["pyclient_installed"] = installed
        print(f"  {installed}", flush=True)
    bench = BenchEngine(postgres=args.postgres)
    print(f"starting an engine on {bench.kind} in {bench.base} ...", flush=True)
    t_start = time.monotonic()
    try:
        bench.start()
        results["engine"] = bench.kind
        bench.prepare(project=args.signals > 0)
        log_file = bench.base / "runtime.log"
        clients.quiet_logging(log_file)
        results["warmup"] = warm_up(bench, args.warmup_tasks)
        from bench.swing import probe

        # What one request costs by itself on this machine now (bench/swing.py): the floor of a one-at-a-time client.
        results["probe_before"] = {"cpu_pressure_avg10": cpu_pressure(), "p50_ms": probe(bench)}
        variants = [("raw", p) for p in slots] + [("runtime", p) for p in slots]
        if args.raw_batch > 1:
            variants += [("rawbatch", p) for p in slots]
        if python:
            variants += [("pyclient", int(m)) for m in args.pyclient_max_tasks.split(",")]
        rates: dict[str, list[float]] = {f"{k}-{p}": [] for k, p in variants}
        details: dict[str, list[dict]] = {f"{k}-{p}": [] for k, p in variants}
        for r in range(args.rounds):
            order = variants[r % len(variants):] + variants[:r % len(variants)]
            for kind, p in order:
                name = f"{kind}-{p}"
                n = args.pyclient_tasks if kind == "pyclient" else args.tasks
                prefix = f"r{r}-{name}"
                bench.start_instances(prefix, n)
                pressure = cpu_pressure()
                if kind == "raw":
                    info = clients.raw(bench, p, n, handler_ms=args.handler_ms)
                elif kind == "rawbatch":
                    info = clients.raw(bench, p, n, batch=args.raw_batch, handler_ms=args.handler_ms)
                elif kind == "runtime":
                    info = clients.runtime(bench, p, n, handler_ms=args.handler_ms)
                else:
                    assert python is not None, "the Python client's rounds run only after its venv was made"
                    info = clients.pyclient(bench, python, p, n, handler_ms=args.handler_ms)
                rate = steady_rate(bench.end_times(prefix))
                rates[name].append(rate)
                details[name].append({"round": r, "rate": rate, "cpu_pressure_avg10": pressure, "load1": os.getloadavg()[0], **info})
                print(f"  round {r + 1}/{args.rounds} {name:12s} {rate:7.1f} tasks/s", flush=True)
        results["probe_after"] = {"cpu_pressure_avg10": cpu_pressure(), "p50_ms": probe(bench)}
        results["throughput"] = {name: {**spread(v), "rounds": v} for name, v in rates.items()}
        results["throughput_details"] = details
        results["runtime_ratio"] = {p: per_round_ratio(rates[f"runtime-{p}"], rates[f"raw-{p}"]) for p in slots}
        if args.raw_batch > 1:
            results["runtime_ratio_batch"] = {p: per_round_ratio(rates[f"runtime-{p}"], rates[f"rawbatch-{p}"]) for p in slots}
        if python:
            best = max((n for n in rates if n.startswith("pyclient")), key=lambda n: spread(rates[n]).get("median", 0))
            results["pyclient_best"] = best
        if args.pickup:
            from bench.pickup import pickup

            results["pickup_same_node"] = pickup(bench, args.pickup)
            print(f"  pickup (same node): {results['pickup_same_node']}", flush=True)
        if args.signals:
            from bench.signals import signal_run

            results["signals"] = signal_run(bench, args.signals, args.signal_concurrency)
            print(f"  signals: {results['signals']}", flush=True)
    finally:
        bench.stop()
    cluster = ROOT / "bench" / "cluster.py"
    if cluster.exists() and args.postgres and args.pickup:
        print("pickup across the two nodes of a cluster (bench/cluster.py) ...", flush=True)
        try:
            from bench import cluster as cluster_bench  # pickup across the nodes of a two-node cluster (deliverable 3)

            results["cluster"] = cluster_bench.run(postgres=args.postgres, samples=60)
            results["cluster_table"] = cluster_bench.table(results["cluster"])
        except Exception as exc:  # noqa: BLE001 - report, don't lose the rest
            results["cluster"] = {"error": f"{type(exc).__name__}: {exc}"}
    elif cluster.exists():
        results["cluster"] = {"skipped": "a cluster needs PostgreSQL: run with --postgres URL"}
    results["duration_s"] = time.monotonic() - t_start
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    table = report(results, slots)
    (out / "results.md").write_text(table, encoding="utf-8")
    print(table)
    print(f"written: {out / 'results.md'}, {out / 'results.json'}")
    return 0


def _f(x: float | None, digits: int = 1) -> str:
    return "-" if x is None or x != x else f"{x:.{digits}f}"


def report(results: dict, slots: list[int]) -> str:
    m = results["machine"]
    lines = [f"Measured {results['started']} by `{results['command']}` on {results.get('engine', '?')}; "
             f"{m['nproc']} CPU ({m['cpu']}), {m['memory_gib']} GiB, {m['java']}, Python {m['python']}; "
             f"load average at start {', '.join(f'{x:.1f}' for x in m['load_at_start'])}.", ""]
    tp = results.get("throughput", {})
    if tp:
        batch = results["settings"].get("raw_batch", 0)
        by_batch = results.get("runtime_ratio_batch")
        lines += ["| Client | Parallelism | tasks/s min | median | max | ratio to raw (min / median / max) |"
                  + (f" ratio to raw batch {batch} (min / median / max) |" if by_batch else ""),
                  "|---|---|---|---|---|---|" + ("---|" if by_batch else "")]
        for p in slots:
            raw = tp.get(f"raw-{p}", {})
            lines.append(f"| raw limit (fetchAndLock 1 + complete, one session) | {p} | {_f(raw.get('min'))} | {_f(raw.get('median'))} | {_f(raw.get('max'))} | 1 |"
                         + (" - |" if by_batch else ""))
        for p in slots if by_batch else []:
            raw = tp.get(f"rawbatch-{p}", {})
            lines.append(f"| raw limit, batch loop (fetchAndLock {batch} + {batch} completes, one session) | {p} | {_f(raw.get('min'))} | "
                         f"{_f(raw.get('median'))} | {_f(raw.get('max'))} | - | 1 |")
        for p in slots:
            rt = tp.get(f"runtime-{p}", {})
            ratio = results["runtime_ratio"].get(p, {})
            line = (f"| riec.runtime, {p} slot(s) | {p} | {_f(rt.get('min'))} | {_f(rt.get('median'))} | {_f(rt.get('max'))} | "
                    f"{_f(ratio.get('min'), 2)} / {_f(ratio.get('median'), 2)} / {_f(ratio.get('max'), 2)} |")
            if by_batch:
                rb = by_batch.get(p, {})
                line += f" {_f(rb.get('min'), 2)} / {_f(rb.get('median'), 2)} / {_f(rb.get('max'), 2)} |"
            lines.append(line)
        for name in sorted(n for n in tp if n.startswith("pyclient")):
            pc = tp[name]
            marker = " (best)" if results.get("pyclient_best") == name else ""
            lines.append(f"| camunda-external-task-client-python3 4.5.0, maxTasks {name.split('-')[1]}{marker} | 1 | {_f(pc.get('min'))} | {_f(pc.get('median'))} | {_f(pc.get('max'))} | - |"
                         + (" - |" if by_batch else ""))
        rounds = results["settings"]["rounds"]
        work = results["settings"].get("handler_ms", 0)
        kind = f"tasks whose handler waits {work} ms" if work else "no-op tasks"
        lines += ["", f"Throughput: {rounds} interleaved rounds, {results['settings']['tasks']} pre-created {kind} per client and round "
                      f"({results['settings']['pyclient_tasks']} for the Python client), timed by the engine (first to last completion). "
                      f"The ratio is taken per round against the raw loop of the same parallelism."]
        warm = results.get("warmup")
        if warm and warm.get("rates"):
            lines.append(f"- engine warmed first with the batch loop (8 threads), {len(warm['rates'])} chunks of {warm['chunk']} tasks in "
                         f"{_f(warm.get('seconds'), 0)} s: " + ", ".join(f"{r:.0f}" for r in warm["rates"]) + " tasks/s"
                         + (" (steady: the last three within 10 %)" if warm.get("steady") else " (not steady within the limit: the first rounds may still be warming)"))
        best = results.get("pyclient_best")
        if best and tp.get(best, {}).get("median"):
            for p in slots:
                rt = tp.get(f"runtime-{p}", {}).get("median")
                if rt:
                    lines.append(f"- riec.runtime at {p} slot(s) / Python client at its best: {rt / tp[best]['median']:.1f}x")
        one = results.get("throughput_details", {}).get("raw-1", [])
        if one:
            lines.append("- one at a time (raw, parallelism 1), per round: " + "; ".join(
                f"{1000 / d['rate']:.0f} ms/task (fetch p50 {_f(d.get('fetch_ms_p50'))} ms, complete p50 {_f(d.get('complete_ms_p50'))} ms, "
                f"CPU pressure {_f(d.get('cpu_pressure_avg10'), 0)} %, load {_f(d.get('load1'))})" for d in one if d["rate"] == d["rate"] and d["rate"] > 0))
        if results.get("pyclient_installed"):
            lines.append(f"- Python client installed by the benchmark: {results['pyclient_installed']}")
    before, after = results.get("probe_before"), results.get("probe_after")
    if before and after:
        lines += ["", "| One request at a time (p50 ms; bench/swing.py) | before the rounds | after the rounds |", "|---|---|---|"]
        for name in before["p50_ms"]:
            lines.append(f"| {name} | {_f(before['p50_ms'][name])} | {_f(after['p50_ms'].get(name))} |")
        lines.append(f"| CPU pressure (PSI some avg10, %) | {_f(before['cpu_pressure_avg10'], 0)} | {_f(after['cpu_pressure_avg10'], 0)} |")
    pk = results.get("pickup_same_node")
    if pk:
        lines += ["", "| Pickup latency (task created → handler starts) | samples | p50 ms | p99 ms | max ms |", "|---|---|---|---|---|",
                  f"| same node, riec.runtime 8 slots, 20 s long poll | {pk['samples']} | {_f(pk['p50_ms'])} | {_f(pk['p99_ms'])} | {_f(pk['max_ms'])} |"]
        cl = results.get("cluster")
        if isinstance(cl, dict) and "p50_ms" in cl:
            lines.append(f"| other node of a two-node cluster, {cl.get('long_poll_ms', '?')} ms long poll (bench/cluster.py) | {cl.get('samples', '?')} | "
                         f"{_f(cl.get('p50_ms'))} | {_f(cl.get('p99_ms'))} | {_f(cl.get('max_ms'))} |")
        elif isinstance(cl, dict):
            lines.append(f"| other node of a cluster: {next(iter(cl.values()))} | | | | |")
        if results.get("cluster_table"):
            lines += ["", "Two-node cluster (bench/cluster.py):", "", results["cluster_table"]]
    sg = results.get("signals")
    if sg:
        lines += ["", "| Signal run | value |", "|---|---|",
                  f"| signals submitted at once (half hit, half no-hit) | {sg['signals']} (submitted in {_f(sg['submitted_s'])} s) |",
                  f"| all at their outcome after | {_f(sg['elapsed_s'])} s |",
                  f"| signals (cases) per second | {_f(sg['signals_per_s'])} |",
                  f"| hits at the analyst's first case task / cases started | {sg['at_case_task']} / {sg['cases']} of {sg['hits']} |",
                  f"| no-hits ended | {sg['no_hit_ended']} of {sg['no_hits']} |",
                  f"| incidents / external tasks left | {sg['incidents']} / {sg['external_tasks_left']} |",
                  f"| worker RSS at rest / max under load (RIEC_CONCURRENCY={sg['worker_concurrency']}) | {_f(sg['rss_rest_mib'])} MiB / {_f(sg['rss_load_max_mib'])} MiB |"]
    lines += ["", f"Whole run: {_f(results.get('duration_s'), 0)} s."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
