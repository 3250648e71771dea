"""Every user task's input is validated again on the server: Tasklist's checks run in the browser only.

Each task is first completed through the REST API with missing or malformed
variables, as a REST caller can: the task comes back (a new instance of the same
task) with the reasons in Dutch, and the case does not move on. Then it is
completed properly. Rules: R-3.1, R-3.2, R-4.1, R-4.1-refuse, R-4.2, R-5.1a, R-5.1e.
"""
from __future__ import annotations

import pytest

from tests.integration.case_steps import (
    CLOSED, FINDING, NECESSITY, WORK_UP, complete, incidents_of, request_variables, start_case, task_variable, wait_task,
)
from tests.integration.engine import wait_until

pytestmark = pytest.mark.integration


def rejected(engine, key: str, task_id: str, variables: dict, next_task: str | None,
             message_variable: str = "validationMessage") -> str:
    """Complete ``task_id`` with bad input; return the Dutch reasons on the task that came back."""
    first = complete(engine, key, task_id, variables)
    again = wait_until(lambda: next((t for t in engine.client().get("task", processInstanceBusinessKey=key, taskDefinitionKey=task_id)
                                     if t["id"] != first), None), 60, what=f"{task_id} back to the officer")
    message = task_variable(engine, again["id"], message_variable)
    assert message and message.startswith("- "), message
    if next_task:
        assert engine.client().get("task", processInstanceBusinessKey=key, taskDefinitionKey=next_task) == [], \
            f"{task_id} with invalid input must not move the case on to {next_task}"
    return message


def test_r_4_1_r_3_1_r_4_2_analyst_tasks_send_invalid_input_back_in_dutch(engine, workers, business_key):
    key = business_key
    start_case(engine, key)
    m = rejected(engine, key, "Task_HalfOpenSources", {}, "Task_ClosedSources")
    assert "Vul 'Bevindingen uit half open bronnen' in." in m
    m = rejected(engine, key, "Task_HalfOpenSources", {"halfOpenFindings": [{"source": "Gemeente", "reference": "BRP 1"}]},
                 "Task_ClosedSources")
    assert "'Bevindingen uit half open bronnen nr. 1, Referentie' heeft niet de juiste vorm" in m
    assert "Vul 'Bevindingen uit half open bronnen nr. 1, Korte samenvatting' in." in m
    complete(engine, key, "Task_HalfOpenSources", {"halfOpenFindings": [FINDING]})

    m = rejected(engine, key, "Task_OpenSources", {"openSourceName": "x"}, None, "openSourceValidationMessage")
    assert "'Open bron' moet ten minste 2 tekens bevatten." in m
    complete(engine, key, "Task_OpenSources", {"openSourceName": "Kadaster", "openSourceReference": "KAD-1",
                                                "openSourceSummary": "Drie panden in twee jaar."})

    m = rejected(engine, key, "Task_ClosedSources", {"closedFindings": "geen lijst"}, "Task_WorkUp")
    assert "'Bevindingen uit gesloten bronnen' moet een lijst zijn." in m
    complete(engine, key, "Task_ClosedSources", {"closedFindings": [CLOSED]})

    m = rejected(engine, key, "Task_WorkUp", {**WORK_UP, "phenomenon": "other", "persons": [{"ref": "P-1", "category": "z"}],
                                               "partnerIds": ["gem-enschede"]}, "Task_CaseDecision")
    assert "Kies bij 'Personen nr. 1, Categorie' een van de aangeboden mogelijkheden." in m
    assert "Vul 'Personen nr. 1, Motivering' in." in m
    m = rejected(engine, key, "Task_WorkUp", {**WORK_UP, "phenomenon": "other", "partnerIds": ["gem-enschede"]}, "Task_CaseDecision")
    assert "'andere' georganiseerde criminaliteit" in m, "R-3.1 by the compliance rule"
    assert "Partner gem-enschede is geen deelnemende partner van dit RIEC" in m
    complete(engine, key, "Task_WorkUp", WORK_UP)

    m = rejected(engine, key, "Task_CaseDecision", {"caseDecision": "misschien"}, "Task_Request")
    assert "Kies bij 'Besluit' een van de aangeboden mogelijkheden." in m
    assert "Vul 'Motivering van het besluit' in." in m
    complete(engine, key, "Task_CaseDecision", {"caseDecision": "request", "caseDecisionMotivation": "Aanwijzingen van witwassen."})

    m = rejected(engine, key, "Task_Request", {**request_variables(["art9"]), "purpose": "bibob", "necessity": "kort",
                                                "necessityConclusion": "ja hoor"}, "Task_Judgement")
    assert "'Noodzakelijkheid' moet ten minste 20 tekens bevatten." in m
    assert "ja of nee" in m
    m = rejected(engine, key, "Task_Request", {**request_variables(["art9"]), "purpose": "bibob"}, "Task_Judgement")
    assert "Wet Bibob" in m, "R-3.2 by the compliance rule"
    complete(engine, key, "Task_Request", request_variables(["art9", "art10_1a"]))

    # The police side.
    m = rejected(engine, key, "Task_Judgement", {"relevantDataExist": "yes", "opposingInterest": "national_security"},
                 "Task_Consult210")
    assert "Licht de weigering toe, of leg vast waarom een toelichting niet mogelijk is." in m, "R-4.1-refuse"
    complete(engine, key, "Task_Judgement", {"relevantDataExist": "yes", "opposingInterest": "none"})

    m = rejected(engine, key, "Task_Consult210", {"officer210Advice": "against"}, "Task_ConsentCaseProsecutor")
    assert "Licht een negatief advies toe" in m
    complete(engine, key, "Task_Consult210", {"officer210Advice": "in_favour"})

    m = rejected(engine, key, "Task_ConsentCaseProsecutor", {}, None, "caseProsecutorValidationMessage")
    assert "Vul 'Instemming' in." in m
    m = rejected(engine, key, "Task_ConsentCieProsecutor", {"cieProsecutorConsent": "withheld"}, None, "cieProsecutorValidationMessage")
    assert "Licht toe waarom u niet instemt" in m
    # The parallel task kept its own message.
    assert "Vul 'Instemming' in." in task_variable(engine, wait_task(engine, key, "Task_ConsentCaseProsecutor")["id"],
                                                    "caseProsecutorValidationMessage")
    complete(engine, key, "Task_ConsentCaseProsecutor", {"caseProsecutorConsent": "given"})
    complete(engine, key, "Task_ConsentCieProsecutor", {"cieProsecutorConsent": "given"})
    assert incidents_of(engine, key) == [], "invalid input is a business outcome, never an incident"


def test_r_4_2_r_5_1a_own_initiative_details_send_invalid_input_back(engine, workers, business_key):
    start_case(engine, business_key)
    police = engine.client("politie")
    definition = police.get("process-definition/key/police-request")
    police.post(f"process-definition/{definition['id']}/submit-form", {"variables": {
        "caseKey": {"value": business_key, "type": "String"},
        "ownInitiativeReason": {"value": "Nieuwe informatie over de betrokkenen.", "type": "String"}}})
    m = rejected(engine, business_key, "Task_OwnInitiativeDetails", {"dataCategories": [], "persons": [
        {"ref": "P-1", "category": "a", "motivation": "Verdacht van witwassen."}, {"ref": "P-1", "category": "b", "motivation": "Nogmaals dezelfde."}],
        **{k: v for k, v in NECESSITY.items() if k != "necessity"}}, "Task_Judgement")
    assert "Geef bij 'Te verstrekken politiegegevens' ten minste één waarde op." in m
    assert "dubbele referentie(s): P-1" in m
    assert "Vul 'Noodzakelijkheid' in." in m
