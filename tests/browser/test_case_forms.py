"""The RIEC analyst's case forms (forms/case-*.form), walked in Tasklist as the analyst does them.

Each test brings a case to the task under test through REST (tests/integration/case_steps.py),
then, in headless Chromium in Dutch: the analyst opens the task from "Werkvoorraad van mijn
rol" (its name ends in the case number), claims it, fills the form and completes it with one
input that only the server refuses; the task comes back with the reasons in Dutch under
"Waarom uw invoer terugkomt" and everything entered still there; corrected, the case moves on.
No English Camunda text on any screen; the police unit does not see the analyst's tasks.
Screenshots: test-artifacts/screenshots/case-*.png.
"""
from __future__ import annotations

import pytest

from tests.browser.tasklist import discard, open_task, returned_task, task_done, variable, without_english
from tests.integration.case_steps import WORK_UP, complete, gather, start_case, to_decision

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture(autouse=True)
def _discard_after(engine, business_key):
    """Each walk leaves the work queues as it found them (Tasklist shows 15 tasks a page)."""
    yield
    discard(engine, business_key)

ANALYST = "analist"


def _returned(tasklist, engine, key, task_id, name, previous, message_variable="validationMessage", expected=""):
    """The rejected task back in the analyst's work queue: Dutch reasons shown, claimed again."""
    task, message = returned_task(engine, key, task_id, previous, message_variable)
    assert expected in message, message
    assert without_english(message), message
    tasklist.open_task(name, key)
    assert tasklist.returned_message() == message
    tasklist.assert_dutch()
    return task


def test_r_4_1_half_open_sources_walked_by_the_analyst_and_hidden_from_the_police(engine, workers, tasklist, business_key):
    key = business_key
    start_case(engine, key)
    name = "Fase 4a: half open bronnen raadplegen"

    # Another role's work queue does not show the analyst's task (authorizations, R-6.1 roles).
    tasklist.login("politie")
    tasklist.not_in_work_queue(key)
    assert engine.client("politie").get("task", processInstanceBusinessKey=key) == []

    tasklist.login(ANALYST)
    tasklist.open_task(name, key)
    assert tasklist.no_returned_message()
    tasklist.assert_dutch()
    first = open_task(engine, key, "Task_HalfOpenSources")
    tasklist.claim()
    # Two findings; the first one's summary is only spaces: "required" in the browser, empty to the server.
    tasklist.type("source", "Gemeente Groningen, BRP", 0)
    tasklist.type("reference", "BRP-2026-1", 0)
    tasklist.type("summary", "   ", 0)
    tasklist.add_row("Bevindingen uit half open bronnen")
    tasklist.type("source", "Kamer van Koophandel", 1)
    tasklist.type("reference", "KVK-12345678", 1)
    tasklist.type("summary", "Eenmanszaak op het adres, opgericht in 2024.", 1)
    tasklist.assert_dutch()
    tasklist.screenshot("case-half-open-1-ingevuld")
    tasklist.complete()

    _returned(tasklist, engine, key, "Task_HalfOpenSources", name, first["id"],
              expected="Vul 'Bevindingen uit half open bronnen nr. 1, Korte samenvatting' in.")
    # Nothing entered is lost.
    assert [tasklist.value(k, 0) for k in ("source", "reference")] == ["Gemeente Groningen, BRP", "BRP-2026-1"]
    assert [tasklist.value(k, 1) for k in ("source", "reference", "summary")] == [
        "Kamer van Koophandel", "KVK-12345678", "Eenmanszaak op het adres, opgericht in 2024."]
    tasklist.screenshot("case-half-open-2-teruggekomen")
    again = open_task(engine, key, "Task_HalfOpenSources")
    tasklist.claim()
    tasklist.type("summary", "Ingeschreven op het adres sinds 2019.", 0)
    tasklist.complete()
    task_done(engine, again["id"])
    open_task(engine, key, "Task_ClosedSources")  # closed sources only after the half-open ones
    findings = variable(engine, key, "halfOpenFindings", "riec-case")
    assert [f["reference"] for f in findings] == ["BRP-2026-1", "KVK-12345678"]


def test_r_4_1_open_source_walked_by_the_analyst(engine, workers, tasklist, business_key):
    key = business_key
    start_case(engine, key)
    name = "Open bron toevoegen"
    tasklist.login(ANALYST)
    first = open_task(engine, key, "Task_OpenSources")
    tasklist.open_task(name, key)
    tasklist.assert_dutch()
    tasklist.claim()
    tasklist.type("openSourceName", "Kadaster")
    tasklist.type("openSourceReference", "KAD-2026-77")
    tasklist.type("openSourceSummary", "   ")  # only spaces: "required" in the browser, empty to the server
    tasklist.complete()

    _returned(tasklist, engine, key, "Task_OpenSources", name, first["id"], "openSourceValidationMessage",
              expected="Vul 'Korte samenvatting' in.")
    assert [tasklist.value("openSourceName"), tasklist.value("openSourceReference")] == ["Kadaster", "KAD-2026-77"]
    tasklist.screenshot("case-open-source-teruggekomen")
    again = open_task(engine, key, "Task_OpenSources")
    tasklist.claim()
    tasklist.type("openSourceSummary", "Drie panden op naam van dezelfde BV sinds 2023.")
    tasklist.complete()
    task_done(engine, again["id"])
    open_task(engine, key, "Task_OpenSources", other_than=again["id"])  # offered again: open sources at any point
    assert [f["reference"] for f in variable(engine, key, "openSourceFindings", "riec-case")] == ["KAD-2026-77"]


def test_r_4_1_closed_sources_walked_by_the_analyst(engine, workers, tasklist, business_key):
    key = business_key
    start_case(engine, key)
    complete(engine, key, "Task_HalfOpenSources", {"halfOpenFindings": [
        {"source": "Gemeente Groningen", "reference": "BRP-2026-1", "summary": "Ingeschreven op het adres sinds 2019."}]})
    name = "Fase 4b: gesloten bronnen raadplegen"
    tasklist.login(ANALYST)
    first = open_task(engine, key, "Task_ClosedSources")
    tasklist.open_task(name, key)
    tasklist.assert_dutch()
    tasklist.claim()
    tasklist.type("source", "Politie (art. 8 Wpg)", 0)
    tasklist.type("reference", "BVH-2026-7", 0)
    tasklist.type("summary", "    ", 0)
    tasklist.complete()

    _returned(tasklist, engine, key, "Task_ClosedSources", name, first["id"],
              expected="Vul 'Bevindingen uit gesloten bronnen nr. 1, Korte samenvatting' in.")
    assert [tasklist.value("source", 0), tasklist.value("reference", 0)] == ["Politie (art. 8 Wpg)", "BVH-2026-7"]
    tasklist.screenshot("case-closed-teruggekomen")
    again = open_task(engine, key, "Task_ClosedSources")
    tasklist.claim()
    tasklist.type("summary", "Twee meldingen over het pand.", 0)
    tasklist.complete()
    task_done(engine, again["id"])
    open_task(engine, key, "Task_WorkUp")


def test_r_3_1_r_4_2_work_up_walked_by_the_analyst(engine, workers, tasklist, business_key):
    key = business_key
    start_case(engine, key)
    gather(engine, key)
    name = "Casus opwerken"
    tasklist.login(ANALYST)
    first = open_task(engine, key, "Task_WorkUp")
    tasklist.open_task(name, key)
    tasklist.assert_dutch()
    tasklist.claim()
    tasklist.pick("phenomenon", "Witwassen")
    tasklist.type("ref", "P-1", 0)
    tasklist.pick("category", "a: redelijk vermoeden", 0)
    tasklist.type("motivation", "Redelijk vermoeden van witwassen via vastgoedtransacties.", 0)
    tasklist.add_row("Personen")
    tasklist.type("ref", "P-1", 1)  # the same reference twice: only the server sees it
    tasklist.pick("category", "c: aanwijzingen van betrokkenheid", 1)
    tasklist.type("motivation", "Helpt P-1 bij het verhullen van de herkomst van geld.", 1)
    tasklist.tag("partnerIds", "Gemeente Groningen")
    tasklist.tag("partnerIds", "Belastingdienst regio Noord")
    tasklist.type("caseSummary", "Contante aankopen van panden via wisselende stromannen in Groningen.")
    tasklist.assert_dutch()
    tasklist.screenshot("case-work-up-1-ingevuld")
    tasklist.complete()

    _returned(tasklist, engine, key, "Task_WorkUp", name, first["id"],
              expected="Elke persoon komt één keer voor; dubbele referentie(s): P-1.")
    assert tasklist.picked("phenomenon") == "Witwassen"
    assert [tasklist.value("ref", 0), tasklist.value("ref", 1)] == ["P-1", "P-1"]
    assert tasklist.picked("category", 1).startswith("c: aanwijzingen")
    assert sorted(tasklist.tags("partnerIds")) == ["Belastingdienst regio Noord", "Gemeente Groningen"]
    assert tasklist.value("caseSummary").startswith("Contante aankopen")
    tasklist.screenshot("case-work-up-2-teruggekomen")
    again = open_task(engine, key, "Task_WorkUp")
    tasklist.claim()
    tasklist.type("ref", "P-2", 1)
    tasklist.complete()
    task_done(engine, again["id"])
    open_task(engine, key, "Task_CaseDecision")
    assert [p["ref"] for p in variable(engine, key, "persons", "riec-case")] == ["P-1", "P-2"]


def test_r_4_1_case_decision_walked_by_the_analyst(engine, workers, tasklist, business_key):
    key = business_key
    start_case(engine, key)
    gather(engine, key)
    complete(engine, key, "Task_WorkUp", WORK_UP)
    name = "Casusbesluit nemen"
    tasklist.login(ANALYST)
    first = open_task(engine, key, "Task_CaseDecision")
    tasklist.open_task(name, key)
    tasklist.assert_dutch()
    tasklist.claim()
    tasklist.pick("caseDecision", "Aanwijzingen én politiegegevens nodig")
    tasklist.type("caseDecisionMotivation", "Te kort")
    # This form's server check (riec.casework.CaseDecision) asks nothing the browser does not check first
    # (form-js counts characters without the surrounding spaces, as the server does), so a bad motivation
    # is refused here, in Dutch, before it is sent; the server's answer to it is tests/integration/test_case_validation.py's.
    errors = tasklist.complete_refused_in_browser()
    assert "Vul minstens 10 tekens in." in errors, errors
    tasklist.assert_dutch()
    assert tasklist.picked("caseDecision").startswith("Aanwijzingen én politiegegevens nodig")
    assert tasklist.value("caseDecisionMotivation") == "Te kort"
    tasklist.screenshot("case-decision-geweigerd-in-formulier")
    assert open_task(engine, key, "Task_CaseDecision")["id"] == first["id"]  # nothing was sent
    tasklist.type("caseDecisionMotivation", "Aanwijzingen van witwassen; politiegegevens nodig voor de rol van P-1.")
    tasklist.complete()
    task_done(engine, first["id"])
    open_task(engine, key, "Task_Request")
    assert variable(engine, key, "caseDecision", "riec-case") == "request"


def test_r_3_2_r_5_1a_request_walked_by_the_analyst(engine, workers, tasklist, business_key):
    key = business_key
    to_decision(engine, key, "request")
    name = "Verzoek om politiegegevens opstellen"
    tasklist.login(ANALYST)
    first = open_task(engine, key, "Task_Request")
    tasklist.open_task(name, key)
    tasklist.assert_dutch()
    tasklist.claim()
    tasklist.pick("purpose", "Integriteitsbeoordeling (Wet Bibob)")  # another regime
    tasklist.tick("compatibleAims", "Voorkomen, opsporen en vervolgen van strafbare feiten")
    tasklist.tick("dataCategories", "art. 9 Wpg (gericht onderzoek)")
    tasklist.tag("recipientIds", "A. de Vries (demo)")
    tasklist.type("necessity", "Zonder deze gegevens is de rol van P-1 en P-2 niet te duiden.")
    tasklist.type("proportionality", "Alleen de twee betrokken personen en alleen art. 9-gegevens.")
    tasklist.type("subsidiarity", "Half open en gesloten bronnen gaven onvoldoende beeld.")
    tasklist.check("necessityConclusion")
    tasklist.assert_dutch()
    tasklist.screenshot("case-request-1-ingevuld")
    tasklist.complete()

    _returned(tasklist, engine, key, "Task_Request", name, first["id"],
              expected="Dit besluit ziet niet op integriteitsbeoordelingen op grond van de Wet Bibob.")
    assert tasklist.picked("purpose") == "Integriteitsbeoordeling (Wet Bibob)"
    assert tasklist.ticked("compatibleAims") == ["Voorkomen, opsporen en vervolgen van strafbare feiten"]
    assert tasklist.ticked("dataCategories") == ["art. 9 Wpg (gericht onderzoek)"]
    assert [t for t in tasklist.tags("recipientIds") if t.startswith("A. de Vries")]
    assert tasklist.value("subsidiarity") == "Half open en gesloten bronnen gaven onvoldoende beeld."
    assert tasklist.field("necessityConclusion").is_selected()
    tasklist.screenshot("case-request-2-teruggekomen")
    again = open_task(engine, key, "Task_Request")
    tasklist.claim()
    tasklist.pick("purpose", "Integrale casusanalyse")
    tasklist.complete()
    task_done(engine, again["id"])
    open_task(engine, key, "Task_Judgement")  # the police unit has the request
