"""The managers' figures (issue 14): is the procedure followed, and how fast. Counts and durations only.

Sources:

* the engine's history through its REST API: historic process instances by
  definition key, historic activity instances by activity id (the funnel's steps
  and end events are unique ids of ``bpmn/``), historic task instances per task
  definition key (how long a role's task waited), open tasks past their due date;
* the registers: the provision register's decision entries (refusals by rule ID and
  reason code), destruction and anonymisation entries, and the chain's verification.

What leaves this module is numbers, months, rule IDs, reason codes, task ids and
the chain's head hash. No business key (a case number may embed nothing, but it
identifies a case), no name, address, variable value or register reference:
the engine answers carry them, they are dropped here (R-5.2, R-6.1).

Scope (R-6.1): a region is a Camunda tenant; a regional manager gets their own
region's figures and the national aggregate of all regions, never another region
on its own. Figures are cached per scope for ``ttl_s`` seconds and every block
carries the time it was computed (``computedAt``).
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine

from riec.compliance.provision_register import EntryKind, iter_entries, verify_chain
from riec.cli_support import add_command, print_json
from riec.identity import REGION_IDS, REGIONS
from riec.retention import RetentionTerms
from riec.dutch_time import AMSTERDAM, amsterdam_day
from riec.retention_status import summary as retention_summary

if TYPE_CHECKING:
    from riec.app import App


#: The funnel, in order: (key, Dutch label, source, id, which time stamp). Source "process": historic process
#: instances of that definition key (start time); "activity": historic activity instances of that activity id.
FUNNEL: list[tuple[str, str, str, str, str]] = [
    ("signals", "Signalen", "process", "riec-signal", "startTime"),
    ("hits", "Hits", "activity", "CallActivity_Case", "startTime"),
    ("cases", "Casussen", "process", "riec-case", "startTime"),
    ("requests", "Verzoeken aan de politie", "activity", "SendTask_PoliceRequest", "endTime"),
    ("provided", "Verstrekt", "activity", "EndEvent_CaseProvided", "endTime"),
    ("refused", "Geweigerd", "activity", "EndEvent_CaseRefused", "endTime"),
]

#: The other ends of a case (art. 4): no indications, or analysis without police data.
CASE_ENDS: list[tuple[str, str, str]] = [
    ("closed", "Afgesloten zonder vervolg", "EndEvent_CaseClosed"),
    ("without_police_data", "Casusanalyse zonder politiegegevens", "EndEvent_WithoutPoliceData"),
]

#: The role tasks whose waiting time managers watch: (task definition key, Dutch label, candidate group).
ROLE_TASKS: list[tuple[str, str, str]] = [
    ("Task_Judgement", "Beoordeling politie", "police-unit"),
    ("Task_Consult210", "Consultatie art. 2:10", "police-data-officer"),
    ("Task_ConsentCaseProsecutor", "Toestemming zaaksofficier", "case-prosecutor"),
    ("Task_ConsentCieProsecutor", "Toestemming CIE-officier", "cie-prosecutor"),
]

#: Dutch labels of the refusal reason codes the police decision records (riec.handlers.police_decision).
REASONS_NL: dict[str, str] = {
    "R-4.1-refuse:no_relevant_data": "Geen relevante gegevens",
    "R-4.1-refuse:refused": "Geweigerd (overig)",
    "R-5.1e:advice_against": "Negatief advies art. 2:10",
    "R-5.1e:consent_refused:case_prosecutor": "Geen toestemming zaaksofficier",
    "R-5.1e:consent_refused:cie_prosecutor": "Geen toestemming CIE-officier",
}


def reason_nl(code: str) -> str:
    """A reason code in Dutch; a failed automated check names its rule; unknown codes are shown as they are."""
    if code in REASONS_NL:
        return REASONS_NL[code]
    if code.endswith(":check_failed"):
        return f"Controle niet geslaagd ({code.split(':')[0]})"
    return code


PAGE = 500


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_time(value: str | None) -> dt.datetime | None:
    """The engine's time stamps: ``2026-11-29T18:41:26.123+0000``."""
    if not value:
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    return dt.datetime.fromisoformat(value)


def engine_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def month_of(moment: dt.datetime) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%Y-%m")


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile (p90 of ten values is the ninth smallest)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def hours(ms: float | None) -> float | None:
    return None if ms is None else round(ms / 3_600_000, 2)


def scope_regions(region: str | None) -> list[str]:
    if region is None:
        return list(REGION_IDS)
    if region not in REGION_IDS:
        raise ValueError(f"unknown region {region!r}; known: {', '.join(REGION_IDS)}")
    return [region]


class Stats:
    """Computes and caches the figures. ``camunda``: a client with ``get(path, **params)``; ``database``: the registers."""

    def __init__(self, camunda: Any, database: Engine | None, *, ttl_s: float = 60.0, integrity_ttl_s: float = 300.0,
                 clock: Callable[[], dt.datetime] = _now, terms: RetentionTerms | None = None):
        self.camunda = camunda
        self.database = database
        self.terms = terms or RetentionTerms()
        self.ttl_s = ttl_s
        self.integrity_ttl_s = integrity_ttl_s
        self.clock = clock
        self._cache: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    # -- public ------------------------------------------------------------------------

    def figures(self, region: str | None = None, *, fresh: bool = False) -> dict[str, Any]:
        """The figures of one region, or (``None``) the national aggregate of every region (R-6.1)."""
        regions = scope_regions(region)
        key = region or "national"
        return self._cached(key, self.ttl_s, fresh, lambda: self._compute(regions, region))

    def view(self, region: str | None, *, fresh: bool = False) -> dict[str, Any]:
        """What a manager of ``region`` may see: that region and the national aggregate; without a region only the
        latter. Another region never appears on its own (R-6.1)."""
        return {
            "computedAt": iso(self.clock()),
            "region": self.figures(region, fresh=fresh) if region else None,
            "national": self.figures(None, fresh=fresh),
            "integrity": self.integrity(fresh=fresh),
        }

    def integrity(self, *, fresh: bool = False) -> dict[str, Any]:
        """The provision register's chain, recomputed (heavy: cached for ``integrity_ttl_s``)."""
        def compute() -> dict[str, Any]:
            if self.database is None:
                return {"computedAt": iso(self.clock()), "available": False}
            result = verify_chain(self.database)
            return {"computedAt": iso(self.clock()), "available": True, "verifiedAt": iso(self.clock()), "ok": result.ok,
                    "entries": result.checked, "headSeq": result.head_seq, "headHash": result.head_hash,
                    "brokenSeq": result.broken_seq}
        return self._cached("integrity", self.integrity_ttl_s, fresh, compute)

    # -- computing ---------------------------------------------------------------------

    def _cached(self, key: str, ttl: float, fresh: bool, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        with self._lock:
            hit = self._cache.get(key)
            if hit and not fresh and time.monotonic() - hit[0] < ttl:
                return hit[1]
        value = compute()
        with self._lock:
            self._cache[key] = (time.monotonic(), value)
        return value

    def _pages(self, path: str, **params: Any) -> Iterator[dict[str, Any]]:
        first = 0
        while True:
            page = self.camunda.get(path, firstResult=first, maxResults=PAGE, **params)
            yield from page
            if len(page) < PAGE:
                return
            first += PAGE

    def _times(self, source: str, ident: str, stamp: str, tenants: str) -> list[dt.datetime]:
        if source == "process":
            rows: Iterable[dict[str, Any]] = self._pages("history/process-instance", processDefinitionKey=ident, tenantIdIn=tenants)
        else:
            rows = self._pages("history/activity-instance", activityId=ident, tenantIdIn=tenants,
                               **({"finished": "true"} if stamp == "endTime" else {}))
        return [t for t in (parse_time(r.get(stamp)) for r in rows) if t is not None]

    def _compute(self, regions: list[str], region: str | None) -> dict[str, Any]:
        now = self.clock()
        tenants = ",".join(regions)
        funnel_months: dict[str, Counter[str]] = {}
        totals: dict[str, int] = {}
        for key, _label, source, ident, stamp in FUNNEL:
            times = self._times(source, ident, stamp, tenants)
            totals[key] = len(times)
            for moment in times:
                funnel_months.setdefault(month_of(moment), Counter())[key] += 1
        ends = {key: len(self._times("activity", ident, "endTime", tenants)) for key, _label, ident in CASE_ENDS}
        return {
            "scope": region or "national",
            "scopeName": dict(REGIONS)[region] if region else "Nationaal (alle regio's)",
            "regions": len(regions),
            "computedAt": iso(now),
            "funnel": {
                "computedAt": iso(now),
                "steps": [{"key": k, "label": label} for k, label, *_ in FUNNEL],
                "totals": totals,
                "months": [{"month": m, **{k: funnel_months[m][k] for k, *_ in FUNNEL}} for m in sorted(funnel_months)],
                "otherCaseEnds": [{"key": k, "label": label, "count": ends[k]} for k, label, _ in CASE_ENDS],
            },
            "waiting": {"computedAt": iso(now), "tasks": [self._waiting(task, label, group, tenants, now)
                                                          for task, label, group in ROLE_TASKS]},
            **self._registers(regions, now),
        }

    def _waiting(self, task: str, label: str, group: str, tenants: str, now: dt.datetime) -> dict[str, Any]:
        durations = [float(t["duration"]) for t in self._pages("history/task", taskDefinitionKey=task, finished="true",
                                                                tenantIdIn=tenants) if t.get("duration") is not None]
        open_count = int(self.camunda.get("task/count", taskDefinitionKey=task, tenantIdIn=tenants)["count"])
        overdue = int(self.camunda.get("task/count", taskDefinitionKey=task, tenantIdIn=tenants,
                                       dueBefore=engine_time(now))["count"])
        median = statistics.median(durations) if durations else None
        return {"task": task, "label": label, "group": group, "completed": len(durations),
                "medianHours": hours(median), "p90Hours": hours(percentile(durations, 0.9)),
                "open": open_count, "overdueNow": overdue}

    def _registers(self, regions: list[str], now: dt.datetime) -> dict[str, Any]:
        by_rule: Counter[str] = Counter()
        by_reason: Counter[str] = Counter()
        kinds: Counter[str] = Counter()
        decisions = 0
        if self.database is not None:
            wanted = set(regions)
            for stored in iter_entries(self.database):
                entry = stored.entry
                if entry.region not in wanted:
                    continue
                kinds[entry.kind.value] += 1
                # The police decision's refusal (not the letter's entry, which repeats it): one per refused request.
                if entry.kind is EntryKind.REFUSAL and "process_instance" in entry.references and "letter" not in entry.references:
                    decisions += 1
                    by_rule.update(entry.rule_ids)
                    by_reason.update(entry.reason_codes)
        return {
            "refusals": {
                "computedAt": iso(now), "available": self.database is not None, "total": decisions,
                "byRule": [{"rule": r, "count": c} for r, c in sorted(by_rule.items())],
                "byReason": [{"code": code, "label": reason_nl(code), "count": c}
                             for code, c in sorted(by_reason.items())],
            },
            "register": {"computedAt": iso(now), "entriesByKind": dict(sorted(kinds.items()))},
            "destruction": self._destruction(regions, now),
        }

    def _destruction(self, regions: list[str], now: dt.datetime) -> dict[str, Any]:
        """Art. 7 (R-7.1, R-7.2): cases whose destruction is due, overdue and done, and anonymisation decisions taken,
        from the registers with the configured terms (riec.retention_status, the same as ``riec retention status``)."""
        if self.database is None:
            return {"computedAt": iso(now), "available": False, "due": None, "overdue": None, "done": None,
                    "signalsDestroyed": None, "anonymised": None, "nextDueOn": None, "note": ""}
        status = retention_summary(self.database, self.terms, amsterdam_day(now), regions)
        total = status["total"]
        return {"computedAt": iso(now), "available": True, "today": status["today"], "due": total["due"],
                "overdue": total["overdue"], "done": total["done"], "signalsDestroyed": total["signalsDestroyed"],
                "anonymised": total["anonymisationDecisions"], "nextDueOn": total["nextDueOn"], "note": status["note"]}


# -- text output ----------------------------------------------------------------------------


def _n(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def format_figures(figures: dict[str, Any]) -> str:
    f = figures["funnel"]
    lines = [f"## {figures['scopeName']} (berekend {figures['computedAt']})", "",
             "Trechter: " + " -> ".join(f"{s['label']} {f['totals'][s['key']]}" for s in f["steps"])]
    for month in f["months"]:
        lines.append(f"  {month['month']}: " + ", ".join(f"{s['key']} {month[s['key']]}" for s in f["steps"]))
    lines.append("Andere einden: " + ", ".join(f"{e['label']} {e['count']}" for e in f["otherCaseEnds"]))
    r = figures["refusals"]
    lines.append(f"Weigeringen: {r['total']}; per regel: " + (", ".join(f"{x['rule']} {x['count']}" for x in r["byRule"]) or "-"))
    lines.append("  per reden: " + (", ".join(f"{x['label']} {x['count']}" for x in r["byReason"]) or "-"))
    lines.append("Wachttijd (uren, mediaan / p90; open; te laat):")
    for t in figures["waiting"]["tasks"]:
        lines.append(f"  {t['label']}: {_n(t['medianHours'])} / {_n(t['p90Hours'])} (n={t['completed']}); "
                     f"open {t['open']}; te laat {t['overdueNow']}")
    d = figures["destruction"]
    if d.get("available", True) and d["due"] is not None:
        lines.append(f"Vernietiging (art. 7): gepland {d['due']}, termijn verstreken {d['overdue']}, vernietigd {d['done']} "
                     f"(signalen zonder casus {d['signalsDestroyed']}), anonimiseringsbesluiten {d['anonymised']}")
    else:
        lines.append("Vernietiging (art. 7): niet beschikbaar (geen registers)")
    return "\n".join(lines)


def format_view(view: dict[str, Any]) -> str:
    parts = [format_figures(view["region"])] if view.get("region") else []
    parts.append(format_figures(view["national"]))
    i = view["integrity"]
    if i.get("available"):
        state = "intact" if i["ok"] else f"GEBROKEN bij #{i['brokenSeq']}"
        parts.append(f"Integriteit verstrekkingsregister: {state}, {i['entries']} vastleggingen, kop #{i['headSeq']} "
                     f"{i['headHash']} (gecontroleerd {i['verifiedAt']})")
    return "\n\n".join(parts)


# -- `riec stats` ---------------------------------------------------------------------------


def cmd_stats(args: argparse.Namespace, app: App) -> int:
    from riec.stats_region import scoped_region

    region = scoped_region(args, app)  # with --user, that user's one region (riec.requester)
    stats = Stats(app.camunda, app.migrated_database(), terms=app.retention)
    view = stats.view(region, fresh=True)
    if args.json:
        print_json(view)
    else:
        print(format_view(view))
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(sub, "stats", cmd_stats, "the managers' figures: funnel per month, refusals by rule, waiting times, "
                                                  "destruction, register integrity; counts and durations only (issue 14)")
    parser.add_argument("--region", choices=REGION_IDS, help="a region's figures beside the national aggregate (R-6.1)")
    parser.add_argument("--json", action="store_true")
    from riec.requester import add_user_option

    add_user_option(parser)
