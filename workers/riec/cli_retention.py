"""Retention commands of ``riec`` (issue 11, art. 7; added to the one parser by riec.cli)::

    riec retention sweep [--today YYYY-MM-DD] [--json]
    riec retention status [--region R] [--today YYYY-MM-DD] [--json]    (riec.retention_status)

``sweep`` runs the same sweep as the daily process ``riec-retention-sweep`` (riec.destruction.sweep):
it destroys what is overdue, signals that ended without a case after their term and history left of
destroyed cases, and prints what it did (case numbers and counts, no personal data). Exit 0, or 1 when
some case could not be destroyed (run it again: it is idempotent). docs/destruction.md.

Room for more sub-commands of the ``retention`` group: add them in :func:`add_commands`.
"""
from __future__ import annotations

import argparse
import datetime as dt

from riec.app import App
from riec.cli_support import FAILED, add_command, add_group, print_json, valid_date


def cmd_sweep(args: argparse.Namespace, app: App) -> int:
    """R-7.1: destroy everything overdue now; ``--today`` moves the reference date (tests, catching up)."""
    from riec.destruction import sweep

    now = dt.datetime.now(dt.UTC)
    report = sweep(database=app.migrated_database(), camunda=app.camunda, terms=app.retention, today=args.today or now.date(), now=now)
    if args.json:
        print_json(report.as_dict())
    else:
        print(report.describe_nl())
    return FAILED if report.failed else 0


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """The ``retention`` group; returns it so further sub-commands (``status``) can be added to it."""
    group = add_group(subparsers, "retention", "retention and destruction of data (art. 7, R-7.1)")
    sweep = add_command(group, "sweep", cmd_sweep, "destroy everything overdue now (the daily sweep), and report it")
    sweep.add_argument("--today", type=valid_date, default=None, help="reference date YYYY-MM-DD (default: today)")
    sweep.add_argument("--json", action="store_true")
    from riec.retention_status import add_status_command  # `riec retention status` (due / overdue / done, R-7.1, R-7.2)

    add_status_command(group)
    return group
