"""Topics of destruction (issue 11, art. 7). Rule: R-7.1 (R-7.2, R-5.2 by trigger). docs/destruction.md.

* ``case-destruction`` (Task_Destroy / Task_DestroyMax of ``riec-intervention``): destroys the case's
  data everywhere (riec.destruction.destroy_case) and sets ``destructionRef``. The instance that asks
  is kept running (it ends right after); the sweep deletes its history once it has ended.
* ``retention-sweep`` (``riec-retention-sweep``, daily): destroys what is overdue by the registers,
  signals that ended without a case after their term, and the history left of destroyed cases.
"""
from __future__ import annotations

import logging

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from sqlalchemy.engine import Engine

from riec.destruction import Trigger, destroy_case, sweep
from riec.handlers import registry
from riec.retention import RetentionTerms
from riec.runtime.engine import CamundaClient

log = logging.getLogger(__name__)


class _Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class DestroyInput(_Camel):
    business_key: str
    tenant_id: str | None = None
    task_key: str
    destruction_trigger: Trigger = Trigger.INTERVENTION


class Destroyed(_Camel):
    destruction_ref: str


@registry.topic("case-destruction", lock_duration_ms=300_000)
def destroy(task: DestroyInput, *, database: Engine, camunda: CamundaClient) -> Destroyed:
    """Reads the business key (the case key), the tenant (region) and ``destructionTrigger``. Destroys the case's
    data in the vault, the registers' database and the engine, registers it once and sets ``destructionRef``.
    Rule: R-7.1."""
    own_instance = task.task_key.split("/", 1)[0]
    result = destroy_case(task.business_key, task.tenant_id, database=database, camunda=camunda,
                          trigger=task.destruction_trigger, keep_instance_ids={own_instance})
    return Destroyed(destruction_ref=result.ref)


class SweepInput(_Camel):
    task_key: str


class Swept(_Camel):
    retention_swept_cases: int
    retention_swept_signals: int
    retention_swept_histories: int


@registry.topic("retention-sweep", lock_duration_ms=1_800_000)
def retention_sweep(task: SweepInput, *, database: Engine, camunda: CamundaClient, retention: RetentionTerms) -> Swept:
    """Destroys what is overdue (R-7.1), signals without a case after their term (R-5.2) and leftover history;
    sets the counts only. Fails (so an incident shows) when some case could not be destroyed; a retry is harmless."""
    report = sweep(database=database, camunda=camunda, terms=retention)
    log.info("retention sweep: %d case(s), %d signal(s), %d historic instance(s) deleted",
             len(report.cases_destroyed), len(report.signals_destroyed), report.histories_deleted)
    if report.failed:
        raise RuntimeError(f"retention sweep: {len(report.failed)} case(s) could not be destroyed: {', '.join(sorted(report.failed))}")
    return Swept(retention_swept_cases=len(report.cases_destroyed), retention_swept_signals=len(report.signals_destroyed),
                 retention_swept_histories=report.histories_deleted)
