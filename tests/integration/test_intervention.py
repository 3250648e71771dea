"""The case analysis and intervention on the real engine (issue 10, deliverable 5). Rule: R-7.1.

A case that ends "provided" or "without police data" starts ``riec-intervention``
under the same key and in the same region; the case director records the
partners' joint strategy and the date it was carried out; ``intervention-record``
stores both in the intervention register and sets ``interventionCarriedOutOn``,
the date destruction (issue 11) starts from. Bad input goes back to the task with
Dutch reasons and the intervention does not move on.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from riec import intervention
from riec.compliance import db
from riec.runtime.variables import from_camunda, to_camunda_map
from tests.integration.case_steps import (
    case_outcome, incidents_of, police_decides, task_variable, to_decision, to_request, wait_task,
)
from tests.integration.vault_steps import upload_package

ANALYST = "analist"
STRATEGY = {"interventionMeasures": ["bestuurlijk", "fiscaal"], "interventionOtherDescription": "",
            "interventionStrategy": "Gemeente sluit het pand (Bibob); de Belastingdienst legt naheffingen op."}


@pytest.fixture(scope="module")
def registers(engine):
    yield (getattr(db, "open_database", None) or getattr(db, "make_engine"))(engine.settings.effective_database_url)


def complete(engine, key: str, task_id: str, variables: dict[str, Any], *, previous: str | None = None) -> dict:
    """Claim and complete the intervention task as the analyst (the case director); returns the task completed."""
    from tests.integration.engine import wait_until

    task = wait_until(lambda: next((t for t in engine.client().get("task", processInstanceBusinessKey=key, taskDefinitionKey=task_id)
                                    if t["id"] != previous), None), 60, what=f"user task {task_id} of {key}")
    officer = engine.client(ANALYST)
    officer.post(f"task/{task['id']}/claim", {"userId": ANALYST})
    officer.post(f"task/{task['id']}/complete", {"variables": to_camunda_map(variables)})
    return task


def sent_back(engine, key: str, task_id: str, previous: dict) -> str:
    """The task came back (a new instance of the same task): its Dutch reasons."""
    from tests.integration.engine import wait_until

    task = wait_until(lambda: next((t for t in engine.client().get("task", processInstanceBusinessKey=key, taskDefinitionKey=task_id)
                                    if t["id"] != previous["id"]), None), 60, what=f"{task_id} of {key} sent back")
    return task_variable(engine, task["id"], "validationMessage")


def at_decision(engine, key: str) -> dict:
    """The intervention recorded: the instance waits at the anonymisation decision (R-7.2); its region and variables."""
    task = wait_task(engine, key, "Task_AnonymisationDecision")
    found = engine.client().get(f"process-instance/{task['processInstanceId']}/variables", deserializeValues="false")
    return {"tenantId": task["tenantId"], "processInstanceId": task["processInstanceId"],
            "variables": {name: from_camunda(v) for name, v in found.items()}}


def record_intervention(engine, key: str, carried_out_on: dt.date) -> dict:
    complete(engine, key, "Task_InterventionStrategy", STRATEGY)
    complete(engine, key, "Task_InterventionCarriedOut", {"interventionCarriedOutOn": carried_out_on.isoformat()})
    return at_decision(engine, key)


def assert_recorded(engine, registers, key: str, done: dict, carried_out_on: dt.date) -> None:
    assert done["tenantId"] == "riec-noord", "R-6.1: the intervention stays in the case's region"
    assert done["variables"]["interventionCarriedOutOn"] == carried_out_on.isoformat()
    # destruction scheduled the moment it is recorded, the configured grace period (default 14 days) later.
    due = carried_out_on + dt.timedelta(days=engine.settings.destruction_grace_days)
    assert done["variables"]["destructionDueOn"] == due.isoformat()
    assert done["variables"]["destructionDueAt"] == intervention.timer_at(due)
    row = intervention.get(registers, key)
    assert row is not None and row.carried_out_on == carried_out_on and row.region == "riec-noord"
    assert [m.value for m in row.measures] == ["bestuurlijk", "fiscaal"] and row.strategy == STRATEGY["interventionStrategy"]
    assert incidents_of(engine, key) == []


def test_r_7_1_case_without_police_data_reaches_the_intervention_and_records_the_carried_out_date(engine, workers, business_key, registers):
    to_decision(engine, business_key, "without_police_data")
    case = case_outcome(engine, business_key)
    assert "EndEvent_WithoutPoliceData" in case["endActivityIds"]
    task = wait_task(engine, business_key, "Task_InterventionStrategy")
    assert task["tenantId"] == "riec-noord" and task["name"] == f"Interventiestrategie vastleggen · {business_key}"
    today = dt.date.today()
    done = record_intervention(engine, business_key, today)
    assert_recorded(engine, registers, business_key, done, today)


def test_r_7_1_provided_case_reaches_the_intervention_once(engine, workers, business_key, registers):
    to_request(engine, business_key, ["art9"])
    police_decides(engine, business_key, case_prosecutor="given")
    upload_package(engine, business_key)
    case = case_outcome(engine, business_key)
    assert "EndEvent_CaseProvided" in case["endActivityIds"]
    wait_task(engine, business_key, "Task_InterventionStrategy")
    started = engine.client().get("process-instance", processDefinitionKey="riec-intervention", businessKey=business_key)
    assert len(started) == 1, "one intervention per case"
    today = dt.date.today()
    done = record_intervention(engine, business_key, today)
    assert_recorded(engine, registers, business_key, done, today)


def test_r_7_1_bad_input_goes_back_with_dutch_reasons_and_does_not_move_on(engine, workers, business_key, registers):
    to_decision(engine, business_key, "without_police_data")
    # No strategy chosen.
    first = complete(engine, business_key, "Task_InterventionStrategy", {"interventionStrategy": STRATEGY["interventionStrategy"]})
    message = sent_back(engine, business_key, "Task_InterventionStrategy", first)
    assert message == "- Vul 'Interventies' in.", message
    # "Anders" without saying what.
    second = complete(engine, business_key, "Task_InterventionStrategy",
                      {**STRATEGY, "interventionMeasures": ["anders"], "interventionOtherDescription": ""}, previous=first["id"])
    message = sent_back(engine, business_key, "Task_InterventionStrategy", second)
    assert "Anders" in message, message
    complete(engine, business_key, "Task_InterventionStrategy", STRATEGY, previous=second["id"])
    # A date in the future, then one before the case began.
    future = complete(engine, business_key, "Task_InterventionCarriedOut",
                      {"interventionCarriedOutOn": (dt.date.today() + dt.timedelta(days=3)).isoformat()})
    message = sent_back(engine, business_key, "Task_InterventionCarriedOut", future)
    assert "toekomst" in message, message
    early = complete(engine, business_key, "Task_InterventionCarriedOut", {"interventionCarriedOutOn": "2001-01-01"},
                     previous=future["id"])
    message = sent_back(engine, business_key, "Task_InterventionCarriedOut", early)
    assert "vóór de start van de casus" in message, message
    # Nothing recorded while the input was wrong, and the process waits at the task.
    assert intervention.get(registers, business_key) is None
    running = engine.client().get("process-instance", processDefinitionKey="riec-intervention", businessKey=business_key)
    assert len(running) == 1
    today = dt.date.today()
    complete(engine, business_key, "Task_InterventionCarriedOut", {"interventionCarriedOutOn": today.isoformat()},
             previous=early["id"])
    done = at_decision(engine, business_key)
    assert_recorded(engine, registers, business_key, done, today)
