"""Topics of the case analysis and intervention (process ``riec-intervention``, bpmn/intervention.bpmn). Rule: R-7.1.

* ``intervention-start``: the case's end events "provided" and "without police data"
  start the intervention for the case by the message ``riec-intervention-start``
  (same business key, region = tenant, R-6.1), once.
* ``validate-intervention-strategy`` / ``validate-intervention-carried-out``: the two
  user tasks' input checked again on the server; INPUT_INVALID sends the task back
  with the Dutch reasons in ``validationMessage``.
* ``intervention-record``: the strategy and the carried-out date into the
  intervention register (one row per case, idempotent); sets
  ``interventionCarriedOutOn``, the date destruction (R-7.1, issue 11) starts from,
  and the schedule from :class:`riec.retention.RetentionTerms`: ``destructionDueOn``,
  ``destructionDueAt`` (the timer) and ``anonymisationDueAt`` (the decision's deadline, R-7.2).
* ``validate-anonymisation-decision`` / ``anonymisation-record``: the partners' anonymisation
  decision checked again, then applied (``r_7_2_keep_anonymised``): one anonymised record of the
  whitelist, one ANONYMISATION register entry (riec.anonymisation, R-7.2).
* ``retention-warning``: the maximum retention (R-7.1) is about to end: the region's analysts
  and privacy officers are told, once each.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from sqlalchemy.engine import Engine

from riec import anonymisation, dutch_time, intervention
from riec.casework import DuePeriods
from riec.formcheck import INPUT_INVALID, as_message, dutch_problems, validation_handler
from riec.handlers import registry
from riec.notifications import Notification, Notifier
from riec.retention import RetentionTerms
from riec.runtime import BpmnError
from riec.runtime.engine import CamundaClient, EngineError
from riec.runtime.variables import from_camunda, to_camunda_map

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
    # The case's facts an anonymised record may be made of: only counted or enumerated, never copied.
    phenomenon: Any = None
    persons: Any = None
    data_categories: Any = None
    included_person_refs: Any = None
    # The case's caseOutcome is set at its end event, after this task: the decisions say it already.
    case_decision: Any = None
    police_decision: Any = None

    def outcome(self) -> str:
        """``provided`` / ``without_police_data`` (the send task runs before the end event that sets ``caseOutcome``)."""
        if self.case_outcome:
            return self.case_outcome
        if self.case_decision == "without_police_data":
            return "without_police_data"
        return "provided" if self.police_decision == "provide" else ""


class Started(_Camel):
    intervention_started: bool = True


def _list(value: Any) -> list[Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return list(value) if isinstance(value, (list, tuple)) else []


def case_profile(case: StartInput) -> dict[str, Any]:
    """The case's non-identifying facts for a later anonymised record (R-7.2): the phenomenon (an enum value),
    persons COUNTED per category (only the ones provided, when the police filtered), the data categories."""
    persons = [p for p in _list(case.persons) if isinstance(p, dict)]
    included = {str(r) for r in _list(case.included_person_refs)}
    if included:
        persons = [p for p in persons if str(p.get("ref")) in included]
    counts = {c: sum(1 for p in persons if p.get("category") == c) for c in ("a", "b", "c")}
    categories = sorted({str(c) for c in _list(case.data_categories)})
    return {"phenomenon": str(case.phenomenon or ""), "personsByCategory": counts, "dataCategories": categories}


@registry.topic("intervention-start")
def start_intervention(case: StartInput, *, camunda: CamundaClient, due_periods: DuePeriods,
                       retention: RetentionTerms) -> Started:
    """Reads the business key, the tenant, ``caseOutcome`` (else from ``caseDecision`` / ``policeDecision``),
    ``caseStartedOn``, ``dueRiecAnalyst`` and, to count
    them, ``phenomenon``, ``persons``, ``dataCategories``, ``includedPersonRefs``.
    Starts ``riec-intervention`` for the case unless a redelivery already did (R-7.1, R-6.1), with the maximum
    retention (``maxRetentionAt``, ``retentionWarningAt``, from today: the data were provided by now, R-7.1)
    and ``caseProfile`` (counts and enum values only, R-7.2).
    Only references travel: the case key, its region, outcome, start date and due period."""
    running = camunda.get("process-instance", processDefinitionKey=INTERVENTION_PROCESS, businessKey=case.business_key,
                          **({"tenantIdIn": case.tenant_id} if case.tenant_id else {}))
    if running:
        log.info("intervention for this case already started; not started again")
        return Started()
    # The case's own due period; the configured one for a case started before it had one (the tasks need it).
    variables: dict[str, Any] = {"caseKey": case.business_key, "region": case.tenant_id,
                                 "caseOutcome": case.outcome(), "caseStartedOn": case.case_started_on or "",
                                 "dueRiecAnalyst": case.due_riec_analyst or due_periods.due_riec_analyst}
    provided_on = dutch_time.today()
    variables |= {"maxRetentionAt": intervention.timer_at(retention.max_retention_until(provided_on)),
                  "retentionWarningAt": intervention.timer_at(retention.retention_warning_on(provided_on)),
                  "caseProfile": case_profile(case)}
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
    destruction_due_on: str
    destruction_due_at: str
    anonymisation_due_at: str


@registry.topic("intervention-record")
def record_intervention(data: RecordInput, *, database: Engine, retention: RetentionTerms) -> Recorded:
    """Reads the validated strategy and date. Stores them in the intervention register under the case key
    (once; a redelivery finds the row) and sets ``interventionCarriedOutOn`` (JJJJ-MM-DD), the date
    destruction starts from, and the schedule: ``destructionDueOn`` (JJJJ-MM-DD; the configured grace
    period RIEC_DESTRUCTION_GRACE_DAYS later), ``destructionDueAt`` (the start of that day, Europe/Amsterdam,
    for the timer) and ``anonymisationDueAt`` (the end of the decision's last day, R-7.2). Rule: R-7.1."""
    stored = intervention.record(database, intervention.InterventionRecord(
        case_key=data.business_key, region=data.tenant_id, measures=data.intervention_measures,
        other_description=data.intervention_other_description or "", strategy=data.intervention_strategy,
        carried_out_on=data.intervention_carried_out_on, recorded_at=dt.datetime.now(dt.UTC)))
    due_on = retention.destruction_due_on(stored.carried_out_on)
    decide_by = retention.anonymisation_due_on(due_on)
    return Recorded(intervention_carried_out_on=stored.carried_out_on.isoformat(), destruction_due_on=due_on.isoformat(),
                    destruction_due_at=intervention.timer_at(due_on),
                    anonymisation_due_at=intervention.timer_at(decide_by, end_of_day=True))


# --------------------------------------------------------------------------- the anonymisation decision


class DecisionSubmitted(BaseModel):
    """The form's variables as submitted (anything: the model says what is wrong), and the schedule."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    anonymisation_decision: Any = Field(None, alias="anonymisationDecision")
    anonymisation_purpose: Any = Field(None, alias="anonymisationPurpose")
    anonymised_fields: Any = Field(None, alias="anonymisedFields")
    anonymisation_decided_on: Any = Field(None, alias="anonymisationDecidedOn")
    police_unit_consulted: Any = Field(None, alias="policeUnitConsulted")
    police_unit_consulted_on: Any = Field(None, alias="policeUnitConsultedOn")
    destruction_due_on: Any = Field(None, alias="destructionDueOn")
    case_outcome: Any = Field(None, alias="caseOutcome")

    def form_values(self) -> dict[str, Any]:
        names = ("anonymisationDecision", "anonymisationPurpose", "anonymisedFields", "anonymisationDecidedOn",
                 "policeUnitConsulted", "policeUnitConsultedOn")
        values = self.model_dump(by_alias=True)
        return {k: values[k] for k in names if values[k] is not None}


def _decision(form: DecisionSubmitted) -> tuple[anonymisation.AnonymisationDecision | None, list[str]]:
    valid, problems = dutch_problems(anonymisation.AnonymisationDecision, form.form_values())
    if valid is None:
        return None, problems
    assert isinstance(valid, anonymisation.AnonymisationDecision)
    return valid, anonymisation.decision_problems(valid, _date(form.destruction_due_on), form.case_outcome)


@registry.topic("validate-anonymisation-decision")
def validate_anonymisation_decision(form: DecisionSubmitted) -> dict[str, Any]:
    """Reads the form's variables, ``destructionDueOn`` and ``caseOutcome``. Sets ``inputValid`` and an empty
    ``validationMessage``, or throws INPUT_INVALID with the Dutch reasons: a choice missing, keeping without a
    purpose or fields, a decision not before the destruction date or in the future, keeping without consulting
    the providing police unit (R-7.2)."""
    _, problems = _decision(form)
    if problems:
        raise BpmnError(INPUT_INVALID, f"input rejected by AnonymisationDecision: {len(problems)} problem(s)",
                        {"inputValid": False, "validationMessage": as_message(problems)})
    return {"inputValid": True, "validationMessage": ""}


class AnonymisationInput(DecisionSubmitted):
    business_key: str = Field(alias="businessKey")
    tenant_id: str | None = Field(None, alias="tenantId")
    case_started_on: Any = Field(None, alias="caseStartedOn")
    intervention_carried_out_on: Any = Field(None, alias="interventionCarriedOutOn")
    intervention_measures: Any = Field(None, alias="interventionMeasures")
    case_profile: Any = Field(None, alias="caseProfile")
    case_key: Any = Field(None, alias="caseKey")


class AnonymisationRecorded(_Camel):
    anonymisation_ref: str
    anonymisation_kept: bool


def case_variables(camunda: CamundaClient, business_key: str) -> dict[str, Any]:
    """Every variable of the case's process instances (signal, case, police, intervention) from the engine's
    history, for the comparison with the anonymised record (R-7.2). Empty when the engine refuses."""
    try:
        instances = camunda.get("history/process-instance", processInstanceBusinessKey=business_key)
        ids = ",".join(i["id"] for i in instances)
        found = camunda.get("history/variable-instance", processInstanceIdIn=ids, deserializeValues="false") if ids else []
    except EngineError as exc:
        log.warning("case history not readable for the anonymisation check (HTTP %s); comparing with the task's "
                    "own variables only", exc.status)
        return {}
    values: dict[str, Any] = {}
    for v in found:
        try:
            values.setdefault(v["name"], from_camunda(v))
        except (KeyError, ValueError, TypeError):
            continue
    return values


def _facts(data: AnonymisationInput) -> anonymisation.CaseFacts:
    profile = data.case_profile
    if isinstance(profile, str):
        try:
            profile = json.loads(profile)
        except ValueError:
            profile = {}
    profile = profile if isinstance(profile, dict) else {}
    raw = profile.get("personsByCategory")
    counts: dict[str, Any] = raw if isinstance(raw, dict) else {}
    return anonymisation.CaseFacts(
        region=data.tenant_id, phenomenon=profile.get("phenomenon") or None, case_started_on=_date(data.case_started_on),
        carried_out_on=_date(data.intervention_carried_out_on),
        persons_by_category={str(k): int(v) for k, v in counts.items() if isinstance(v, int)},
        data_categories=[str(c) for c in _list(profile.get("dataCategories"))], outcome=data.case_outcome,
        measures=[str(m) for m in _list(data.intervention_measures)])


@registry.topic("anonymisation-record")
def record_anonymisation(data: AnonymisationInput, *, database: Engine, camunda: CamundaClient) -> AnonymisationRecorded:
    """Reads the validated decision, ``destructionDueOn``, ``caseOutcome``, ``caseStartedOn``,
    ``interventionCarriedOutOn``, ``interventionMeasures`` and ``caseProfile``. Applies R-7.2
    (``r_7_2_keep_anonymised``); if it allows, makes the anonymised record of the fields the partners kept and
    compares every value with the case's identifying values (a hit keeps nothing). Stores the record and ONE
    ANONYMISATION register entry in one transaction, once per case. Sets ``anonymisationRef`` (the entry's id
    when something was kept, else "") and ``anonymisationKept``."""
    due_on = _date(data.destruction_due_on)
    if due_on is None:
        raise ValueError("destructionDueOn is missing: intervention-record sets it before the decision")
    form, problems = _decision(data)
    if problems:  # validated before; a changed variable since then keeps nothing
        form = None
    decision = anonymisation.keep_decision(form, due_on, data.case_outcome)
    record: anonymisation.AnonymisedRecord | None = None
    extra: tuple[str, ...] = ()
    if form is not None and decision.allowed and form.anonymisation_purpose is not None:
        record = anonymisation.anonymise(_facts(data), form.anonymised_fields, form.anonymisation_purpose)
        variables = case_variables(camunda, data.business_key) | data.model_dump(by_alias=True, exclude_none=True)
        hits = anonymisation.identifying_hits(record, anonymisation.identifying_values(variables, data.business_key))
        if hits:
            log.warning("anonymised record not kept: %d value(s) matched the case's identifying values", len(hits))
            record, extra = None, ("R-7.2:identifying_value",)
    outcome = anonymisation.register(database, case_key=data.business_key, region=data.tenant_id, decision=decision,
                                     record=record, kept=form.anonymised_fields if form else (), actor="riec-analyst",
                                     occurred_at=dt.datetime.now(dt.UTC), extra_codes=extra)
    kept = outcome.record is not None
    return AnonymisationRecorded(anonymisation_ref=outcome.entry.entry_id if kept else "", anonymisation_kept=kept)


# --------------------------------------------------------------------------- the maximum retention


PRIVACY_GROUP = "privacy-officer"
ANALYST_GROUP = "riec-analyst"


class RetentionWarningInput(_Camel):
    business_key: str
    tenant_id: str | None = None
    max_retention_at: str | None = None
    task_key: str


class Warned(_Camel):
    retention_warned: bool = True


@registry.topic("retention-warning")
def warn_retention(data: RetentionWarningInput, *, notifier: Notifier) -> Warned:
    """Reads the business key, the tenant and ``maxRetentionAt``. Tells the region's analysts AND privacy
    officers that the case's maximum retention ends on that day and its data will then be destroyed
    (R-7.1); once per group (keyed on the case). The case number and a date only."""
    until = (data.max_retention_at or "")[:10] or "binnenkort"
    text = (f"De maximale bewaartermijn van casus {data.business_key} eindigt op {until}. Dan worden de gegevens "
            f"vernietigd (art. 7, R-7.1). Leg de interventie en het besluit over anonimiseren tijdig vast.")
    for group in (ANALYST_GROUP, PRIVACY_GROUP):
        notifier.notify(Notification(
            key=f"retention-warning:{data.business_key}:{group}", kind="retention_warning", recipient_group=group,
            business_key=data.business_key, task_ref="Timer_RetentionWarning", text_nl=text,
            created_at=dt.datetime.now(dt.UTC), region=data.tenant_id))
    return Warned()
