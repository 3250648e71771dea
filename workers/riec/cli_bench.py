"""`riec bench`: the benchmark of issue 13, run from the project's checkout (bench/, not part of the package).

It starts an engine of its own (H2, or PostgreSQL with --postgres) and never touches the one
`riec up` runs. The options are bench/options.py's; the results go to data/bench/.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from riec.app import App
from riec.cli_support import add_command

CHECKOUT = Path(__file__).resolve().parents[2]


def _bench_available() -> bool:
    return (CHECKOUT / "bench" / "run.py").exists() and (CHECKOUT / "tests" / "integration" / "engine.py").exists()


def _import_path() -> None:
    if str(CHECKOUT) not in sys.path:
        sys.path.insert(0, str(CHECKOUT))


def cmd_bench(args: argparse.Namespace, app: App) -> int:
    if not _bench_available():
        print(f"error: the benchmark lives in the project's checkout (bench/); not found under {CHECKOUT}", file=sys.stderr)
        return 1
    _import_path()
    from bench.options import settle
    from bench.run import main

    args.argv = sys.argv[2:] if len(sys.argv) > 1 and sys.argv[1] == "bench" else None
    return main(args=settle(args, args.argv))


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    help_ = "benchmark the worker runtime against the raw REST limit and the usual Python client (issue 13; starts its own engine, a few minutes)"
    parser = add_command(sub, "bench", cmd_bench, help_)
    if _bench_available():
        _import_path()
        from bench.options import add_arguments

        add_arguments(parser)
