"""The anonymisation decision and its record (riec.anonymisation, topics of riec.handlers.intervention). Rule: R-7.2.

Only what the partners' timely decision allows survives, and only anonymised: the record's model admits the
whitelist alone (closed value types, no case key), the table has exactly those columns, and every value is
compared with the case's identifying values before anything is stored (docs/anonymisation.md).
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
from pydantic import ValidationError

from riec import anonymisation as an
from riec.compliance import db
from riec.compliance.provision_register import EntryKind, iter_entries, verify_chain
from riec.handlers import registry
from riec.handlers.intervention import (
    AnonymisationInput, DecisionSubmitted, record_anonymisation, validate_anonymisation_decision,
)
from riec.runtime import BpmnError
from tests.unit.test_case_handlers import FakeCamunda

TODAY = dt.date.today()
DUE = TODAY + dt.timedelta(days=10)
KEEP = {"anonymisationDecision": "keep_anonymised", "anonymisationPurpose": "statistiek",
        "anonymisedFields": [f.value for f in an.KeptField], "anonymisationDecidedOn": TODAY.isoformat(),
        "policeUnitConsulted": True, "policeUnitConsultedOn": TODAY.isoformat()}
#: What the engine's history holds about the case (the README's example signal).
HISTORY = [{"name": n, "type": "String", "value": v} for n, v in {
    "subjectName": "Jan de Vries", "dateOfBirth": "1979-04-02", "street": "Herestraat", "houseNumber": "12",
    "houseNumberSuffix": "a", "postcode": "9711 LM", "city": "Groningen", "kvkNumber": "12345678",
    "signalDescription": "Pand wordt contant gekocht via wisselende stromannen.",
}.items()] + [{"name": "persons", "type": "Json", "value": json.dumps([{"ref": "P-1", "category": "a"}])}]


@pytest.fixture
def database(tmp_path):
    database = db.open_database(f"sqlite:///{tmp_path / 'r.sqlite'}")
    db.migrate(database)
    return database


def case_input(**over) -> AnonymisationInput:
    return AnonymisationInput.model_validate({
        **KEEP, "businessKey": "SIG-A1", "tenantId": "riec-noord", "destructionDueOn": DUE.isoformat(),
        "caseOutcome": "provided", "caseStartedOn": "2026-08-03", "interventionCarriedOutOn": "2026-10-30",
        "interventionMeasures": ["bestuurlijk", "anders"], "caseKey": "SIG-A1",
        "caseProfile": json.dumps({"phenomenon": "real_estate_fraud", "personsByCategory": {"a": 1, "b": 0, "c": 2},
                                   "dataCategories": ["art9"]}), **over})


def engine_with_history() -> FakeCamunda:
    return FakeCamunda({"history/process-instance": [{"id": "pi-1"}, {"id": "pi-2"}], "history/variable-instance": HISTORY})


def test_the_topics_are_served():
    assert {"validate-anonymisation-decision", "anonymisation-record", "retention-warning"} <= set(registry.names())


def test_r_7_2_record_model_admits_only_the_whitelist():
    assert set(an.AnonymisedRecord.model_fields) == {"purpose", "region", "phenomenon", "quarter", "persons_a", "persons_b",
                                                    "persons_c", "data_categories", "outcome", "measures", "duration_weeks"}
    for smuggled in ({"subject_name": "Jan de Vries"}, {"case_key": "SIG-1"}, {"note": "vrije tekst"}):
        with pytest.raises(ValidationError):
            an.AnonymisedRecord.model_validate({"purpose": "statistiek", **smuggled})
    for wrong in ({"quarter": "2026-11-29"}, {"region": "Groningen"}, {"phenomenon": "Jan de Vries"},
                  {"persons_a": "1"}, {"duration_weeks": 3.5}, {"measures": ["een verhaal"]}):
        with pytest.raises(ValidationError):
            an.AnonymisedRecord.model_validate({"purpose": "statistiek", **wrong})


def test_r_7_2_table_has_exactly_the_whitelisted_columns_and_no_case_key():
    assert tuple(c.name for c in db.anonymised_record.columns) == an.RECORD_COLUMNS
    assert "case_key" not in an.RECORD_COLUMNS


def test_r_7_2_anonymise_keeps_only_what_the_decision_allows():
    facts = an.CaseFacts(region="riec-noord", phenomenon="fraud", case_started_on=dt.date(2026, 8, 3),
                         carried_out_on=dt.date(2026, 10, 30), persons_by_category={"a": 1, "c": 2},
                         data_categories=["art9", "Jan"], outcome="provided", measures=["fiscaal"])
    full = an.anonymise(facts, list(an.KeptField), an.AnonymisationPurpose.SCIENCE)
    assert full.model_dump(mode="json") == {
        "purpose": "wetenschap", "region": "riec-noord", "phenomenon": "fraud", "quarter": "2026-K3", "persons_a": 1,
        "persons_b": 0, "persons_c": 2, "data_categories": ["art9"], "outcome": "provided", "measures": ["fiscaal"],
        "duration_weeks": 13}
    some = an.anonymise(facts, [an.KeptField.PHENOMENON], an.AnonymisationPurpose.STATISTICS)
    assert {k for k, v in some.model_dump().items() if v is not None} == {"purpose", "phenomenon"}


def test_r_7_2_comparison_finds_an_identifying_value():
    identifying = an.identifying_values({v["name"]: v["value"] for v in HISTORY} | {"persons": HISTORY[-1]["value"]}, "SIG-A1")
    assert {"jan de vries", "herestraat 12a", "9711 lm", "1979-04-02", "p-1", "sig-a1"} <= identifying
    clean = an.AnonymisedRecord(purpose="statistiek", region="riec-noord", persons_a=12, quarter="2026-K3")
    assert an.identifying_hits(clean, identifying) == [], "a count equal to a house number is not a hit"
    assert an.identifying_hits(clean, identifying | {"2026-k3"}) == ["2026-K3"]


@pytest.mark.parametrize("over, words", [
    ({"anonymisationDecision": None}, "Vul 'Besluit van de RIEC-partners' in."),
    ({"anonymisationPurpose": None}, "Doel van het bewaren"),
    ({"anonymisedFields": []}, "ten minste één gegeven"),
    ({"anonymisedFields": ["subject_name"]}, "Wat geanonimiseerd bewaard blijft"),
    ({"anonymisationDecidedOn": DUE.isoformat()}, "vóór de vernietigingsdatum"),
    ({"anonymisationDecidedOn": (TODAY + dt.timedelta(days=1)).isoformat()}, "toekomst"),
    ({"policeUnitConsulted": False, "policeUnitConsultedOn": None}, "in overleg met de verstrekkende politie-eenheid"),
    ({"policeUnitConsultedOn": None}, "Datum overleg met de politie-eenheid"),
    ({"policeUnitConsultedOn": (TODAY + dt.timedelta(days=1)).isoformat()}, "na de 'Datum besluit'"),
])
def test_r_7_2_decision_refused_with_dutch_reasons(over, words):
    values = {k: v for k, v in {**KEEP, **over}.items() if v is not None}
    with pytest.raises(BpmnError) as caught:
        validate_anonymisation_decision(DecisionSubmitted.model_validate(
            {**values, "destructionDueOn": DUE.isoformat(), "caseOutcome": "provided"}))
    assert caught.value.code == "INPUT_INVALID"
    assert words in caught.value.variables["validationMessage"], caught.value.variables


def test_r_7_2_valid_decisions_pass():
    assert validate_anonymisation_decision(DecisionSubmitted.model_validate(
        {**KEEP, "destructionDueOn": DUE.isoformat(), "caseOutcome": "provided"}))["inputValid"] is True
    nothing = {"anonymisationDecision": "destroy_all", "anonymisationDecidedOn": TODAY.isoformat()}
    assert validate_anonymisation_decision(DecisionSubmitted.model_validate(
        {**nothing, "destructionDueOn": DUE.isoformat()}))["inputValid"] is True
    # Without police data there is no providing unit to consult.
    alone = {**KEEP, "policeUnitConsulted": False, "policeUnitConsultedOn": None}
    assert validate_anonymisation_decision(DecisionSubmitted.model_validate(
        {**alone, "destructionDueOn": DUE.isoformat(), "caseOutcome": "without_police_data"}))["inputValid"] is True


def test_r_7_2_record_stores_the_anonymised_record_and_one_register_entry_once(database):
    out = record_anonymisation(case_input(), database=database, camunda=engine_with_history())
    assert out.anonymisation_kept is True and out.anonymisation_ref
    again = record_anonymisation(case_input(), database=database, camunda=engine_with_history())
    assert again.anonymisation_ref == out.anonymisation_ref, "a redelivery finds the entry"
    [stored] = an.stored_records(database)
    assert {k: v for k, v in stored.items() if k != "id"} == {
        "purpose": "statistiek", "region": "riec-noord", "phenomenon": "real_estate_fraud", "quarter": "2026-K3",
        "persons_a": 1, "persons_b": 0, "persons_c": 2, "data_categories": '["art9"]', "outcome": "provided",
        "measures": '["anders", "bestuurlijk"]', "duration_weeks": 13}
    text = json.dumps(stored, default=str).lower()
    for identifying in ("jan de vries", "herestraat", "9711", "1979-04-02", "12345678", "sig-a1", "p-1", "2026-08-03",
                        "2026-10-30", "stromannen"):
        assert identifying not in text, f"the stored record holds {identifying!r}"
    [entry] = [e for e in iter_entries(database, case_id="SIG-A1")]
    assert entry.entry.kind is EntryKind.ANONYMISATION and entry.entry.rule_ids == ("R-7.2",)
    assert entry.entry.outcome.value == "allowed" and "kept:phenomenon" in entry.entry.reason_codes
    assert stored["id"] not in entry.model_dump_json(), "the register does not link the record to the case"
    assert verify_chain(database).ok


@pytest.mark.parametrize("over, code", [
    ({"anonymisationDecision": "destroy_all"}, "R-7.2:nothing_kept"),
    ({"anonymisationDecidedOn": DUE.isoformat()}, None),  # no longer valid: nothing kept
])
def test_r_7_2_nothing_survives_without_a_valid_decision_to_keep(database, over, code):
    out = record_anonymisation(case_input(**over), database=database, camunda=engine_with_history())
    assert out.anonymisation_kept is False and out.anonymisation_ref == ""
    assert an.stored_records(database) == []
    [entry] = list(iter_entries(database, case_id="SIG-A1"))
    assert entry.entry.outcome.value == "refused"
    if code:
        assert code in entry.entry.reason_codes


def test_r_7_2_a_value_matching_the_case_keeps_nothing(database):
    history = HISTORY + [{"name": "caseSummary", "type": "String", "value": "real_estate_fraud"}]
    camunda = FakeCamunda({"history/process-instance": [{"id": "pi-1"}], "history/variable-instance": history})
    out = record_anonymisation(case_input(), database=database, camunda=camunda)
    assert out.anonymisation_kept is False and an.stored_records(database) == []
    [entry] = list(iter_entries(database, case_id="SIG-A1"))
    assert "R-7.2:identifying_value" in entry.entry.reason_codes
