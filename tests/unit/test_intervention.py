"""Tiers 1-2 of the intervention topics (riec.handlers.intervention): plain functions on real registers. Rule: R-7.1."""
from __future__ import annotations

import datetime as dt

import pytest

from riec import intervention
from riec.casework import DuePeriods
from riec.compliance import db
from riec.formcheck import dutch_problems
from riec.handlers import registry
from riec.handlers.intervention import (
    CarriedOutSubmitted, RecordInput, StartInput, record_intervention, start_intervention, validate_carried_out,
)
from riec.runtime import BpmnError
from riec.settings import Settings
from tests.unit.test_case_handlers import FakeCamunda

TODAY = dt.date.today()
PERIODS = DuePeriods.from_settings(Settings())


@pytest.fixture
def database(tmp_path):
    database = (getattr(db, "open_database", None) or getattr(db, "make_engine"))(f"sqlite:///{tmp_path / 'r.sqlite'}")
    db.migrate(database)
    return database


def test_every_intervention_topic_is_served():
    assert {"intervention-start", "validate-intervention-strategy", "validate-intervention-carried-out",
            "intervention-record"} <= set(registry.names())


def test_r_7_1_start_sends_the_case_key_and_region_once():
    case = StartInput.model_validate({"businessKey": "SIG-1", "tenant_id": "riec-noord", "caseOutcome": "provided",
                                      "caseStartedOn": "2026-01-05", "dueRiecAnalyst": "P5D"})
    camunda = FakeCamunda()
    start_intervention(case, camunda=camunda, due_periods=PERIODS)
    [(path, body)] = camunda.posts
    assert path == "message" and body["messageName"] == "riec-intervention-start" and body["businessKey"] == "SIG-1"
    variables = {k: v["value"] for k, v in body["processVariables"].items()}
    assert variables == {"caseKey": "SIG-1", "region": "riec-noord", "caseOutcome": "provided",
                         "caseStartedOn": "2026-01-05", "dueRiecAnalyst": "P5D"}
    older = StartInput.model_validate({"businessKey": "SIG-2", "tenant_id": "riec-noord"})
    camunda = FakeCamunda()
    start_intervention(older, camunda=camunda, due_periods=PERIODS)
    assert camunda.posts[0][1]["processVariables"]["dueRiecAnalyst"]["value"] == PERIODS.due_riec_analyst
    already = FakeCamunda({"process-instance": [{"id": "x"}]})
    start_intervention(case, camunda=already, due_periods=PERIODS)
    assert already.posts == [], "a redelivery does not start a second intervention"


@pytest.mark.parametrize("values, words", [
    ({}, "Vul 'Datum uitgevoerd' in."),
    ({"interventionCarriedOutOn": "29-11-2026"}, "geen geldige datum"),
    ({"interventionCarriedOutOn": (TODAY + dt.timedelta(days=1)).isoformat()}, "toekomst"),
    ({"interventionCarriedOutOn": "2020-01-01", "caseStartedOn": "2021-03-04"}, "vóór de start van de casus (2021-03-04)"),
])
def test_r_7_1_carried_out_date_refused_with_dutch_reasons(values, words):
    with pytest.raises(BpmnError) as caught:
        validate_carried_out(CarriedOutSubmitted.model_validate(values))
    assert caught.value.code == "INPUT_INVALID"
    assert words in caught.value.variables["validationMessage"], caught.value.variables


def test_r_7_1_carried_out_today_or_on_the_start_day_is_accepted():
    assert validate_carried_out(CarriedOutSubmitted.model_validate(
        {"interventionCarriedOutOn": TODAY.isoformat(), "caseStartedOn": TODAY.isoformat()}))["inputValid"] is True


@pytest.mark.parametrize("values, valid", [
    ({"interventionMeasures": ["strafrechtelijk"], "interventionStrategy": "OM vervolgt, gemeente volgt."}, True),
    ({"interventionMeasures": '["fiscaal"]', "interventionStrategy": "Naheffing door de Belastingdienst."}, True),
    ({"interventionMeasures": [], "interventionStrategy": "OM vervolgt, gemeente volgt."}, False),
    ({"interventionMeasures": ["anders"], "interventionStrategy": "Zie de omschrijving hieronder."}, False),
    ({"interventionMeasures": ["anders"], "interventionOtherDescription": "Gesprek met de eigenaar van het pand.",
      "interventionStrategy": "Zie de omschrijving hieronder."}, True),
    ({"interventionMeasures": ["onbekend"], "interventionStrategy": "OM vervolgt, gemeente volgt."}, False),
])
def test_r_7_1_strategy_needs_a_measure_and_describes_anders(values, valid):
    model, problems = dutch_problems(intervention.InterventionStrategy, values)
    assert (model is not None) is valid, problems


def test_r_7_1_record_stores_once_and_sets_the_date(database):
    data = RecordInput.model_validate({"businessKey": "SIG-9", "tenant_id": "riec-noord",
                                       "interventionMeasures": ["bestuurlijk"], "interventionStrategy": "Sluiting van het pand.",
                                       "interventionCarriedOutOn": "2026-02-03"})
    out = record_intervention(data, database=database)
    assert out.model_dump(by_alias=True) == {"interventionCarriedOutOn": "2026-02-03", "interventionRecorded": True}
    again = record_intervention(data.model_copy(update={"intervention_carried_out_on": dt.date(2026, 2, 4)}), database=database)
    assert again.intervention_carried_out_on == "2026-02-03", "a redelivery finds the stored row"
    row = intervention.get(database, "SIG-9")
    assert row.region == "riec-noord" and row.carried_out_on == dt.date(2026, 2, 3)
    with db.read_transaction(database) as conn:
        assert len(conn.execute(db.intervention.select()).fetchall()) == 1
