"""What the engine holds about a case or signal, and deleting it through the REST API (R-7.1).

Camunda 7 keeps a copy of every variable value (runtime and history: variable
instances and details), tasks, comments, attachments, identity links, the user
operation log, external-task logs, incidents and job logs. All of them hang on a
process instance id; ``DELETE /history/process-instance/{id}`` removes every one
of them for an ended instance (HistoricProcessInstanceManager.deleteHistoricProcessInstanceByIds),
so destruction is: end what still runs (``DELETE /process-instance/{id}``, skipping
listeners and I/O mappings so no step runs again), then delete the history.

Instances are found by business key (signal, case, police request and intervention
share the case key) and by the variable ``caseKey`` (a police process started on the
unit's own initiative has its own business key, ``EI-…``).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from riec.runtime.engine import CamundaClient, EngineError

log = logging.getLogger(__name__)

#: Variables the running intervention instance still needs after Task_Destroy (dates, references, flags; no
#: personal data). Everything else on it is removed by destruction (R-7.1).
KEEP_VARIABLES = frozenset({
    "caseKey", "region", "caseOutcome", "caseStartedOn", "dueRiecAnalyst", "interventionCarriedOutOn",
    "interventionRecorded", "interventionStarted", "destructionDueOn", "destructionDueAt", "anonymisationDueAt",
    "maxRetentionAt", "retentionWarningAt", "anonymisationRef", "destructionTrigger", "destructionRef",
})


@dataclass
class EngineFootprint:
    """The process instances of one case key in the engine: running ones and every historic one."""

    running: list[dict] = field(default_factory=list)
    historic: list[dict] = field(default_factory=list)

    @property
    def instance_ids(self) -> set[str]:
        return {i["id"] for i in self.historic} | {i["id"] for i in self.running}


def _unique(rows: Iterable[dict]) -> list[dict]:
    seen: dict[str, dict] = {}
    for row in rows:
        seen.setdefault(row["id"], row)
    return list(seen.values())


def footprint(camunda: CamundaClient, case_key: str) -> EngineFootprint:
    """Every process instance of ``case_key`` (by business key, and by the variable ``caseKey``).

    Two history queries: the engine writes a historic process instance when an instance starts, so the
    history holds the running instances too (state ACTIVE or SUSPENDED, no end time); asking the runtime
    again would double the look-ups, which dominate destruction's cost (docs/performance.md).
    """
    historic = camunda.get("history/process-instance", processInstanceBusinessKey=case_key)
    historic += camunda.post("history/process-instance", {"variables": [{"name": "caseKey", "operator": "eq", "value": case_key}]})
    historic = _unique(historic)
    running = [i for i in historic if not i.get("endTime")]
    return EngineFootprint(running=running, historic=historic)


def _delete(camunda: CamundaClient, path: str, **params: str) -> bool:
    try:
        camunda.rest("DELETE", path, params=params, expect=(200, 204))
        return True
    except EngineError as exc:
        if exc.status == 404:  # already gone (an earlier, interrupted run, or a cascade from its parent)
            return False
        raise


def purge(camunda: CamundaClient, case_key: str, *, keep: frozenset[str] = frozenset(),
          include_running: bool = True, found: EngineFootprint | None = None) -> int:
    """Delete every instance of ``case_key`` except ``keep``: running ones (top-level first), then their history.

    Idempotent: an instance already gone is skipped. Returns how many historic instances were deleted.
    ``include_running=False`` deletes only the history of ended instances (the sweep's clean-up after destruction).
    ``found``: the case's footprint when the caller has just looked it up (saves two queries per case).
    """
    found = found or footprint(camunda, case_key)
    if include_running:
        running = [i for i in found.running if i["id"] not in keep]
        running_ids = {i["id"] for i in running}
        # The signal calls the case (call activity): deleting the top-level instance deletes its called instances too.
        top = [i for i in found.historic if i["id"] in running_ids and not i.get("superProcessInstanceId")]
        for instance in sorted(running, key=lambda i: i["id"] not in {t["id"] for t in top}):
            _delete(camunda, f"process-instance/{instance['id']}", skipCustomListeners="true", skipIoMappings="true",
                    skipSubprocesses="false", failIfNotExists="false")
    deleted = 0
    # Every instance but ``keep`` has ended now (deleted above, or before); no second look-up is needed.
    ended = [i for i in found.historic if i["id"] not in keep and (include_running or i.get("endTime"))]
    # Sub-instances before their callers does not matter to the engine; each delete is independent.
    for instance in ended:
        if _delete(camunda, f"history/process-instance/{instance['id']}", failIfNotExists="false"):
            deleted += 1
    return deleted


def strip_variables(camunda: CamundaClient, process_instance_id: str, *, keep: frozenset[str] = KEEP_VARIABLES) -> int:
    """Remove the running instance's variables it no longer needs (every scope); returns how many."""
    removed = 0
    for variable in camunda.get("variable-instance", processInstanceIdIn=process_instance_id, deserializeValues="false"):
        if variable["name"] in keep:
            continue
        if _delete(camunda, f"execution/{variable['executionId']}/localVariables/{variable['name']}"):
            removed += 1
    return removed
