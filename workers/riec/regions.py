"""``riec regions``: the national view, aggregates only (R-6.1).

Every signal and case belongs to one region (a Camunda tenant), and no officer sees
another region's work. The one national view is this: per region, how many signals
and cases run, how many tasks and incidents are open, how many signals ended. Counts
only, read with the operator's login: no business key, name, address or variable
leaves the engine through it.
"""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from riec.cli_support import add_command, print_json
from riec.identity import REGIONS

if TYPE_CHECKING:
    from riec.app import App

#: (column, REST count path, query parameters) per figure.
FIGURES: list[tuple[str, str, dict[str, Any]]] = [
    ("signals running", "process-instance/count", {"processDefinitionKey": "riec-signal"}),
    ("signals ended", "history/process-instance/count", {"processDefinitionKey": "riec-signal", "finished": "true"}),
    ("cases running", "process-instance/count", {"processDefinitionKey": "riec-case"}),
    ("police requests running", "process-instance/count", {"processDefinitionKey": "police-request"}),
    ("open tasks", "task/count", {}),
    ("open incidents", "incident/count", {}),
]


def national_view(camunda: Any) -> list[dict[str, Any]]:
    """One row of counts per region (``camunda``: a client with ``get(path, **params)``)."""
    rows = []
    for region, name in REGIONS:
        row: dict[str, Any] = {"region": region, "name": name}
        for column, path, params in FIGURES:
            row[column] = int(camunda.get(path, tenantIdIn=region, **params)["count"])
        rows.append(row)
    return rows


def format_view(rows: list[dict[str, Any]]) -> str:
    columns = [column for column, _, _ in FIGURES]
    lines = ["| Region | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    for row in rows:
        lines.append(f"| {row['name']} (`{row['region']}`) | " + " | ".join(str(row[c]) for c in columns) + " |")
    totals = [sum(row[c] for row in rows) for c in columns]
    lines.append("| **Nationaal** | " + " | ".join(str(t) for t in totals) + " |")
    return "\n".join(lines)


def cmd_regions(args: argparse.Namespace, app: App) -> int:
    rows = national_view(app.camunda)
    if args.json:
        print_json(rows)
    else:
        print(format_view(rows))
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(sub, "regions", cmd_regions, "the national view: per region, counts of signals, cases, open tasks and incidents (no names, no keys)")
    parser.add_argument("--json", action="store_true")
