"""Tiers 1-2 of the case and police-request topics (docs/case-process.md): plain functions on real registers.

Rules: R-2, R-3.1, R-3.2, R-4.1-own, R-4.1-refuse, R-4.2, R-5.1a, R-5.1e, R-8.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from riec.casework import DuePeriods
from riec.compliance import db, demo, necessity
from riec.compliance.provision_register import EntryKind, export_person, iter_entries, verify_chain
from riec.handlers import registry
from riec.handlers.case_init import InitInput, case_init, police_init
from riec.handlers.necessity_record import NecessityInput, record_necessity
from riec.handlers.notify_overdue import Overdue, notify_overdue
from riec.handlers.own_initiative_link import OWN_INITIATIVE_INVALID, LinkInput, link_own_initiative
from riec.handlers.police_checks import CHECKS_FAILED, ChecksInput, police_checks
from riec.handlers.police_decision import DecisionInput, police_decision
from riec.handlers.police_request_send import PoliceRequest, send_police_request
from riec.notifications import RecordedNotifications
from riec.runtime import BpmnError
from riec.runtime.engine import EngineError
from riec.settings import Settings

TODAY = dt.date.today()
PERSONS = [
    {"ref": "P-1", "category": "a", "motivation": "Verdacht van het beramen van witwassen via vastgoed."},
    {"ref": "P-2", "category": "witness", "motivation": "Getuige van een transactie, geen betrokkene."},
]
ASSESSMENT = {"necessity": "Zonder deze gegevens is de casus niet te duiden.",
              "proportionality": "Alleen de twee betrokken personen, alleen art. 9.",
              "subsidiarity": "Half open en gesloten bronnen gaven onvoldoende beeld.", "necessityConclusion": True}


@pytest.fixture
def database(tmp_path):
    database = (getattr(db, "open_database", None) or getattr(db, "make_engine"))(f"sqlite:///{tmp_path / 'r.sqlite'}")
    db.migrate(database)
    demo.seed(database, TODAY)
    return database


class Told:
    """A fake notifier: keeps what it was asked to tell, once per key (as the real ones)."""

    def __init__(self) -> None:
        self.sent: dict[str, Any] = {}

    def notify(self, message: Any) -> bool:
        if message.key in self.sent:
            return False
        self.sent[message.key] = message
        return True


class FakeCamunda:
    """Answers GETs from ``answers`` (path -> value), records POSTs; ``fail_post`` raises on the next POST."""

    def __init__(self, answers: dict[str, Any] | None = None):
        self.answers = answers or {}
        self.posts: list[tuple[str, dict]] = []
        self.gets: list[tuple[str, dict]] = []
        self.fail_post: EngineError | None = None

    def get(self, path: str, **params: Any) -> Any:
        self.gets.append((path, params))
        return self.answers.get(path, [])

    def post(self, path: str, body: Any = None, **_: Any) -> Any:
        if self.fail_post is not None:
            error, self.fail_post = self.fail_post, None
            raise error
        self.posts.append((path, body))
        return None


def assess(database, case_key: str, categories: list[str], task: str = "pi-1/act-1") -> str:
    return record_necessity(NecessityInput.model_validate(
        {**ASSESSMENT, "caseKey": case_key, "dataCategories": categories, "persons": PERSONS, "taskKey": task}),
        database=database).necessity_assessment_ref


def checks_input(case_key: str, **over: Any) -> ChecksInput:
    return ChecksInput.model_validate({"caseKey": case_key, "purpose": "case_analysis", "compatibleAims": ["crime"],
                                       "phenomenon": "money_laundering", "dataCategories": ["art9"], "persons": PERSONS,
                                       "tenantId": "riec-noord", "taskKey": "pi-9/checks-1", **over})


# --------------------------------------------------------------------------- init


def test_case_init_sets_due_periods_and_the_regions_partners_only(database):
    periods = DuePeriods.from_settings(Settings(due_cie_prosecutor="PT2S"))
    out = case_init(InitInput(business_key="SIG-1", tenant_id="riec-noord"), database=database, due_periods=periods)
    dumped = out.model_dump(by_alias=True)
    assert dumped["caseKey"] == "SIG-1"
    assert dumped["dueCieProsecutor"] == "PT2S" and dumped["dueRiecAnalyst"] == "P5D"
    partners = {o["value"] for o in dumped["partnerOptions"]}
    assert "gem-groningen" in partners and all(not p.startswith("gem-enschede") for p in partners)
    recipients = {o["value"] for o in dumped["recipientOptions"]}
    assert "nn-groningen-analist" in recipients
    assert "nn-leeuwarden-ingetrokken" not in recipients, "a withdrawn designation is not offered (R-1)"
    assert police_init(InitInput(), due_periods=periods) == periods


def test_settings_refuse_a_due_period_that_is_no_iso_duration():
    with pytest.raises(ValueError):
        Settings(due_police_unit="10 dagen")


# --------------------------------------------------------------------------- R-5.1a


def test_r_5_1a_necessity_assessment_is_stored_once_and_only_its_reference_returned(database):
    ref = assess(database, "SIG-2", ["art9"])
    assert ref == assess(database, "SIG-2", ["art9"]), "a redelivered task stores nothing new"
    stored = necessity.latest(database, "SIG-2")
    assert stored.id == ref and stored.necessary and stored.person_refs == {"P-1", "P-2"}
    kinds = [e.entry.kind for e in iter_entries(database, case_id="SIG-2")]
    assert kinds == [EntryKind.NECESSITY_ASSESSMENT]


# --------------------------------------------------------------------------- the police's automated checks


def test_r_4_2_checks_pass_filter_a_witness_and_record_the_filtering_once(database):
    assess(database, "SIG-3", ["art9", "art10_1a"])
    passed = police_checks(checks_input("SIG-3", dataCategories=["art9", "art10_1a"]), database=database)
    assert passed.art9_requested and passed.art10_requested
    assert passed.included_person_refs == ["P-1"] and passed.filtered_person_refs == ["P-2"]
    assert {"R-2", "R-3.1", "R-3.2", "R-4.2", "R-8", "R-5.1a"} <= set(passed.check_rule_ids)
    police_checks(checks_input("SIG-3", dataCategories=["art9", "art10_1a"]), database=database)  # redelivered
    filtered = [e.entry for e in iter_entries(database, case_id="SIG-3") if e.entry.kind is EntryKind.PERSONS_FILTERED]
    assert len(filtered) == 1 and filtered[0].person_refs == ("P-2",) and filtered[0].rule_ids == ("R-4.2",)


@pytest.mark.parametrize(("over", "rule", "words"), [
    ({"dataCategories": ["art9", "art8"]}, "R-2", "art. 8 Wpg"),
    ({"decisionDate": "2016-06-01"}, "R-8", "geen geregistreerde wettelijke grondslag"),
    ({"phenomenon": None}, "R-3.1", "verschijningsvorm"),
    ({"purpose": "bibob"}, "R-3.2", "Wet Bibob"),
    ({"persons": [PERSONS[1]]}, "R-4.2", "Geen van de personen"),
])
def test_failed_check_throws_checks_failed_with_rule_ids_and_dutch_reason(database, over, rule, words):
    assess(database, "SIG-4", ["art9", "art8"])
    with pytest.raises(BpmnError) as caught:
        police_checks(checks_input("SIG-4", **over), database=database)
    assert caught.value.code == CHECKS_FAILED
    assert rule in caught.value.variables["refusalRuleIds"]
    assert words in caught.value.variables["refusalReasonNl"]
    assert "Jan" not in caught.value.message


def test_r_5_1a_checks_refuse_a_request_without_a_positive_assessment(database):
    record_necessity(NecessityInput.model_validate({**ASSESSMENT, "necessityConclusion": False, "caseKey": "SIG-5",
                                                    "dataCategories": ["art9"], "persons": PERSONS, "taskKey": "x/y"}),
                     database=database)
    with pytest.raises(BpmnError) as caught:
        police_checks(checks_input("SIG-5"), database=database)
    assert caught.value.variables["refusalRuleIds"] == ["R-5.1a"]


# --------------------------------------------------------------------------- the decision


def decision_input(case_key: str, outcome: str, **over: Any) -> DecisionInput:
    return DecisionInput.model_validate({
        "outcome": outcome, "caseKey": case_key, "dataCategories": ["art9"], "includedPersonRefs": ["P-1"],
        "filteredPersonRefs": ["P-2"], "relevantDataExist": "yes", "opposingInterest": "none",
        "officer210Advice": "in_favour", "caseProsecutorConsent": "given", "tenantId": "riec-noord",
        "taskKey": "pi-7/decision-1", **over})


def test_r_5_1e_provide_records_consultation_consent_and_decision_and_tells_the_case(database):
    camunda = FakeCamunda()
    out = police_decision(decision_input("SIG-6", "provide"), database=database, camunda=camunda)
    assert out.police_decision == "provide" and out.refusal_rule_ids == []
    kinds = [e.entry.kind for e in iter_entries(database, case_id="SIG-6")]
    assert kinds == [EntryKind.CONSULTATION, EntryKind.CONSENT, EntryKind.PROVISION_DECIDED]
    [(path, body)] = camunda.posts
    assert path == "message" and body["messageName"] == "riec-police-provides" and body["businessKey"] == "SIG-6"
    assert body["tenantId"] == "riec-noord"
    assert body["processVariables"]["decisionRef"]["value"] == out.decision_ref
    police_decision(decision_input("SIG-6", "provide"), database=database, camunda=FakeCamunda())
    assert len(list(iter_entries(database, case_id="SIG-6"))) == 3, "recorded once per task"
    assert verify_chain(database).ok
    # a data subject's access request finds the consultation, the consent and the decision.
    exported = export_person(database, "P-1")
    assert [e["kind"] for e in exported["entries"]] == ["consultation", "consent", "provision_decided"]
    assert export_person(database, "P-2")["count"] == 0, "a filtered person is in no provision decision"


def test_r_5_1e_provide_without_the_cie_consent_is_refused_by_the_handler_itself(database):
    with pytest.raises(RuntimeError):
        police_decision(decision_input("SIG-7", "provide", dataCategories=["art9", "art10_1a"]),
                        database=database, camunda=FakeCamunda())


@pytest.mark.parametrize(("over", "rules", "words"), [
    ({"relevantDataExist": "no"}, ["R-4.1-refuse"], "niet over relevante gegevens"),
    ({"opposingInterest": "investigative_interest", "refusalExplanation": "Lopend onderzoek."}, ["R-4.1-refuse"],
     "Toelichting: Lopend onderzoek."),
    ({"opposingInterest": "safety_of_persons", "explanationImpossible": True,
      "explanationImpossibleReason": "Toelichten brengt een bron in gevaar."}, ["R-4.1-refuse"], "niet mogelijk"),
    ({"officer210Advice": "against"}, ["R-5.1e"], "negatief"),
    ({"caseProsecutorConsent": "withheld"}, ["R-5.1e"], "zaaksofficier"),
    ({"dataCategories": ["art10_1a"], "caseProsecutorConsent": None, "cieProsecutorConsent": "withheld"}, ["R-5.1e"], "CIE-officier"),
    ({"refusalRuleIds": ["R-8"], "refusalReasonNl": "Geen grondslag."}, ["R-8"], "Geen grondslag."),
])
def test_r_4_1_refuse_each_reason_is_recorded_and_sent_with_its_rule_ids(database, over, rules, words):
    camunda = FakeCamunda()
    out = police_decision(decision_input("SIG-8", "refuse", **over), database=database, camunda=camunda)
    assert out.police_decision == "refuse" and out.refusal_rule_ids == rules and words in out.refusal_reason_nl
    refusal = [e.entry for e in iter_entries(database, case_id="SIG-8") if e.entry.kind is EntryKind.REFUSAL]
    assert refusal[-1].rule_ids == tuple(rules)
    assert camunda.posts[0][1]["messageName"] == "riec-police-refuses"


def test_a_redelivered_decision_finds_the_case_no_longer_waiting_and_completes(database):
    camunda = FakeCamunda()
    camunda.fail_post = EngineError(400, "no execution matches")
    assert police_decision(decision_input("SIG-9", "refuse", relevantDataExist="no"), database=database, camunda=camunda)


def test_r_4_1_own_decision_goes_to_the_case_event_subprocess(database):
    camunda = FakeCamunda()
    police_decision(decision_input("SIG-10", "refuse", relevantDataExist="no", ownInitiative=True), database=database, camunda=camunda)
    body = camunda.posts[0][1]
    assert body["messageName"] == "riec-police-own-initiative-decision"
    assert body["processVariables"]["ownInitiativeRef"]["value"] == "pi-7"


# --------------------------------------------------------------------------- sending, linking, notifying


def test_request_is_sent_once_with_references_only_in_the_case_region():
    camunda = FakeCamunda()
    request = PoliceRequest.model_validate({
        "caseKey": "SIG-11", "purpose": "case_analysis", "compatibleAims": ["crime"], "phenomenon": "drugs",
        "partnerIds": ["gem-groningen"], "persons": PERSONS, "dataCategories": ["art9"],
        "recipientIds": ["nn-groningen-analist"], "necessityAssessmentRef": "na-1", "tenantId": "riec-noord"})
    send_police_request(request, camunda=camunda, notifier=Told())
    [(path, body)] = camunda.posts
    assert body["messageName"] == "riec-police-request" and "tenantId" not in body
    variables = body["processVariables"]
    assert variables["region"]["value"] == "riec-noord" and variables["necessityAssessmentRef"]["value"] == "na-1"
    assert "necessity" not in variables, "only the assessment's reference travels (R-5.1a)"
    already = FakeCamunda({"process-instance": [{"id": "x"}]})
    send_police_request(request, camunda=already, notifier=Told())
    assert already.posts == []


def test_r_4_1_own_initiative_needs_a_running_case_of_the_region(database):
    with pytest.raises(BpmnError) as caught:
        link_own_initiative(LinkInput(case_key="SIG-404", own_initiative_reason="Nieuwe informatie over P-1.",
                                      tenant_id="riec-noord"), camunda=FakeCamunda(), database=database)
    assert caught.value.code == OWN_INITIATIVE_INVALID
    assert "bestaande casus" in caught.value.variables["ownInitiativeMessage"]
    camunda = FakeCamunda({"process-instance": [{"id": "case-1", "tenantId": "riec-noord"}],
                           "process-instance/case-1/variables": {
                               "phenomenon": {"value": "drugs", "type": "String"},
                               "partnerIds": {"value": '["gem-groningen"]', "type": "Json"}}})
    linked = link_own_initiative(LinkInput(case_key="SIG-12", own_initiative_reason="Nieuwe informatie over P-1.",
                                           tenant_id="riec-noord"), camunda=camunda, database=database)
    assert linked.linked_case_key == "SIG-12" and linked.partner_ids == ["gem-groningen"]
    assert linked.compatible_aims == ["crime"] and linked.purpose == "case_analysis"


def test_overdue_task_notifies_its_group_once_per_timer_without_personal_data(database):
    notifier = RecordedNotifications(database)
    overdue = Overdue.model_validate({"overdueGroup": "cie-prosecutor", "overdueTaskId": "Task_ConsentCieProsecutor",
                                      "businessKey": "SIG-13", "taskKey": "pi-13/notify-1"})
    notify_overdue(overdue, notifier=notifier)
    notify_overdue(overdue, notifier=notifier)
    [sent] = notifier.for_case("SIG-13")
    assert sent.recipient_group == "cie-prosecutor"
    assert sent.text_nl == "De taak 'Instemming CIE-officier (art. 10 lid 1 sub a Wpg) · SIG-13' is over de termijn. Pak haar op in Tasklist."


def test_every_topic_of_the_contract_is_registered():
    contract = {"case-init", "police-init", "necessity-record", "police-request-send", "police-own-initiative-link",
                "police-checks", "police-decision", "notify-overdue", "validate-case-half-open", "validate-case-closed",
                "validate-case-open-source", "validate-case-work-up", "validate-case-decision", "validate-case-request",
                "validate-police-own-initiative-details", "validate-police-judgement", "validate-police-consultation-2-10",
                "validate-police-consent-case-prosecutor", "validate-police-consent-cie-prosecutor"}
    assert contract <= set(registry.names())


# --------------------------------------------------------------------------- server-side validation of user tasks


def submit(topic: str, values: dict, database=None, tenant: str = "riec-noord") -> dict:
    t = registry[topic]
    form = t.input_model.model_validate({**values, "tenant_id": tenant})
    fakes = {"database": database, "notifier": Told()}
    return t.handler(form, **{name: fakes[name] for name in t.dependencies})


def rejected(topic: str, values: dict, database=None, message: str = "validationMessage") -> str:
    with pytest.raises(BpmnError) as caught:
        submit(topic, values, database)
    assert caught.value.code == "INPUT_INVALID" and caught.value.variables["inputValid"] is False
    return caught.value.variables[message]


WORK_UP = {"phenomenon": "money_laundering", "persons": PERSONS, "partnerIds": ["gem-groningen"],
           "caseSummary": "Contante aankopen van panden via wisselende stromannen."}
REQUEST = {**ASSESSMENT, "purpose": "case_analysis", "compatibleAims": ["crime"], "dataCategories": ["art9"],
           "recipientIds": ["nn-groningen-analist"]}


def test_r_3_1_r_4_2_work_up_is_checked_again_on_the_server(database):
    assert submit("validate-case-work-up", WORK_UP, database) == {"inputValid": True, "validationMessage": ""}
    message = rejected("validate-case-work-up", {**WORK_UP, "phenomenon": "other", "partnerIds": ["on-bekend"],
                                                 "persons": [{"ref": "P-1", "category": "a"}]}, database)
    assert "Vul 'Personen nr. 1, Motivering' in." in message
    # and the region's partners are checked once the form itself is complete.
    message = rejected("validate-case-work-up", {**WORK_UP, "phenomenon": "other", "partnerIds": ["gem-enschede"]}, database)
    assert "'andere' georganiseerde criminaliteit" in message
    assert "Partner gem-enschede is geen deelnemende partner van dit RIEC" in message


def test_r_3_2_r_1_request_is_checked_against_the_rules_and_the_regions_recipients(database):
    assert submit("validate-case-request", REQUEST, database)["inputValid"] is True
    message = rejected("validate-case-request", {**REQUEST, "purpose": "bibob", "recipientIds": ["nn-leeuwarden-ingetrokken", "on-enschede-analist"]}, database)
    assert "Wet Bibob" in message
    assert "Ontvanger nn-leeuwarden-ingetrokken: De ontvanger is geen aangewezen vertegenwoordiger" in message
    assert "Ontvanger on-enschede-analist hoort bij een partner van een ander RIEC (R-6.1)." in message
    message = rejected("validate-case-request", {"dataCategories": ["art99"], "necessityConclusion": "misschien"}, database)
    assert "Kies bij 'Gevraagde politiegegevens nr. 1' een van de aangeboden mogelijkheden." in message
    assert "Kies bij 'Conclusie: verstrekking is noodzakelijk, proportioneel en subsidiair' ja of nee." in message


def test_r_4_1_refuse_judgement_needs_an_explanation_or_why_not():
    ok = {"relevantDataExist": "yes", "opposingInterest": "none"}
    assert submit("validate-police-judgement", ok)["inputValid"] is True
    message = rejected("validate-police-judgement", {**ok, "opposingInterest": "national_security"})
    assert "Licht de weigering toe" in message
    assert submit("validate-police-judgement", {**ok, "opposingInterest": "national_security", "explanationImpossible": True,
                                                "explanationImpossibleReason": "Staatsgeheim."})["inputValid"] is True


def test_r_5_1e_parallel_consents_keep_their_own_message():
    message = rejected("validate-police-consent-cie-prosecutor", {"cieProsecutorConsent": "withheld"},
                       message="cieProsecutorValidationMessage")
    assert "Licht toe waarom u niet instemt" in message
    assert submit("validate-police-consent-case-prosecutor", {"caseProsecutorConsent": "given"}) == {
        "inputValid": True, "caseProsecutorValidationMessage": ""}
    assert "Kies bij 'Advies'" in rejected("validate-police-consultation-2-10", {"officer210Advice": "ja"})


def test_r_4_1_open_sources_are_collected_one_by_one():
    first = submit("validate-case-open-source", {"openSourceName": "Kadaster", "openSourceReference": "KAD-1",
                                                 "openSourceSummary": "Drie panden in twee jaar."})
    dumped = first.model_dump(by_alias=True)
    assert dumped["openSourceFindings"] == [{"source": "Kadaster", "reference": "KAD-1", "summary": "Drie panden in twee jaar."}]
    assert dumped["openSourceName"] is None, "the form is blank for the next source"
    second = submit("validate-case-open-source", {"openSourceName": "KvK", "openSourceReference": "KVK-2",
                                                  "openSourceSummary": "Bestuurder van vijf bv's.", "openSourceFindings": dumped["openSourceFindings"]})
    assert len(second.open_source_findings) == 2
    assert "Vul 'Open bron' in." in rejected("validate-case-open-source", {}, message="openSourceValidationMessage")
