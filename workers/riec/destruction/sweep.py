"""The retention sweep (issue 11, R-7.1): destroys whatever is overdue, whatever state its process is in.

Run daily by the process ``riec-retention-sweep`` (bpmn/retention-sweep.bpmn, topic
``retention-sweep``) and by operators with ``riec retention sweep``. Three passes:

1. **Cases overdue by the registers** (not by the engine): every case key in the
   intervention register, the vault or a PROVISION register entry without a
   destruction row, whose ``RetentionTerms.destroy_on`` lies before today. Found even
   when its process instance was deleted by hand or is stuck. Trigger ``sweep``.
2. **Signals that ended without an intervention** (no hit, withdrawn, closed without
   indications, refused): every instance of the key ended, none of them is an
   intervention, nothing in the vault, and the last one ended at least
   ``no_case_retention_days`` ago. Trigger ``no_case``.
3. **What the engine still holds of destroyed cases**: the history of instances that
   ended after their destruction (the intervention instance that ran Task_Destroy) is
   deleted; an instance still running a day after its case's destruction is ended first.

Every step is idempotent (riec.destruction.core), so a sweep interrupted half-way is
simply run again. The report holds case numbers and counts only.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.engine import Engine

from riec.compliance import db
from riec.compliance.provision_register import EntryKind
from riec.destruction import engine_purge
from riec.destruction.core import Trigger, destroy_case
from riec.dutch_time import amsterdam_day
from riec.retention import RetentionTerms
from riec.runtime.engine import CamundaClient

log = logging.getLogger(__name__)

SIGNAL_PROCESS = "riec-signal"
INTERVENTION_PROCESS = "riec-intervention"
PAGE = 500


@dataclass
class SweepReport:
    today: str
    cases_destroyed: list[str] = field(default_factory=list)
    signals_destroyed: list[str] = field(default_factory=list)
    histories_deleted: int = 0
    failed: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)

    def describe_nl(self) -> str:
        lines = [f"Bewaartermijnen gecontroleerd op {self.today}.",
                 f"Casussen vernietigd (termijn verstreken): {len(self.cases_destroyed)}"
                 + (f" ({', '.join(self.cases_destroyed)})" if self.cases_destroyed else ""),
                 f"Signalen zonder casus vernietigd: {len(self.signals_destroyed)}"
                 + (f" ({', '.join(self.signals_destroyed)})" if self.signals_destroyed else ""),
                 f"Resterende procesgeschiedenis verwijderd: {self.histories_deleted} procesinstantie(s)."]
        if self.failed:
            lines.append(f"Mislukt (volgende ronde opnieuw): {', '.join(f'{k} ({v})' for k, v in self.failed.items())}")
        return "\n".join(lines)


def _date(value: dt.datetime | dt.date | str | None) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def overdue_cases(database: Engine, terms: RetentionTerms, today: dt.date) -> list[tuple[str, dt.date]]:
    """(case key, destroy-on date) of every case the registers say is overdue (destroy_on before today). R-7.1."""
    provided: dict[str, dt.date] = {}
    carried_out: dict[str, dt.date] = {}

    def seen(key: str, day: dt.date | None) -> None:
        if day is not None:
            provided[key] = min(day, provided.get(key, day))

    pkg, iv, reg = db.vault_package, db.intervention, db.register_entry
    with db.read_transaction(database) as conn:
        destroyed: set[str] = set(conn.execute(select(db.destruction.c.case_key)).scalars())
        for row in conn.execute(select(pkg.c.case_key, pkg.c.provided_at, pkg.c.uploaded_at)):
            seen(row.case_key, _date(row.provided_at or row.uploaded_at))
        for row in conn.execute(select(iv.c.case_key, iv.c.carried_out_on, iv.c.recorded_at)):
            carried_out[row.case_key] = row.carried_out_on
            seen(row.case_key, _date(row.recorded_at))
        for row in conn.execute(select(reg.c.case_id, reg.c.payload).where(reg.c.kind == EntryKind.PROVISION.value,
                                                                          reg.c.case_id.is_not(None))):
            seen(row.case_id, _date(json.loads(row.payload).get("occurred_at")))
    due = []
    for key in sorted(set(provided) - destroyed):
        destroy_on = terms.destroy_on(provided[key], carried_out.get(key))
        if destroy_on < today:
            due.append((key, destroy_on))
    return due


def _paged(camunda: CamundaClient, path: str, body: dict) -> list[dict]:
    rows: list[dict] = []
    while True:
        page = camunda.post(path, body, params={"firstResult": len(rows), "maxResults": PAGE})
        rows += page
        if len(page) < PAGE:
            return rows


def _camunda_time(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00.000+0000"


def signals_without_case(camunda: CamundaClient, database: Engine, terms: RetentionTerms, today: dt.date) -> list[str]:
    """Business keys of signals whose every instance ended, without an intervention, at least the term ago."""
    ended_by = today - dt.timedelta(days=terms.no_case_retention_days) + dt.timedelta(days=1)  # ended on or before
    candidates = _paged(camunda, "history/process-instance", {
        "processDefinitionKey": SIGNAL_PROCESS, "finished": True, "finishedBefore": _camunda_time(ended_by)})
    with db.read_transaction(database) as conn:
        destroyed: set[str] = set(conn.execute(select(db.destruction.c.case_key)).scalars())
        in_vault: set[str] = set(conn.execute(select(db.vault_package.c.case_key)).scalars())
        intervened: set[str] = set(conn.execute(select(db.intervention.c.case_key)).scalars())
    keys = []
    for key in sorted({c["businessKey"] for c in candidates if c.get("businessKey")} - destroyed - in_vault - intervened):
        instances = engine_purge.footprint(camunda, key)
        if instances.running:
            continue  # still in progress somewhere (a case, a request, an intervention)
        if any(i.get("processDefinitionKey") == INTERVENTION_PROCESS for i in instances.historic):
            continue  # a case with an intervention: its destruction runs through, not this term
        last_end = max((_date(i.get("endTime")) or today for i in instances.historic), default=today)
        if terms.no_case_destroy_on(last_end) <= today:
            keys.append(key)
    return keys


def purge_destroyed(camunda: CamundaClient, database: Engine, now: dt.datetime) -> int:
    """Delete the history left of destroyed cases (instances that ended after their destruction); end stuck ones."""
    with db.read_transaction(database) as conn:
        rows = conn.execute(select(db.destruction.c.case_key, db.destruction.c.destroyed_at)).all()
    destroyed_at = {r.case_key: (r.destroyed_at if r.destroyed_at.tzinfo else r.destroyed_at.replace(tzinfo=dt.UTC)) for r in rows}
    keys = sorted(destroyed_at)
    deleted = 0
    for start in range(0, len(keys), 100):
        batch = keys[start:start + 100]
        left = _paged(camunda, "history/process-instance", {"processInstanceBusinessKeyIn": batch})
        for key in sorted({i["businessKey"] for i in left}):
            running = any(not i.get("endTime") for i in left if i["businessKey"] == key)
            stuck = running and now - destroyed_at[key] > dt.timedelta(days=1)
            deleted += engine_purge.purge(camunda, key, include_running=stuck)
    return deleted


def sweep(*, database: Engine, camunda: CamundaClient, terms: RetentionTerms, today: dt.date | None = None,
          now: dt.datetime | None = None) -> SweepReport:
    """Destroy everything overdue and report it (module doc). R-7.1, R-5.2."""
    now = now or dt.datetime.now(dt.UTC)
    today = today or amsterdam_day(now)  # the same day as `riec retention status` and the dashboard count
    report = SweepReport(today=today.isoformat())
    for key, _due in overdue_cases(database, terms, today):
        try:
            destroy_case(key, database=database, camunda=camunda, trigger=Trigger.SWEEP, now=now, actor="riec-sweep")
            report.cases_destroyed.append(key)
        except Exception as exc:  # noqa: BLE001 - one case must not stop the others; reported and retried next run
            log.warning("destroying an overdue case failed: %s", type(exc).__name__)
            report.failed[key] = type(exc).__name__
    for key in signals_without_case(camunda, database, terms, today):
        try:
            destroy_case(key, database=database, camunda=camunda, trigger=Trigger.NO_CASE, now=now, actor="riec-sweep",
                         subject="signal")
            report.signals_destroyed.append(key)
        except Exception as exc:  # noqa: BLE001
            log.warning("destroying a signal without a case failed: %s", type(exc).__name__)
            report.failed[key] = type(exc).__name__
    report.histories_deleted = purge_destroyed(camunda, database, now)
    return report
