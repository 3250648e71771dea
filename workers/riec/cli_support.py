"""What every ``riec`` command shares: its signature, the refusal it raises, parser helpers.

A command is ``(args, app) -> int`` (riec.app.App is the composition root). Exit
codes, for every command: 0 done, 1 failed (or a check answered "no"), 2 input
refused. A command refuses input by raising :class:`Refused` with the reasons,
in Dutch where an officer reads them; riec.cli prints them and exits 2.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from riec.app import App

Command = Callable[[argparse.Namespace, "App"], int]

DONE, FAILED, REFUSED = 0, 1, 2


class Refused(Exception):
    """Input refused (exit 2): ``reasons`` are printed one per line under ``heading``."""

    def __init__(self, *reasons: str, heading: str | None = None):
        super().__init__("\n".join(reasons))
        self.reasons = list(reasons)
        self.heading = heading


def valid_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def add_group(subparsers: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_: str) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """A command group; called without a sub-command it prints its usage and exits 2."""
    parser = subparsers.add_parser(name, help=help_, description=help_)

    def usage(_args: argparse.Namespace, _app: App) -> int:
        parser.print_help(sys.stderr)
        return REFUSED

    parser.set_defaults(func=usage)
    return parser.add_subparsers(dest=f"{name.replace('-', '_')}_command", metavar="COMMAND")


def add_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser], name: str, handler: Command, help_: str,
                parents: list[argparse.ArgumentParser] | None = None) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(name, help=help_, description=help_, parents=parents or [])
    parser.set_defaults(func=handler)
    return parser
