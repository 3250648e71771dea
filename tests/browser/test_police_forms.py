"""The police side's forms (forms/police-*.form), walked in Tasklist by the officer of each role.

The police unit (politie) judges a request and starts a provision on its own initiative;
the art. 2:10 Bpg officer (functionaris) advises; the case prosecutor (zaaksofficier) and the
CIE prosecutor (cie-officier) consent. Each test brings a case to the task under test through
REST (tests/integration/case_steps.py), then in headless Chromium in Dutch: the task is opened
from "Werkvoorraad van mijn rol" (its name ends in the case number), claimed, filled with one
input only the server refuses, completed; it comes back with the Dutch reasons and everything
entered still there; corrected, the process moves on. No English Camunda text on any screen;
each role's negative check: another role does not see the task. Screenshots:
test-artifacts/screenshots/police-*.png.
"""
from __future__ import annotations

import pytest

from tests.browser.tasklist import discard, open_task, returned_task, task_done, variable, without_english
from tests.integration.case_steps import WORK_UP, complete, gather, police_decides, start_case, to_request

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture(autouse=True)
def _discard_after(engine, business_key):
    """Each walk leaves the work queues as it found them (Tasklist shows 15 tasks a page)."""
    yield
    discard(engine, business_key)

JUDGEMENT = "Verzoek beoordelen: gegevens en belangen"
CONSULT = "Advies functionaris art. 2:10 Bpg"
CASE_CONSENT = "Instemming zaaksofficier (art. 9 Wpg)"
CIE_CONSENT = "Instemming CIE-officier (art. 10 lid 1 sub a Wpg)"
LINK = "Eigen initiatief: casus koppelen"
DETAILS = "Verstrekking op eigen initiatief voorbereiden"
NOT_LINKED = "Waarom de casus niet is gekoppeld"


def _returned(tasklist, engine, key, task_id, name, previous, message_variable="validationMessage", expected="",
              label="Waarom uw invoer terugkomt"):
    """The rejected task back in the officer's work queue: Dutch reasons shown under the form's label."""
    task, message = returned_task(engine, key, task_id, previous, message_variable)
    assert expected in message, message
    assert without_english(message), message
    tasklist.open_task(name, key)
    assert tasklist.returned_message(label) == message
    tasklist.assert_dutch()
    return task


def test_r_4_1_refuse_judgement_walked_by_the_police_unit_and_hidden_from_the_analyst(engine, workers, tasklist, business_key):
    key = business_key
    to_request(engine, key, ["art9"])
    first = open_task(engine, key, "Task_Judgement")

    tasklist.login("analist")  # the RIEC does not see the police's judgement
    tasklist.not_in_work_queue(key)
    assert engine.client("analist").get("task", processInstanceBusinessKey=key) == []

    tasklist.login("politie")
    tasklist.open_task(JUDGEMENT, key)
    assert tasklist.no_returned_message()
    tasklist.assert_dutch()
    tasklist.claim()
    tasklist.pick("relevantDataExist", "Ja")
    tasklist.pick("opposingInterest", "Een zwaarwegend opsporingsbelang verzet zich ertegen")
    # R-4.1-refuse: a refusal on an interest without an explanation (nor why none is possible) comes back.
    tasklist.field("refusalExplanation")
    tasklist.assert_dutch()
    tasklist.screenshot("police-judgement-1-ingevuld")
    tasklist.complete()

    _returned(tasklist, engine, key, "Task_Judgement", JUDGEMENT, first["id"],
              expected="Licht de weigering toe, of leg vast waarom een toelichting niet mogelijk is.")
    assert tasklist.picked("relevantDataExist") == "Ja"
    assert tasklist.picked("opposingInterest") == "Een zwaarwegend opsporingsbelang verzet zich ertegen"
    tasklist.screenshot("police-judgement-2-teruggekomen")
    again = open_task(engine, key, "Task_Judgement")
    tasklist.claim()
    tasklist.pick("opposingInterest", "Geen: verstrekking is mogelijk")
    tasklist.complete()
    task_done(engine, again["id"])
    open_task(engine, key, "Task_Consult210")


def test_r_5_1e_consultation_2_10_walked_by_the_data_officer_and_hidden_from_the_police_unit(engine, workers, tasklist, business_key):
    key = business_key
    to_request(engine, key, ["art9"])
    complete(engine, key, "Task_Judgement", {"relevantDataExist": "yes", "opposingInterest": "none"})
    first = open_task(engine, key, "Task_Consult210")

    tasklist.login("politie")  # the unit does not see the 2:10 officer's advice
    tasklist.not_in_work_queue(key)

    tasklist.login("functionaris")
    tasklist.open_task(CONSULT, key)
    tasklist.assert_dutch()
    tasklist.claim()
    tasklist.pick("officer210Advice", "Negatief: niet verstrekken")
    tasklist.type("officer210Remarks", "Nee.")  # advice against needs a reason of at least 10 characters
    tasklist.complete()

    _returned(tasklist, engine, key, "Task_Consult210", CONSULT, first["id"],
              expected="Licht een negatief advies toe bij 'Opmerkingen' (ten minste 10 tekens).")
    assert tasklist.picked("officer210Advice") == "Negatief: niet verstrekken"
    assert tasklist.value("officer210Remarks") == "Nee."
    tasklist.screenshot("police-consultation-2-10-teruggekomen")
    again = open_task(engine, key, "Task_Consult210")
    tasklist.claim()
    tasklist.pick("officer210Advice", "Positief: verstrekken")
    tasklist.type("officer210Remarks", "")
    tasklist.complete()
    task_done(engine, again["id"])
    open_task(engine, key, "Task_ConsentCaseProsecutor")


def test_r_5_1e_consents_walked_by_both_prosecutors_each_seeing_only_their_own(engine, workers, tasklist, business_key):
    key = business_key
    to_request(engine, key, ["art9", "art10_1a"])
    police_decides(engine, key)  # judgement and 2:10 advice; both consents asked at once
    tasks = {"Task_ConsentCaseProsecutor": open_task(engine, key, "Task_ConsentCaseProsecutor"),
             "Task_ConsentCieProsecutor": open_task(engine, key, "Task_ConsentCieProsecutor")}

    tasklist.login("functionaris")  # the 2:10 officer does not see the prosecutors' consents
    tasklist.not_in_work_queue(key)

    walks = [("zaaksofficier", CASE_CONSENT, CIE_CONSENT, "Task_ConsentCaseProsecutor", "caseProsecutor", "case"),
             ("cie-officier", CIE_CONSENT, CASE_CONSENT, "Task_ConsentCieProsecutor", "cieProsecutor", "cie")]
    for user, name, other, task_id, prefix, short in walks:
        tasklist.login(user)
        tasklist.not_in_work_queue(key, other)  # each prosecutor sees only their own consent
        tasklist.open_task(name, key)
        tasklist.assert_dutch()
        tasklist.claim()
        tasklist.pick(f"{prefix}Consent", "Ik onthoud mijn instemming")
        tasklist.type(f"{prefix}Remarks", "Nee.")
        tasklist.complete()

        _returned(tasklist, engine, key, task_id, name, tasks[task_id]["id"], f"{prefix}ValidationMessage",
                  expected="Licht toe waarom u niet instemt, bij 'Opmerkingen' (ten minste 10 tekens).")
        assert tasklist.picked(f"{prefix}Consent") == "Ik onthoud mijn instemming"
        assert tasklist.value(f"{prefix}Remarks") == "Nee."
        tasklist.screenshot(f"police-consent-{short}-prosecutor-teruggekomen")
        again = open_task(engine, key, task_id)
        tasklist.claim()
        tasklist.pick(f"{prefix}Consent", "Ik stem in met verstrekking")
        tasklist.complete()
        task_done(engine, again["id"])
        assert variable(engine, key, f"{prefix}Consent", "police-request") == "given"


def test_r_4_1_own_initiative_start_link_and_details_walked_by_the_police_unit(engine, workers, tasklist, business_key):
    key = business_key
    # A running case, worked up, waiting for the analyst's decision.
    start_case(engine, key)
    gather(engine, key)
    complete(engine, key, "Task_WorkUp", WORK_UP)
    open_task(engine, key, "Task_CaseDecision")
    before = {i["id"] for i in engine.client().get("history/process-instance", processDefinitionKey="police-request", startedBy="politie")}

    # Start form: a case number that does not exist; the unit is asked to correct it (R-4.1-own).
    tasklist.login("politie")
    tasklist.start_process("Politie: verzoek om politiegegevens beslissen")
    tasklist.assert_dutch()
    tasklist.type("caseKey", "SIG-BESTAAT-NIET")
    tasklist.type("ownInitiativeReason", "Nieuwe informatie over de betrokkenen bij deze casus.")
    tasklist.screenshot("police-own-initiative-1-start")
    tasklist.start()
    from tests.integration.engine import wait_until
    started = wait_until(lambda: [i for i in engine.client().get("history/process-instance", processDefinitionKey="police-request",
                                                                   startedBy="politie") if i["id"] not in before], 30, what="own initiative started")[0]
    own_key = started["businessKey"]
    assert own_key == f"EI-{started['id']}"
    correct = open_task(engine, own_key, "Task_CorrectOwnInitiative")
    message = engine.client().get(f"task/{correct['id']}/variables/ownInitiativeMessage")["value"]
    assert "bestaande casus" in message and without_english(message)
    tasklist.open_task(LINK, own_key)
    assert tasklist.returned_message(NOT_LINKED) == message
    tasklist.assert_dutch()
    assert tasklist.value("caseKey") == "SIG-BESTAAT-NIET"
    assert tasklist.value("ownInitiativeReason") == "Nieuwe informatie over de betrokkenen bij deze casus."
    tasklist.screenshot("police-own-initiative-2-niet-gekoppeld")
    tasklist.claim()
    tasklist.type("caseKey", key)
    tasklist.complete()
    task_done(engine, correct["id"])

    # Linked: the details, under the case's number. The analyst sees her case, not the police's task.
    first = open_task(engine, key, "Task_OwnInitiativeDetails")
    tasklist.login("analist")
    tasklist.not_in_work_queue(key, DETAILS)
    tasklist.login("politie")
    tasklist.open_task(DETAILS, key)
    tasklist.assert_dutch()
    tasklist.claim()
    tasklist.tick("dataCategories", "art. 9 Wpg (gericht onderzoek)")
    tasklist.type("ref", "P-1", 0)
    tasklist.pick("category", "a: redelijk vermoeden", 0)
    tasklist.type("motivation", "Redelijk vermoeden van witwassen via vastgoedtransacties.", 0)
    tasklist.add_row("Personen")
    tasklist.type("ref", "P-1", 1)  # the same person twice: only the server sees it (R-4.2 needs one line per person)
    tasklist.pick("category", "c: aanwijzingen van betrokkenheid", 1)
    tasklist.type("motivation", "Helpt bij het verhullen van de herkomst van geld.", 1)
    tasklist.tag("recipientIds", "A. de Vries (demo)")
    tasklist.type("necessity", "Zonder deze gegevens kan de gemeente de vergunning niet beoordelen.")
    tasklist.type("proportionality", "Alleen de twee betrokken personen en alleen art. 9-gegevens.")
    tasklist.type("subsidiarity", "Andere bronnen van de gemeente geven dit beeld niet.")
    tasklist.check("necessityConclusion")
    tasklist.assert_dutch()
    tasklist.screenshot("police-own-initiative-details-1-ingevuld")
    tasklist.complete()

    _returned(tasklist, engine, key, "Task_OwnInitiativeDetails", DETAILS, first["id"],
              expected="Elke persoon komt één keer voor; dubbele referentie(s): P-1.")
    assert tasklist.ticked("dataCategories") == ["art. 9 Wpg (gericht onderzoek)"]
    assert [tasklist.value("ref", 0), tasklist.value("ref", 1)] == ["P-1", "P-1"]
    assert [t for t in tasklist.tags("recipientIds") if t.startswith("A. de Vries")]
    assert tasklist.value("necessity").startswith("Zonder deze gegevens")
    assert tasklist.field("necessityConclusion").is_selected()
    tasklist.screenshot("police-own-initiative-details-2-teruggekomen")
    again = open_task(engine, key, "Task_OwnInitiativeDetails")
    tasklist.claim()
    tasklist.type("ref", "P-2", 1)
    tasklist.complete()
    task_done(engine, again["id"])
    open_task(engine, key, "Task_Judgement")  # on the request's path: checks passed, the unit judges
