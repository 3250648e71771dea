"""Where destruction stands (art. 7, R-7.1 / R-7.2): due, overdue, done and anonymisation decisions, per region.

Computed from the registers only (``riec retention status``, the managers' figures in riec.stats, GET /statistieken
and the Cockpit dashboard all read this module), with the dates of :class:`riec.retention.RetentionTerms`:

* a case is **scheduled** for destruction once police data reached it (its first PROVISION entry in the provision
  register, or a package in the vault: provided, else uploaded) or once its intervention was recorded (the
  intervention register): the earliest of these days is ``provided_on``; it is destroyed on
  ``RetentionTerms.destroy_on(provided_on, carried_out_on)`` - the R-7.1 date after the intervention, at the latest
  the end of the maximum retention. The same dates as the sweep's (riec.destruction.sweep.overdue_cases);
* **done**: the case has a row in the destruction register (riec.destruction; before that table exists, a
  DESTRUCTION entry in the provision register);
* **due**: scheduled, not destroyed, and its date is today or later (the term is still running);
* **overdue**: scheduled, not destroyed, and its date has passed (the sweep, ``riec retention sweep``, takes it);
* **anonymisation decisions**: cases with an ANONYMISATION entry in the provision register (R-7.2).

Due, overdue and done do not overlap. "Today" is the day in Europe/Amsterdam. Only counts and dates leave this module
through :func:`summary`; :func:`schedules` carries case keys and is for operators' tools (never for the dashboard).
"""
from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from riec.cli_support import add_command, print_json, valid_date
from riec.compliance.provision_register import EntryKind, iter_entries
from riec.identity import REGION_IDS, REGIONS
from riec.dutch_time import amsterdam_day
from riec.retention import RetentionTerms

if TYPE_CHECKING:
    from riec.app import App


#: What the figures mean, in Dutch, for the dashboard and the command's text output.
NOTE_NL = ("Gepland: politiegegevens ontvangen of interventie uitgevoerd, vernietigingsdatum nog niet bereikt. "
           "Termijn verstreken: de vernietigingsdatum is voorbij en de gegevens zijn nog niet vernietigd (art. 7, "
           "eerste lid; de dagelijkse controle vernietigt ze). Vernietigd: vastgelegd in het vernietigingsregister. "
           "Anonimiseringsbesluiten: genomen besluiten over het bewaren van geanonimiseerde gegevens (art. 7, tweede lid).")


@dataclass(frozen=True)
class CaseSchedule:
    """One case's place in the retention scheme. Carries the case key: for operators, not for the figures."""

    case_key: str
    region: str | None
    provided_on: dt.date | None
    carried_out_on: dt.date | None
    destroy_on: dt.date | None
    destroyed: bool
    anonymisation_decided: bool

    def state(self, today: dt.date) -> str:
        """``done``, ``overdue``, ``due`` or ``unscheduled`` (neither police data nor an intervention yet)."""
        if self.destroyed:
            return "done"
        if self.destroy_on is None:
            return "unscheduled"
        return "overdue" if self.destroy_on < today else "due"


def _as_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return amsterdam_day(value)
    if isinstance(value, dt.date):
        return value
    text_value = str(value)
    return dt.date.fromisoformat(text_value[:10]) if text_value else None


def _as_datetime(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _earliest(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return b if a is None else a if b is None else min(a, b)


class _Case:
    __slots__ = ("region", "provided_on", "carried_out_on", "destroyed", "anonymised")

    def __init__(self) -> None:
        self.region: str | None = None
        self.provided_on: dt.date | None = None
        self.carried_out_on: dt.date | None = None
        self.destroyed = False
        self.anonymised = False


def schedules(database: Engine, terms: RetentionTerms) -> tuple[list[CaseSchedule], dict[str, int]]:
    """Every case the registers know of, with its destruction date; and destroyed signals (no case) per region."""
    cases: dict[str, _Case] = {}
    signals_destroyed: dict[str, int] = {}

    def case(key: str, region: str | None) -> _Case:
        c = cases.setdefault(key, _Case())
        c.region = c.region or region
        return c

    tables = set(inspect(database).get_table_names())
    destruction_table = "destruction" in tables
    for stored in iter_entries(database):
        entry = stored.entry
        if not entry.case_id:
            continue
        if entry.kind is EntryKind.PROVISION:
            c = case(entry.case_id, entry.region)
            c.provided_on = _earliest(c.provided_on, amsterdam_day(entry.occurred_at))
        elif entry.kind is EntryKind.ANONYMISATION:
            case(entry.case_id, entry.region).anonymised = True
        elif entry.kind is EntryKind.DESTRUCTION and not destruction_table:
            case(entry.case_id, entry.region).destroyed = True
    with database.connect() as conn:
        if "vault_package" in tables:
            for key, region, provided_at, uploaded_at in conn.execute(
                    text("SELECT case_key, region, provided_at, uploaded_at FROM vault_package")):
                c = case(str(key), _opt(region))
                moment = _as_datetime(provided_at or uploaded_at)
                if moment is not None:
                    c.provided_on = _earliest(c.provided_on, amsterdam_day(moment))
        if "intervention" in tables:
            for key, region, carried_out_on, recorded_at in conn.execute(
                    text("SELECT case_key, region, carried_out_on, recorded_at FROM intervention")):
                c = case(str(key), _opt(region))
                c.carried_out_on = _as_date(carried_out_on)
                # As the sweep (riec.destruction.sweep.overdue_cases): the day the intervention was recorded starts the
                # maximum retention of a case without police data too.
                recorded = _as_datetime(recorded_at)
                if recorded is not None:
                    c.provided_on = _earliest(c.provided_on, amsterdam_day(recorded))
        if destruction_table:
            for key, region, subject in conn.execute(text("SELECT case_key, region, subject FROM destruction")):
                if subject == "signal" and str(key) not in cases:
                    name = _opt(region) or "-"
                    signals_destroyed[name] = signals_destroyed.get(name, 0) + 1
                else:
                    case(str(key), _opt(region)).destroyed = True
    result = []
    for key, c in sorted(cases.items()):
        if c.provided_on is not None:
            destroy_on: dt.date | None = terms.destroy_on(c.provided_on, c.carried_out_on)
        elif c.carried_out_on is not None:
            destroy_on = terms.destruction_due_on(c.carried_out_on)
        else:
            destroy_on = None
        result.append(CaseSchedule(key, c.region, c.provided_on, c.carried_out_on, destroy_on, c.destroyed, c.anonymised))
    return result, signals_destroyed


def _empty() -> dict[str, Any]:
    return {"due": 0, "overdue": 0, "done": 0, "signalsDestroyed": 0, "anonymisationDecisions": 0, "nextDueOn": None}


def _add(block: dict[str, Any], schedule: CaseSchedule, today: dt.date) -> None:
    state = schedule.state(today)
    if state in ("due", "overdue", "done"):
        block[state] += 1
    if schedule.anonymisation_decided:
        block["anonymisationDecisions"] += 1
    if state == "due" and schedule.destroy_on is not None:
        nxt = block["nextDueOn"]
        block["nextDueOn"] = min(nxt, schedule.destroy_on.isoformat()) if nxt else schedule.destroy_on.isoformat()


def summary(database: Engine, terms: RetentionTerms, today: dt.date, regions: Iterable[str] | None = None) -> dict[str, Any]:
    """Counts per region and their total over ``regions`` (default: every region). Counts and dates only (R-5.2, R-6.1)."""
    wanted = list(regions) if regions is not None else list(REGION_IDS)
    names = dict(REGIONS)
    per_region = {region: _empty() for region in wanted}
    total = _empty()
    found, signals = schedules(database, terms)
    for schedule in found:
        if schedule.region not in per_region:
            continue
        _add(per_region[schedule.region], schedule, today)
        _add(total, schedule, today)
    for region, count in signals.items():
        if region in per_region:
            per_region[region]["signalsDestroyed"] += count
            total["signalsDestroyed"] += count
    return {
        "today": today.isoformat(),
        "terms": {"destructionGraceDays": terms.destruction_grace_days, "maxRetentionDays": terms.max_retention_days,
                  "anonymisationLeadDays": terms.anonymisation_lead_days, "noCaseRetentionDays": terms.no_case_retention_days},
        "regions": [{"region": region, "name": names.get(region, region), **per_region[region]} for region in wanted],
        "total": total,
        "note": NOTE_NL,
    }


def format_summary(status: dict[str, Any]) -> str:
    lines = [f"Vernietiging (art. 7) op {status['today']}: gepland / termijn verstreken / vernietigd / "
             "signalen zonder casus vernietigd / anonimiseringsbesluiten"]
    for row in [*status["regions"], {"name": "Totaal", **status["total"]}]:
        nxt = f" (eerstvolgende {row['nextDueOn']})" if row.get("nextDueOn") else ""
        lines.append(f"  {row['name']}: {row['due']} / {row['overdue']} / {row['done']} / {row['signalsDestroyed']} / "
                     f"{row['anonymisationDecisions']}{nxt}")
    lines.append(status["note"])
    return "\n".join(lines)


# -- `riec retention status` ---------------------------------------------------------------------


def cmd_status(args: argparse.Namespace, app: App) -> int:
    terms = app.retention
    today = args.today or amsterdam_day(dt.datetime.now(dt.UTC))
    status = summary(app.migrated_database(), terms, today, [args.region] if args.region else None)
    if args.json:
        print_json(status)
    else:
        print(format_summary(status))
    return 0


def add_status_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``riec retention status``: added to the ``retention`` group of riec.cli_retention."""
    parser = add_command(sub, "status", cmd_status, "per region: cases whose destruction is due, overdue and done, "
                                                    "and anonymisation decisions taken (art. 7, R-7.1, R-7.2)")
    parser.add_argument("--region", choices=REGION_IDS, help="only this region")
    parser.add_argument("--today", type=valid_date, help="the day to judge by (YYYY-MM-DD; default: today in Amsterdam)")
    parser.add_argument("--json", action="store_true")
