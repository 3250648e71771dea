"""Tiers 1-2 of the intervention topics (riec.handlers.intervention): plain functions on real registers. Rule: R-7.1."""
from __future__ import annotations

import datetime as dt

import pytest

from riec import dutch_time, intervention
from riec.casework import DuePeriods
from riec.compliance import db
from riec.formcheck import dutch_problems
from riec.handlers import registry
from riec.handlers.intervention import (
    CarriedOutSubmitted, RecordInput, RetentionWarningInput, StartInput, record_intervention, start_intervention,
    validate_carried_out, warn_retention,
)
from riec.notifications import RecordedNotifications
from riec.retention import RetentionTerms
from riec.runtime import BpmnError
from riec.settings import Settings
from tests.unit.test_case_handlers import FakeCamunda

TODAY = dt.date.today()
PERIODS = DuePeriods.from_settings(Settings())
TERMS = RetentionTerms(destruction_grace_days=14, max_retention_days=365, retention_warning_days=30, anonymisation_lead_days=7)


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
    start_intervention(case, camunda=camunda, due_periods=PERIODS, retention=TERMS)
    [(path, body)] = camunda.posts
    assert path == "message" and body["messageName"] == "riec-intervention-start" and body["businessKey"] == "SIG-1"
    variables = {k: v["value"] for k, v in body["processVariables"].items()}
    today = dutch_time.today()
    assert variables == {"caseKey": "SIG-1", "region": "riec-noord", "caseOutcome": "provided",
                         "caseStartedOn": "2026-01-05", "dueRiecAnalyst": "P5D",
                         "maxRetentionAt": intervention.timer_at(today + dt.timedelta(days=365)),
                         "retentionWarningAt": intervention.timer_at(today + dt.timedelta(days=335)),
                         "caseProfile": '{"phenomenon": "", "personsByCategory": {"a": 0, "b": 0, "c": 0}, "dataCategories": []}'}
    older = StartInput.model_validate({"businessKey": "SIG-2", "tenant_id": "riec-noord"})
    camunda = FakeCamunda()
    start_intervention(older, camunda=camunda, due_periods=PERIODS, retention=TERMS)
    assert camunda.posts[0][1]["processVariables"]["dueRiecAnalyst"]["value"] == PERIODS.due_riec_analyst
    already = FakeCamunda({"process-instance": [{"id": "x"}]})
    start_intervention(case, camunda=already, due_periods=PERIODS, retention=TERMS)
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
    out = record_intervention(data, database=database, retention=TERMS)
    assert out.model_dump(by_alias=True) == {
        "interventionCarriedOutOn": "2026-02-03", "interventionRecorded": True,
        # the grace period (RIEC_DESTRUCTION_GRACE_DAYS) later; the timer at the start of that day in Amsterdam.
        "destructionDueOn": "2026-02-17", "destructionDueAt": "2026-02-17T00:00:00+01:00",
        # the decision is due RIEC_ANONYMISATION_LEAD_DAYS before, by the end of that day.
        "anonymisationDueAt": "2026-02-10T23:59:00+01:00"}
    again = record_intervention(data.model_copy(update={"intervention_carried_out_on": dt.date(2026, 2, 4)}), database=database,
                                retention=TERMS)
    assert again.intervention_carried_out_on == "2026-02-03", "a redelivery finds the stored row"
    row = intervention.get(database, "SIG-9")
    assert row.region == "riec-noord" and row.carried_out_on == dt.date(2026, 2, 3)
    with db.read_transaction(database) as conn:
        assert len(conn.execute(db.intervention.select()).fetchall()) == 1


def test_r_7_1_grace_period_comes_from_the_setting(database, monkeypatch):
    monkeypatch.setenv("RIEC_DESTRUCTION_GRACE_DAYS", "0")
    terms = RetentionTerms.from_settings(Settings())
    data = RecordInput.model_validate({"businessKey": "SIG-10", "interventionMeasures": ["fiscaal"],
                                       "interventionStrategy": "Naheffing door de Belastingdienst.",
                                       "interventionCarriedOutOn": "2026-07-01"})
    out = record_intervention(data, database=database, retention=terms)
    assert out.destruction_due_on == "2026-07-01" and out.destruction_due_at == "2026-07-01T00:00:00+02:00"


def test_r_7_2_start_passes_counts_and_enum_values_only():
    case = StartInput.model_validate({
        "businessKey": "SIG-3", "tenant_id": "riec-noord", "phenomenon": "fraud", "dataCategories": '["art9", "art10_1a"]',
        "persons": [{"ref": "P-1", "category": "a", "motivation": "Hoofdverdachte van de fraude."},
                    {"ref": "P-2", "category": "c", "motivation": "Zakenpartner van P-1 in het pand."},
                    {"ref": "P-3", "category": "victim", "motivation": "Slachtoffer, niet verstrekt."}],
        "includedPersonRefs": ["P-1", "P-2"]})
    camunda = FakeCamunda()
    start_intervention(case, camunda=camunda, due_periods=PERIODS, retention=TERMS)
    profile = camunda.posts[0][1]["processVariables"]["caseProfile"]
    assert profile["type"] == "Json"
    assert "P-1" not in profile["value"] and "Hoofdverdachte" not in profile["value"], "persons are counted, not copied"
    assert profile["value"] == '{"phenomenon": "fraud", "personsByCategory": {"a": 1, "b": 0, "c": 1}, "dataCategories": ["art10_1a", "art9"]}'


def test_r_7_1_retention_warning_tells_analysts_and_privacy_officer_once_each(database):
    notifier = RecordedNotifications(database)
    data = RetentionWarningInput.model_validate({"businessKey": "SIG-4", "tenant_id": "riec-noord",
                                                 "maxRetentionAt": "2027-01-05T00:00:00+01:00", "taskKey": "pi/act"})
    warn_retention(data, notifier=notifier)
    warn_retention(data, notifier=notifier)  # a redelivery
    sent = notifier.for_case("SIG-4")
    assert sorted(n.recipient_group for n in sent) == ["privacy-officer", "riec-analyst"]
    assert all("2027-01-05" in n.text_nl and "SIG-4" in n.text_nl for n in sent)


@pytest.mark.parametrize("variables, outcome", [
    ({"caseDecision": "without_police_data"}, "without_police_data"),
    ({"caseDecision": "request", "policeDecision": "provide"}, "provided"),
    ({"caseOutcome": "provided", "caseDecision": "request"}, "provided"),
])
def test_r_7_2_start_knows_the_outcome_before_the_case_ends(variables, outcome):
    camunda = FakeCamunda()
    start_intervention(StartInput.model_validate({"businessKey": "SIG-5", **variables}), camunda=camunda,
                       due_periods=PERIODS, retention=TERMS)
    assert camunda.posts[0][1]["processVariables"]["caseOutcome"]["value"] == outcome
