"""Art. 4, phases 4-6 on the real engine: from a hit to a decided request, every role with its own login.

The case process (RIEC) and the police's request process run with real workers;
each user task is claimed and completed through REST by the demo user of its
role (tests/integration/case_steps.py). Rules: R-2, R-3.1, R-3.2, R-4.1,
R-4.1-own, R-4.1-refuse, R-4.2, R-5.1a, R-5.1e, R-8.
"""
from __future__ import annotations

import pytest

from riec.compliance import db, necessity
from riec.compliance.provision_register import EntryKind, iter_entries
from riec.notifications import RecordedNotifications
from riec.runtime.variables import to_camunda_map
from tests.integration.case_steps import (
    PERSONS, WITNESS, WORK_UP, gather, case_outcome, complete, incidents_of, police_decides, police_outcome, start_case, to_decision,
    to_request, wait_task,
)
from tests.integration.engine import wait_until
from tests.integration.vault_steps import upload_package

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def registers(engine):
    database = (getattr(db, "open_database", None) or getattr(db, "make_engine"))(engine.settings.effective_database_url)
    yield database


def decided(instance: dict) -> list[str]:
    """The end events an instance reached, without the overdue notices' own ends."""
    return [e for e in instance["endActivityIds"] if not e.startswith("EndEvent_Notified")]


def activities(engine, process_instance_id: str) -> list[str]:
    return [a["activityId"] for a in engine.client().get("history/activity-instance", processInstanceId=process_instance_id)]


def entries(registers, key: str) -> list:
    return [e.entry for e in iter_entries(registers, case_id=key)]


def assert_provided(engine, key: str) -> dict:
    upload_package(engine, key)  # issue 10: the police process waits for its package in the data vault
    police = police_outcome(engine, key)
    assert decided(police) == ["EndEvent_Provide"]
    case = case_outcome(engine, key)
    assert decided(case) == ["EndEvent_CaseProvided"]
    assert case["variables"]["caseOutcome"] == "provided"
    assert case["variables"]["policeDecision"] == "provide"
    assert incidents_of(engine, key) == []
    return case


def assert_refused(engine, key: str, rule: str, words: str) -> dict:
    police = police_outcome(engine, key)
    assert decided(police) == ["EndEvent_Refuse"]
    case = case_outcome(engine, key)
    assert decided(case) == ["EndEvent_CaseRefused"]
    assert case["variables"]["caseOutcome"] == "refused"
    assert rule in case["variables"]["refusalRuleIds"], case["variables"]["refusalRuleIds"]
    assert words in case["variables"]["refusalReasonNl"], case["variables"]["refusalReasonNl"]
    assert incidents_of(engine, key) == []
    return case


# --------------------------------------------------------------------------- provide


def test_r_5_1e_r_4_2_art9_request_provided_after_consent_witness_filtered_and_recorded(engine, workers, business_key, registers):
    to_request(engine, business_key, ["art9"], persons=[*PERSONS, WITNESS])
    police_decides(engine, business_key, case_prosecutor="given")
    case = assert_provided(engine, business_key)
    assert case["variables"]["includedPersonRefs"] == ["P-1", "P-2"]
    assert case["variables"]["filteredPersonRefs"] == ["P-3"]
    recorded = entries(registers, business_key)
    kinds = [e.kind for e in recorded]
    assert kinds[0] is EntryKind.NECESSITY_ASSESSMENT, "R-5.1a: the assessment precedes everything"
    # Recorded by the automated checks (and again by the provision itself, issue 10).
    filtered = [e for e in recorded if e.kind is EntryKind.PERSONS_FILTERED]
    assert filtered and {e.person_refs for e in filtered} == {("P-3",)} and filtered[0].rule_ids == ("R-4.2",)
    assert filtered[0].actor == "police-checks"
    assert {EntryKind.CONSULTATION, EntryKind.CONSENT, EntryKind.PROVISION_DECIDED} <= set(kinds)
    decided = next(e for e in recorded if e.kind is EntryKind.PROVISION_DECIDED)
    assert decided.person_refs == ("P-1", "P-2") and decided.assessment_id == case["variables"]["necessityAssessmentRef"]
    # R-5.1a: only the assessment's reference travelled; its text lives in its register.
    assert necessity.latest(registers, business_key).id == case["variables"]["necessityAssessmentRef"]


def test_r_5_1e_art10_request_provided_after_cie_consent_only(engine, workers, business_key):
    to_request(engine, business_key, ["art10_1a"])
    police_decides(engine, business_key, cie_prosecutor="given")
    assert_provided(engine, business_key)
    asked = activities(engine, police_outcome(engine, business_key)["id"])
    assert "Task_ConsentCieProsecutor" in asked
    assert "Task_ConsentCaseProsecutor" not in asked, "art. 10(1)(a) data alone do not ask the case prosecutor"


def test_r_5_1e_both_data_types_need_both_consents_in_parallel_and_overdue_notifies(engine, workers, business_key, registers):
    to_request(engine, business_key, ["art9", "art10_1a"])
    judgement = wait_task(engine, business_key, "Task_Judgement")
    # Configuration sets the due periods (RIEC_DUE_*); shorten the CIE prosecutor's for this case.
    engine.client().rest("PUT", f"process-instance/{judgement['processInstanceId']}/variables/dueCieProsecutor",
                         json={"value": "PT1S", "type": "String"})
    complete(engine, business_key, "Task_Judgement", {"relevantDataExist": "yes", "opposingInterest": "none"})
    complete(engine, business_key, "Task_Consult210", {"officer210Advice": "in_favour", "officer210Remarks": ""})
    case_task = wait_task(engine, business_key, "Task_ConsentCaseProsecutor")
    cie_task = wait_task(engine, business_key, "Task_ConsentCieProsecutor")
    assert case_task["due"] and cie_task["due"], "every task has a due date"
    notices = wait_until(lambda: [n for n in RecordedNotifications(registers).for_case(business_key) if n.kind == "overdue"],
                         90, what="overdue notification")
    assert [(n.recipient_group, n.task_ref) for n in notices] == [("cie-prosecutor", "Task_ConsentCieProsecutor")]
    # Issue 10: the police unit, the 2:10 officer and both prosecutors were told their task waits, once each.
    waiting = sorted((n.kind, n.recipient_group) for n in RecordedNotifications(registers).for_case(business_key) if n.kind != "overdue")
    assert waiting == [("consent_waiting", "case-prosecutor"), ("consent_waiting", "cie-prosecutor"),
                       ("consultation_waiting", "police-data-officer"), ("request_arrived", "police-unit")]
    assert business_key in notices[0].text_nl and "Jan" not in notices[0].text_nl
    complete(engine, business_key, "Task_ConsentCaseProsecutor", {"caseProsecutorConsent": "given"})
    complete(engine, business_key, "Task_ConsentCieProsecutor", {"cieProsecutorConsent": "given"})
    assert_provided(engine, business_key)
    consents = [e for e in entries(registers, business_key) if e.kind is EntryKind.CONSENT]
    assert len(consents) == 2


# --------------------------------------------------------------------------- refuse, for each reason


def test_r_4_1_refuse_no_relevant_data(engine, workers, business_key):
    to_request(engine, business_key, ["art9"])
    police_decides(engine, business_key, judgement={"relevantDataExist": "no", "opposingInterest": "none"})
    assert_refused(engine, business_key, "R-4.1-refuse", "niet over relevante gegevens")


def test_r_4_1_refuse_weighty_investigative_interest_explained(engine, workers, business_key):
    to_request(engine, business_key, ["art9"])
    police_decides(engine, business_key, judgement={
        "relevantDataExist": "yes", "opposingInterest": "investigative_interest",
        "refusalExplanation": "Er loopt een opsporingsonderzoek dat door verstrekking wordt geschaad."})
    case = assert_refused(engine, business_key, "R-4.1-refuse", "zwaarwegend opsporingsbelang")
    assert "Toelichting: Er loopt een opsporingsonderzoek" in case["variables"]["refusalReasonNl"]


def test_r_4_1_refuse_weighty_interest_without_explanation_records_why(engine, workers, business_key, registers):
    to_request(engine, business_key, ["art9"])
    police_decides(engine, business_key, judgement={
        "relevantDataExist": "yes", "opposingInterest": "investigative_interest", "explanationImpossible": True,
        "explanationImpossibleReason": "Een toelichting zou het bestaan van het onderzoek prijsgeven."})
    case = assert_refused(engine, business_key, "R-4.1-refuse", "Een nadere toelichting is in dit geval niet mogelijk.")
    assert "prijsgeven" not in case["variables"]["refusalReasonNl"], "the reason stays with the police"
    refusal = next(e for e in entries(registers, business_key) if e.kind is EntryKind.REFUSAL)
    assert "R-4.1-refuse:explanation_impossible" in refusal.reason_codes


def test_r_5_1e_refuse_after_2_10_advice_against(engine, workers, business_key):
    to_request(engine, business_key, ["art9"])
    police_decides(engine, business_key, advice="against")
    assert_refused(engine, business_key, "R-5.1e", "negatief")


def test_r_5_1e_refuse_case_prosecutor_withholds_consent(engine, workers, business_key):
    to_request(engine, business_key, ["art9"])
    police_decides(engine, business_key, case_prosecutor="withheld")
    assert_refused(engine, business_key, "R-5.1e", "zaaksofficier")


def test_r_5_1e_refuse_cie_prosecutor_withholds_consent(engine, workers, business_key):
    to_request(engine, business_key, ["art9", "art10_1a"])
    police_decides(engine, business_key, case_prosecutor="given", cie_prosecutor="withheld")
    assert_refused(engine, business_key, "R-5.1e", "CIE-officier")


def test_r_2_refuse_out_of_scope_data_type_before_anyone_judges(engine, workers, business_key):
    to_request(engine, business_key, ["art9", "art13"])
    case = assert_refused(engine, business_key, "R-2", "art. 13 Wpg")
    asked = activities(engine, police_outcome(engine, business_key)["id"])
    assert "Task_Judgement" not in asked, "a failed automated check ends in a refusal before the unit judges"
    assert case["variables"]["refusalRuleIds"] == ["R-2"]


def test_r_8_refuse_decision_date_outside_every_legal_basis(engine, workers, business_key):
    # The request as the RIEC's worker sends it, dated on a day no registered basis covers
    # (the 2013 decree ended 2014-12-31, the WGS began 2025-03-01).
    variables = {"caseKey": business_key, "region": "riec-noord", "ownInitiative": False, "purpose": "case_analysis",
                 "compatibleAims": ["crime"], "phenomenon": "money_laundering", "phenomenonDescription": "",
                 "partnerIds": ["gem-groningen"], "persons": PERSONS, "dataCategories": ["art9"],
                 "recipientIds": ["nn-groningen-analist"], "necessityAssessmentRef": "na-none", "decisionDate": "2016-06-01"}
    engine.client().post("message", {"messageName": "riec-police-request", "businessKey": business_key,
                                     "processVariables": to_camunda_map(variables)})
    police = police_outcome(engine, business_key)
    assert decided(police) == ["EndEvent_Refuse"]
    assert "R-8" in police["variables"]["refusalRuleIds"]
    assert "geen geregistreerde wettelijke grondslag" in police["variables"]["refusalReasonNl"]


# --------------------------------------------------------------------------- the case decision


def test_r_4_1_no_indications_closes_the_case(engine, workers, business_key):
    to_decision(engine, business_key, "closed")
    case = case_outcome(engine, business_key)
    assert decided(case) == ["EndEvent_CaseClosed"] and case["variables"]["caseOutcome"] == "closed"
    assert engine.client().get("history/process-instance", processInstanceBusinessKey=business_key,
                               processDefinitionKey="police-request") == []


def test_r_4_1_no_need_goes_to_case_analysis_without_police_data(engine, workers, business_key):
    to_decision(engine, business_key, "without_police_data")
    case = case_outcome(engine, business_key)
    assert decided(case) == ["EndEvent_WithoutPoliceData"]
    assert case["variables"]["caseOutcome"] == "without_police_data"
    assert engine.client().get("history/process-instance", processInstanceBusinessKey=business_key,
                               processDefinitionKey="police-request") == []


# --------------------------------------------------------------------------- the police's own initiative


def test_r_4_1_own_police_own_initiative_joins_an_existing_case(engine, workers, business_key, registers):
    # A running case, worked up (its partners chosen), waiting for the analyst's decision.
    start_case(engine, business_key)
    gather(engine, business_key)
    complete(engine, business_key, "Task_WorkUp", WORK_UP)
    wait_task(engine, business_key, "Task_CaseDecision")
    police = engine.client("politie")
    definition = police.get("process-definition/key/police-request")
    # A case number that does not exist first: the unit is asked to correct it (R-4.1-own).
    started = police.post(f"process-definition/{definition['id']}/submit-form", {"variables": to_camunda_map(
        {"caseKey": "SIG-BESTAAT-NIET", "ownInitiativeReason": "Nieuwe informatie over de betrokkenen."})})
    own_key = f"EI-{started['id']}"
    correct = wait_until(lambda: next(iter(engine.client().get("task", processInstanceId=started["id"],
                                                                  taskDefinitionKey="Task_CorrectOwnInitiative")), None),
                         60, what="Task_CorrectOwnInitiative")
    message = engine.client().get(f"task/{correct['id']}/variables/ownInitiativeMessage")["value"]
    assert "bestaande casus" in message
    police.post(f"task/{correct['id']}/claim", {"userId": "politie"})
    police.post(f"task/{correct['id']}/complete", {"variables": to_camunda_map(
        {"caseKey": business_key, "ownInitiativeReason": "Nieuwe informatie over de betrokkenen.", "ownInitiativeWithdraw": False})})
    # Linked: the instance now carries the case key, and runs the same path as a request.
    complete(engine, business_key, "Task_OwnInitiativeDetails", {
        "dataCategories": ["art9"], "persons": PERSONS, "recipientIds": ["nn-groningen-analist"],
        "necessity": "Zonder deze gegevens kan de gemeente de vergunning niet beoordelen.",
        "proportionality": "Alleen de twee betrokken personen en alleen art. 9-gegevens.",
        "subsidiarity": "Andere bronnen van de gemeente geven dit beeld niet.", "necessityConclusion": True})
    police_decides(engine, business_key, case_prosecutor="given")
    upload_package(engine, business_key)  # issue 10: the package in the data vault
    police_end = police_outcome(engine, business_key)
    assert decided(police_end) == ["EndEvent_Provide"] and police_end["id"] == started["id"]
    assert own_key != business_key
    case_instance = engine.client().get("process-instance", businessKey=business_key, processDefinitionKey="riec-case")[0]
    recorded = wait_until(lambda: engine.client().get("history/activity-instance", processInstanceId=case_instance["id"],
                                                      activityId="EndEvent_OwnInitiativeRecorded"), 60, what="own initiative recorded in the case")
    assert recorded
    assert any(e.kind is EntryKind.PROVISION_DECIDED for e in entries(registers, business_key))
    assert incidents_of(engine, business_key) == []
