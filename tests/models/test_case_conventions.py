"""Every user task of the case diagram is done properly, and its form offers what the rules accept.

Each user task: a Dutch form that exists, a candidate group of the role table, a due
date and an overdue timer from configuration that notifies that group, a task name
with the case number and no personal data, Dutch documentation for the officer
ending with its rule, and a validation task after it whose INPUT_INVALID error
sends the officer back to the same task (docs/case-process.md).
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from riec.compliance.models import CompatibleAim, DataCategory, PersonCategory, Phenomenon, PHENOMENON_LABELS_NL, Purpose, RefusalGround
from riec.compliance.rules import CATEGORY_NL
from riec.identity import ROLES

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "bpmn" / "case.bpmn"
FORMS = ROOT / "forms"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "camunda": "http://camunda.org/schema/1.0/bpmn"}
CAM = "{http://camunda.org/schema/1.0/bpmn}"
DUE = {"riec-analyst": "dueRiecAnalyst", "police-unit": "duePoliceUnit", "police-data-officer": "duePoliceDataOfficer",
       "case-prosecutor": "dueCaseProsecutor", "cie-prosecutor": "dueCieProsecutor"}
#: A task whose deadline is a date of its case, not a period (R-7.2: the anonymisation decision, before destruction).
DUE_AT = {"Task_AnonymisationDecision": "anonymisationDueAt"}
#: Tasks that run in parallel with another task keep their own message variable (docs/case-process.md).
MESSAGE = {"Task_OpenSources": "openSourceValidationMessage", "Task_ConsentCaseProsecutor": "caseProsecutorValidationMessage",
           "Task_ConsentCieProsecutor": "cieProsecutorValidationMessage", "Task_CorrectOwnInitiative": "ownInitiativeMessage"}

#: The case diagram and the intervention that follows it (R-7.1): the same conventions hold for both.
INTERVENTION = ROOT / "bpmn" / "intervention.bpmn"
ROOTS = [ET.parse(CASE).getroot(), ET.parse(INTERVENTION).getroot()]
ELEMENTS = {el.get("id"): el for r in ROOTS for el in r.iter() if el.get("id")}
USER_TASKS = sorted(el.get("id") for r in ROOTS for el in r.iter(f"{{{NS['bpmn']}}}userTask"))
FLOWS = [f for r in ROOTS for f in r.iter(f"{{{NS['bpmn']}}}sequenceFlow")]


def form(form_id: str) -> dict:
    return json.loads((FORMS / f"{form_id}.form").read_text(encoding="utf-8"))


def walk(components):
    for c in components:
        yield c
        yield from walk(c.get("components", []))


def field(form_id: str, key: str) -> dict:
    [found] = [c for c in walk(form(form_id)["components"]) if key in (c.get("key"), c.get("path"))]
    return found


def outgoing(node_id: str) -> list[ET.Element]:
    return [f for f in FLOWS if f.get("sourceRef") == node_id]


def boundaries(node_id: str) -> list[ET.Element]:
    return [el for r in ROOTS for el in r.iter(f"{{{NS['bpmn']}}}boundaryEvent") if el.get("attachedToRef") == node_id]


def test_the_diagram_has_the_user_tasks_of_the_contract():
    assert USER_TASKS == sorted([
        "Task_HalfOpenSources", "Task_ClosedSources", "Task_OpenSources", "Task_WorkUp", "Task_CaseDecision", "Task_Request",
        "Task_CorrectOwnInitiative", "Task_OwnInitiativeDetails", "Task_Judgement", "Task_Consult210",
        "Task_ConsentCaseProsecutor", "Task_ConsentCieProsecutor",
        "Task_InterventionStrategy", "Task_InterventionCarriedOut", "Task_AnonymisationDecision"])


@pytest.mark.parametrize("task_id", USER_TASKS)
def test_user_task_has_form_group_due_date_name_and_dutch_documentation(task_id):
    task = ELEMENTS[task_id]
    group = task.get(f"{CAM}candidateGroups")
    assert group in {r.group for r in ROLES}, group
    assert task.get(f"{CAM}dueDate") == "${" + DUE_AT.get(task_id, DUE[group]) + "}"
    assert (FORMS / f"{task.get(f'{CAM}formRef')}.form").exists()
    assert task.get(f"{CAM}formRefBinding") == "deployment"
    name = task.get("name")
    assert name.endswith(" · ${execution.processBusinessKey}") and name.count("${") == 1, "no other variables (personal data) in names"
    text = task.find("bpmn:documentation", NS).text
    assert re.search(r"Regel: R-[0-9.]+[a-z]?(-[a-z]+)?(, R-[0-9.]+[a-z]?(-[a-z]+)?)*$", text), text
    assert any(w in text for w in (" de ", " het ", " een ", " van ")), "documentation is Dutch, for the officer"


@pytest.mark.parametrize("task_id", USER_TASKS)
def test_overdue_task_notifies_its_group_and_stays_open(task_id):
    task = ELEMENTS[task_id]
    group = task.get(f"{CAM}candidateGroups")
    timers = [b for b in boundaries(task_id) if b.find("bpmn:timerEventDefinition", NS) is not None]
    # Only the anonymisation decision also has an interrupting timer: at the destruction date nothing is kept.
    timers = [b for b in timers if b.get("cancelActivity") == "false" or task_id not in DUE_AT]
    [timer] = timers
    assert timer.get("cancelActivity") == "false", "an overdue notice must not cancel the task"
    when = "timeDate" if task_id in DUE_AT else "timeDuration"
    assert timer.find(f"bpmn:timerEventDefinition/bpmn:{when}", NS).text == "${" + DUE_AT.get(task_id, DUE[group]) + "}"
    [flow] = outgoing(timer.get("id"))
    notify = ELEMENTS[flow.get("targetRef")]
    assert notify.get(f"{CAM}topic") == "notify-overdue"
    params = {p.get("name"): p.text for p in notify.iter(f"{CAM}inputParameter")}
    assert params == {"overdueGroup": group, "overdueTaskId": task_id}


@pytest.mark.parametrize("task_id", [t for t in USER_TASKS if t != "Task_CorrectOwnInitiative"])
def test_submitted_input_is_validated_again_and_sent_back_to_the_same_task(task_id):
    task = ELEMENTS[task_id]
    form_id = task.get(f"{CAM}formRef")
    [flow] = outgoing(task_id)
    validation = ELEMENTS[flow.get("targetRef")]
    assert validation.get(f"{CAM}type") == "external"
    assert validation.get(f"{CAM}topic") == f"validate-{form_id}"
    [error] = boundaries(validation.get("id"))
    ref = error.find("bpmn:errorEventDefinition", NS).get("errorRef")
    assert ELEMENTS[ref].get("errorCode") == "INPUT_INVALID"
    [back] = outgoing(error.get("id"))
    merge = back.get("targetRef")
    assert [f.get("targetRef") for f in outgoing(merge)] == [task_id], "the error leads back to the same task, nowhere else"
    message = MESSAGE.get(task_id, "validationMessage")
    shown = field(form_id, message)
    assert shown["readonly"] is True and message in shown["conditional"]["hide"]


def test_own_initiative_link_sends_the_officer_back_with_reasons():
    [error] = boundaries("Task_LinkOwnInitiative")
    assert ELEMENTS[error.find("bpmn:errorEventDefinition", NS).get("errorRef")].get("errorCode") == "OWN_INITIATIVE_INVALID"
    assert [f.get("targetRef") for f in outgoing(error.get("id"))] == ["Task_CorrectOwnInitiative"]
    start = ELEMENTS["StartEvent_OwnInitiative"]
    assert start.get(f"{CAM}formRef") == ELEMENTS["Task_CorrectOwnInitiative"].get(f"{CAM}formRef") == "police-own-initiative"
    assert ELEMENTS["police-request"].get(f"{CAM}candidateStarterGroups") == "police-unit"


# --------------------------------------------------------------------------- forms offer exactly what the rules know


@pytest.mark.parametrize("form_id", ["case-request", "police-own-initiative-details"])
def test_r_2_forms_offer_every_data_category_so_an_out_of_scope_request_is_refused_with_reasons(form_id):
    offered = field(form_id, "dataCategories")["values"]
    assert [v["value"] for v in offered] == [c.value for c in DataCategory]
    assert [v["label"] for v in offered] == [CATEGORY_NL[c] for c in DataCategory]


@pytest.mark.parametrize("form_id", ["case-work-up", "police-own-initiative-details"])
def test_r_4_2_person_category_offers_the_rules_categories(form_id):
    persons = field(form_id, "persons")
    assert persons["type"] == "dynamiclist"
    category = [c for c in persons["components"] if c["key"] == "category"][0]
    assert [v["value"] for v in category["values"]] == [c.value for c in PersonCategory]
    assert {c["key"] for c in persons["components"]} == {"ref", "category", "motivation"}


def test_r_3_1_work_up_offers_every_phenomenon():
    values = field("case-work-up", "phenomenon")["values"]
    assert [(v["value"], v["label"]) for v in values] == [(p.value, PHENOMENON_LABELS_NL[p]) for p in Phenomenon]


def test_r_3_2_request_offers_every_purpose_and_aim_defaulting_to_case_analysis():
    purpose = field("case-request", "purpose")
    assert [v["value"] for v in purpose["values"]] == [p.value for p in Purpose]
    assert purpose["defaultValue"] == Purpose.CASE_ANALYSIS.value
    assert [v["value"] for v in field("case-request", "compatibleAims")["values"]] == [a.value for a in CompatibleAim]


def test_r_4_1_refuse_judgement_offers_the_three_grounds():
    values = [v["value"] for v in field("police-judgement", "opposingInterest")["values"]]
    assert values == ["none"] + [g.value for g in RefusalGround]


def test_gateway_values_are_the_forms_values():
    """Every value a gateway condition compares a form variable with is one the form offers."""
    offered = {}
    for path in FORMS.glob("*.form"):
        for c in walk(json.loads(path.read_text(encoding="utf-8"))["components"]):
            if "values" in c:
                offered.setdefault(c["key"], set()).update(v["value"] for v in c["values"])
    compared = [(name, value) for f in FLOWS for cond in f.iter(f"{{{NS['bpmn']}}}conditionExpression")
                for name, value in re.findall(r"(\w+)'?\)?\s*==\s*'([^']*)'", cond.text)]
    assert compared, "the diagram compares form values"
    for name, value in compared:
        assert value in offered.get(name, set()), f"{name} == '{value}' is not offered by any form"


def test_every_topic_of_the_diagrams_has_a_worker():
    """An external task no worker serves would wait for ever: every topic in bpmn/ is registered."""
    from riec.handlers import registry

    topics = {el.get(f"{CAM}topic") for path in sorted((ROOT / "bpmn").glob("*.bpmn"))
              for el in ET.parse(path).getroot().iter() if el.get(f"{CAM}topic")}
    assert topics - set(registry.names()) == set()
