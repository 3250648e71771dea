"""Small steps that drive a case through the RIEC and police processes on the real engine (docs/case-process.md).

Every user task is claimed and completed through the REST API by the demo user
of the task's role, with that user's own login, as an officer in Tasklist would.
A test picks the steps it needs: ``to_request`` takes a signal with a hit up to
a request at the police, ``police_decides`` walks the police process to a
decision, ``case_outcome`` waits for the case's end.
"""
from __future__ import annotations

from typing import Any

from riec.runtime.engine import CamundaClient
from riec.runtime.variables import from_camunda, to_camunda_map
from tests.integration.engine import Engine, wait_until
from tests.integration.queries import SIGNAL_HIT, send_signal_message

#: The demo user of each candidate group (workers/riec/identity.py), region riec-noord.
USER = {"riec-analyst": "analist", "police-unit": "politie", "police-data-officer": "functionaris",
        "case-prosecutor": "zaaksofficier", "cie-prosecutor": "cie-officier"}

#: User task -> candidate group (docs/case-process.md).
TASKS = {
    "Task_HalfOpenSources": "riec-analyst", "Task_ClosedSources": "riec-analyst", "Task_OpenSources": "riec-analyst",
    "Task_WorkUp": "riec-analyst", "Task_CaseDecision": "riec-analyst", "Task_Request": "riec-analyst",
    "Task_CorrectOwnInitiative": "police-unit", "Task_OwnInitiativeDetails": "police-unit",
    "Task_Judgement": "police-unit", "Task_Consult210": "police-data-officer",
    "Task_ConsentCaseProsecutor": "case-prosecutor", "Task_ConsentCieProsecutor": "cie-prosecutor",
}

PERSONS = [
    {"ref": "P-1", "category": "a", "motivation": "Redelijk vermoeden van witwassen via vastgoedtransacties."},
    {"ref": "P-2", "category": "c", "motivation": "Helpt P-1 bij het verhullen van de herkomst van geld."},
]
WITNESS = {"ref": "P-3", "category": "witness", "motivation": "Getuige van een transactie, niet betrokken."}
FINDING = {"source": "Gemeente Groningen", "reference": "BRP-2026-1", "summary": "Ingeschreven op het adres sinds 2019."}
CLOSED = {"source": "Politie (art. 8 Wpg)", "reference": "BVH-2026-7", "summary": "Twee meldingen over het pand."}
WORK_UP = {"phenomenon": "money_laundering", "phenomenonDescription": "", "persons": PERSONS,
           "partnerIds": ["gem-groningen", "bd-noord"],
           "caseSummary": "Contante aankopen van panden via wisselende stromannen in Groningen."}
NECESSITY = {"necessity": "Zonder deze gegevens is de rol van P-1 en P-2 niet te duiden.",
             "proportionality": "Alleen de twee betrokken personen en alleen de gevraagde soort gegevens.",
             "subsidiarity": "Half open en gesloten bronnen gaven onvoldoende beeld van de betrokkenheid.",
             "necessityConclusion": True}


def request_variables(categories: list[str], persons: list[dict] | None = None, **over: Any) -> dict[str, Any]:
    return {"purpose": "case_analysis", "compatibleAims": ["crime"], "dataCategories": categories,
            "recipientIds": ["nn-groningen-analist"], **NECESSITY, **over}


def user_client(engine: Engine, task_id: str) -> CamundaClient:
    return engine.client(USER[TASKS[task_id]])


def wait_task(engine: Engine, key: str, task_id: str, timeout: float = 60) -> dict:
    """The open user task ``task_id`` of the case ``key`` (case and police share the key)."""
    return wait_until(lambda: next(iter(engine.client().get("task", processInstanceBusinessKey=key, taskDefinitionKey=task_id)), None),
                      timeout, what=f"user task {task_id} of {key}")


def complete(engine: Engine, key: str, task_id: str, variables: dict[str, Any], *, previous: str | None = None) -> str:
    """Claim and complete ``task_id`` as the demo user of its role; returns the task instance id.

    ``previous`` is a task instance id that must not be the one completed (a task sent back is a new instance).
    """
    task = wait_until(lambda: next((t for t in engine.client().get("task", processInstanceBusinessKey=key, taskDefinitionKey=task_id)
                                    if t["id"] != previous), None), 60, what=f"user task {task_id} of {key}")
    officer = user_client(engine, task_id)
    officer.post(f"task/{task['id']}/claim", {"userId": USER[TASKS[task_id]]})
    officer.post(f"task/{task['id']}/complete", {"variables": to_camunda_map(variables)})
    return task["id"]


def task_variable(engine: Engine, task_id: str, name: str) -> Any:
    found = engine.client().get(f"task/{task_id}/variables", deserializeValues="false")
    return from_camunda(found[name]) if name in found else None


def start_case(engine: Engine, key: str) -> None:
    """A signal with a hit, as the README's example: the case process starts under the same key."""
    send_signal_message(engine.client(), key, SIGNAL_HIT)
    wait_task(engine, key, "Task_HalfOpenSources")


def gather(engine: Engine, key: str) -> None:
    """Phase 4 in the order of art. 4(1): half-open sources, then closed ones (R-4.1)."""
    complete(engine, key, "Task_HalfOpenSources", {"halfOpenFindings": [FINDING]})
    complete(engine, key, "Task_ClosedSources", {"closedFindings": [CLOSED]})


def to_decision(engine: Engine, key: str, decision: str, persons: list[dict] | None = None) -> None:
    start_case(engine, key)
    gather(engine, key)
    complete(engine, key, "Task_WorkUp", {**WORK_UP, "persons": persons or PERSONS})
    complete(engine, key, "Task_CaseDecision", {"caseDecision": decision,
                                                "caseDecisionMotivation": "Motivering van het casusbesluit."})


def to_request(engine: Engine, key: str, categories: list[str], persons: list[dict] | None = None, **over: Any) -> None:
    """From a signal with a hit to a request at the police unit, waiting at the judgement."""
    to_decision(engine, key, "request", persons)
    complete(engine, key, "Task_Request", request_variables(categories, **over))


def police_decides(engine: Engine, key: str, *, judgement: dict | None = None, advice: str = "in_favour",
                   case_prosecutor: str | None = None, cie_prosecutor: str | None = None) -> None:
    """The police unit's judgement, the 2:10 consultation and the consents asked (None: not asked)."""
    complete(engine, key, "Task_Judgement", judgement or {"relevantDataExist": "yes", "opposingInterest": "none"})
    if judgement and (judgement.get("relevantDataExist") == "no" or judgement.get("opposingInterest", "none") != "none"):
        return
    complete(engine, key, "Task_Consult210", {"officer210Advice": advice,
                                              "officer210Remarks": "" if advice == "in_favour" else "Bron kan worden herleid."})
    if advice != "in_favour":
        return
    if case_prosecutor:
        complete(engine, key, "Task_ConsentCaseProsecutor", {
            "caseProsecutorConsent": case_prosecutor,
            "caseProsecutorRemarks": "" if case_prosecutor == "given" else "Het onderzoek loopt nog."})
    if cie_prosecutor:
        complete(engine, key, "Task_ConsentCieProsecutor", {
            "cieProsecutorConsent": cie_prosecutor,
            "cieProsecutorRemarks": "" if cie_prosecutor == "given" else "De informatie is niet te verstrekken."})


def ended(engine: Engine, key: str, process: str, timeout: float = 60) -> dict:
    """The ended instance of ``process`` under ``key``, with its end event and variables."""
    client = engine.client()

    def done():
        found = client.get("history/process-instance", processInstanceBusinessKey=key, processDefinitionKey=process)
        return next((i for i in found if i["state"] in ("COMPLETED", "EXTERNALLY_TERMINATED")), None)

    try:
        instance = wait_until(done, timeout, what=f"{process} of {key} to end")
    except AssertionError as exc:  # say where it stands, and why
        running = client.get("process-instance", businessKey=key, processDefinitionKey=process)
        at = [a["activityId"] for r in running for a in client.get("history/activity-instance", processInstanceId=r["id"], unfinished="true")]
        problems = [i.get("incidentMessage") for r in running for i in client.get("incident", processInstanceId=r["id"])]
        raise AssertionError(f"{exc}; waiting at {at}, incidents {problems}") from None
    ends = client.get("history/activity-instance", processInstanceId=instance["id"], activityType="noneEndEvent")
    values = {v["name"]: from_camunda(v) for v in client.get("history/variable-instance", processInstanceId=instance["id"],
                                                             deserializeValues="false")}
    return {**instance, "endActivityIds": sorted(e["activityId"] for e in ends), "variables": values}


def case_outcome(engine: Engine, key: str) -> dict:
    return ended(engine, key, "riec-case")


def police_outcome(engine: Engine, key: str) -> dict:
    return ended(engine, key, "police-request")


def incidents_of(engine: Engine, key: str) -> list[dict]:
    client = engine.client()
    found = []
    for instance in client.get("process-instance", businessKey=key):
        found += client.get("incident", processInstanceId=instance["id"])
    return found
