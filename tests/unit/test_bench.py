"""`riec bench` (issue 13) without an engine: its options, its arithmetic and its report.

The benchmark itself is not a test (it times things); these only check that the command
is there, parses, and reports what it measured.
"""
from __future__ import annotations

import math

from riec.cli import build_parser

from bench.harness import percentile, spread, steady_rate
from bench.run import per_round_ratio, report, steady


def test_riec_bench_is_a_command_with_the_documented_options():
    args = build_parser().parse_args(["bench", "--quick", "--postgres", "postgresql://postgres@127.0.0.1:5432/postgres", "--no-pyclient"])
    assert args.postgres.startswith("postgresql://") and args.no_pyclient and args.quick
    from bench.options import settle

    settled = settle(args)
    assert (settled.rounds, settled.tasks, settled.signals) == (2, 100, 200)
    given = ["bench", "--quick", "--tasks", "50"]
    assert settle(build_parser().parse_args(given), given[1:]).tasks == 50, "an explicit option wins over --quick"


def test_steady_rate_counts_from_first_to_last_completion():
    assert steady_rate([10.0, 10.5, 11.0]) == 2.0
    assert math.isnan(steady_rate([10.0]))


def test_spread_and_percentiles():
    assert spread([3.0, 1.0, 2.0, float("nan")]) == {"n": 3, "min": 1.0, "median": 2.0, "max": 3.0}
    values = list(range(1, 101))
    assert percentile(values, 50) == 50.5
    assert percentile(values, 99) > 99


def test_the_ratio_is_taken_round_by_round_and_skips_rounds_without_a_raw_rate():
    ratio = per_round_ratio([100.0, 90.0, 80.0, 60.0], [50.0, math.nan, 0.0, 40.0])
    assert ratio == {"n": 2, "min": 1.5, "median": 1.75, "max": 2.0}
    assert per_round_ratio([10.0], []) == {"n": 0}


def test_the_warm_up_ends_when_three_chunks_agree_within_ten_percent():
    assert not steady([50.0, 52.0, 53.0])  # too few chunks to tell
    assert not steady([58.0, 54.0, 62.0, 67.0])  # still rising (the 30 November cold run)
    assert not steady([58.0, 62.0, 67.0, 80.0])
    assert steady([58.0, 80.0, 84.0, 82.0])
    assert not steady([58.0, 80.0, 0.0, 82.0])  # a chunk that drained nothing is no rate


def test_report_shows_ratio_python_client_pickup_signals_and_memory():
    results = {
        "command": "riec bench --quick", "started": "2026-11-29T21:00:00+00:00", "engine": "H2 (file)", "duration_s": 300,
        "machine": {"nproc": 2, "cpu": "Test CPU", "memory_gib": "23", "java": "openjdk 17", "python": "3.11.7", "load_at_start": (1.0, 1.0, 1.0)},
        "settings": {"rounds": 2, "tasks": 100, "pyclient_tasks": 30},
        "throughput": {"raw-8": spread([100.0, 110.0]), "runtime-8": spread([97.0, 106.0]), "pyclient-10": spread([5.0, 6.0]),
                       "raw-1": spread([50.0, 52.0])},
        "throughput_details": {"raw-1": [{"rate": 50.0, "fetch_ms_p50": 9.0, "complete_ms_p50": 10.0, "cpu_pressure_avg10": 20.0, "load1": 1.0}]},
        "runtime_ratio": {8: spread([0.97, 0.96])},
        "pyclient_best": "pyclient-10",
        "pyclient_installed": "camunda-external-task-client-python3==4.5.0 + pydantic==2.0 (not declared by the client; installed by the benchmark)",
        "pickup_same_node": {"samples": 60, "p50_ms": 20.0, "p99_ms": 80.0, "max_ms": 90.0},
        "signals": {"signals": 200, "submitted_s": 4.0, "elapsed_s": 20.0, "signals_per_s": 10.0, "at_case_task": 100, "cases": 100, "hits": 100,
                    "no_hit_ended": 100, "no_hits": 100, "incidents": 0, "external_tasks_left": 0, "worker_concurrency": 8,
                    "rss_rest_mib": 90.0, "rss_load_max_mib": 110.0},
    }
    text = report(results, [8])
    assert "| riec.runtime, 8 slot(s) | 8 | 97.0 | 101.5 | 106.0 | 0.96 / 0.96 / 0.97 |" in text
    assert "maxTasks 10 (best)" in text and "not declared by the client" in text
    assert "Python client at its best: 18.5x" in text
    assert "| same node, riec.runtime 8 slots, 20 s long poll | 60 | 20.0 | 80.0 | 90.0 |" in text
    assert "| incidents / external tasks left | 0 / 0 |" in text
    assert "90.0 MiB / 110.0 MiB" in text
    assert "riec bench --quick" in text and "2 CPU" in text


def test_report_gives_the_ratio_to_the_batch_loop_and_names_the_handlers_work():
    results = {
        "command": "riec bench --handler-ms 50", "started": "2026-11-30T00:00:00+00:00", "engine": "H2 (file)", "duration_s": 300,
        "machine": {"nproc": 2, "cpu": "Test CPU", "memory_gib": "23", "java": "openjdk 17", "python": "3.11.7", "load_at_start": (1.0, 1.0, 1.0)},
        "settings": {"rounds": 2, "tasks": 100, "pyclient_tasks": 30, "raw_batch": 10, "handler_ms": 50},
        "throughput": {"raw-8": spread([40.0, 42.0]), "rawbatch-8": spread([80.0, 90.0]), "runtime-8": spread([78.0, 88.0])},
        "runtime_ratio": {8: spread([1.95, 2.1])},
        "runtime_ratio_batch": {8: spread([0.975, 0.98])},
        "warmup": {"chunk": 500, "rates": [58.0, 80.0, 84.0, 82.0], "steady": True, "seconds": 41.5},
    }
    text = report(results, [8])
    assert "4 chunks of 500 tasks in 42 s: 58, 80, 84, 82 tasks/s (steady: the last three within 10 %)" in text
    assert "| raw limit, batch loop (fetchAndLock 10 + 10 completes, one session) | 8 | 80.0 | 85.0 | 90.0 | - | 1 |" in text
    assert "| riec.runtime, 8 slot(s) | 8 | 78.0 | 83.0 | 88.0 | 1.95 / 2.02 / 2.10 | 0.97 / 0.98 / 0.98 |" in text
    assert "tasks whose handler waits 50 ms" in text
