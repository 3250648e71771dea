"""Topics of the case analysis and intervention (process ``riec-intervention``, bpmn/intervention.bpmn). Rule: R-7.1.

* ``intervention-start``: the case's end events "provided" and "without police data"
  start the intervention for the case by the message ``riec-intervention-start``
  (same business key, region = tenant, R-6.1), once.
* ``validate-intervention-strategy`` / ``validate-intervention-carried-out``: the two
  user tasks' input checked again on the server; INPUT_INVALID sends the task back
  with the Dutch reasons in ``validationMessage``.
* ``intervention-record``: the strategy and the carried-out date into the
  intervention register (one row per case, idempotent); sets
  ``interventionCarriedOutOn``, the date destruction (R-7.1, issue 11) starts from.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from sqlalchemy.engine import Engine

from riec import intervention
from riec.casework import DuePeriods
from riec.formcheck import INPUT_INVALID, as_message, dutch_problems, validation_handler
from riec.handlers import registry
from riec.runtime import BpmnError
from riec.runtime.engine import CamundaClient
from riec.runtime.variables import to_camunda_map

log = logging.getLogger(__name__)

START_MESSAGE = "riec-intervention-start"
INTERVENTION_PROCESS = "riec-intervention"


class _Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class StartInput(_Camel):
    business_key: str
    tenant_id: str | None = None
    case_outcome: str | None = None
    case_started_on: str | None = None
    due_riec_analyst: str | None = None


class Started(_Camel):
    intervention_started: bool = True


@registry.topic("intervention-start")
def start_intervention(case: StartInput, *, camunda: CamundaClient, due_periods: DuePeriods) -> Started:
    """Reads the business key, the tenant, ``caseOutcome``, ``caseStartedOn`` and ``dueRiecAnalyst``.
    Starts ``riec-intervention`` for the case unless a redelivery already did (R-7.1, R-6.1).
    Only references travel: the case key, its region, outcome, start date and due period."""
    running = camunda.get("process-instance", processDefinitionKey=INTERVENTION_PROCESS, businessKey=case.business_key,
                          **({"tenantIdIn": case.tenant_id} if case.tenant_id else {}))
    if running:
        log.info("intervention for this case already started; not started again")
        return Started()
    # The case's own due period; the configured one for a case started before it had one (the tasks need it).
    variables: dict[str, Any] = {"caseKey": case.business_key, "region": case.tenant_id,
                                 "caseOutcome": case.case_outcome or "", "caseStartedOn": case.case_started_on or "",
                                 "dueRiecAnalyst": case.due_riec_analyst or due_periods.due_riec_analyst}
    # The definition is shared by all regions; the instance takes its region from ``region`` (tenant provider, R-6.1).
    camunda.post("message", {"messageName": START_MESSAGE, "businessKey": case.business_key,
                             "processVariables": to_camunda_map(variables)})
    return Started()


registry.topic("validate-intervention-strategy")(
    validation_handler(intervention.InterventionStrategy))


class CarriedOutSubmitted(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    intervention_carried_out_on: Any = Field(None, alias="interventionCarriedOutOn")
    case_started_on: Any = Field(None, alias="caseStartedOn")


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


@registry.topic("validate-intervention-carried-out")
def validate_carried_out(form: CarriedOutSubmitted) -> dict[str, Any]:
    """Reads ``interventionCarriedOutOn`` and ``caseStartedOn``. Sets ``inputValid`` and an empty
    ``validationMessage``, or throws INPUT_INVALID with the Dutch reasons: no date, a malformed date,
    a date in the future or before the case started (R-7.1: destruction counts from this date)."""
    values = {"interventionCarriedOutOn": form.intervention_carried_out_on} if form.intervention_carried_out_on else {}
    valid, problems = dutch_problems(intervention.InterventionCarriedOut, values)
    if valid is not None:
        assert isinstance(valid, intervention.InterventionCarriedOut)
        problems = intervention.date_problems(valid.intervention_carried_out_on, _date(form.case_started_on))
    if problems:
        raise BpmnError(INPUT_INVALID, f"input rejected by InterventionCarriedOut: {len(problems)} problem(s)",
                        {"inputValid": False, "validationMessage": as_message(problems)})
    return {"inputValid": True, "validationMessage": ""}


class RecordInput(_Camel):
    business_key: str
    tenant_id: str | None = None
    intervention_measures: intervention.Measures
    intervention_other_description: str | None = None
    intervention_strategy: str
    intervention_carried_out_on: dt.date


class Recorded(_Camel):
    intervention_carried_out_on: str
    intervention_recorded: bool = True


@registry.topic("intervention-record")
def record_intervention(data: RecordInput, *, database: Engine) -> Recorded:
    """Reads the validated strategy and date. Stores them in the intervention register under the case key
    (once; a redelivery finds the row) and sets ``interventionCarriedOutOn`` (JJJJ-MM-DD), the date
    destruction starts from. Rule: R-7.1."""
    stored = intervention.record(database, intervention.InterventionRecord(
        case_key=data.business_key, region=data.tenant_id, measures=data.intervention_measures,
        other_description=data.intervention_other_description or "", strategy=data.intervention_strategy,
        carried_out_on=data.intervention_carried_out_on, recorded_at=dt.datetime.now(dt.UTC)))
    return Recorded(intervention_carried_out_on=stored.carried_out_on.isoformat())
