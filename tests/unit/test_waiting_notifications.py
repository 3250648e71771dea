"""Issue 10 deliverable 4: the police unit learns a request arrived; the 2:10 officer and the
prosecutors learn their task waits. Case reference and task name only, once per case key + kind,
to the region's group (R-6.1, R-5.1e, R-5.2)."""
from __future__ import annotations

from typing import Any

from riec.handlers import registry
from riec.handlers.police_request_send import PoliceRequest, send_police_request
from riec.runtime import BpmnError
from riec.notifications import Notification

PERSONS = [{"ref": "P-1", "category": "a", "motivation": "Verdachte van witwassen."}]


class Told:
    def __init__(self) -> None:
        self.sent: dict[str, Notification] = {}

    def notify(self, message: Notification) -> bool:
        if message.key in self.sent:
            return False
        self.sent[message.key] = message
        return True


class FakeCamunda:
    def __init__(self, running: list | None = None) -> None:
        self.running = running or []
        self.posts: list = []

    def get(self, path: str, **params: Any) -> Any:
        return self.running

    def post(self, path: str, body: Any = None) -> Any:
        self.posts.append((path, body))
        return None


def run(topic: str, values: dict, told: Told, business_key: str | None = "SIG-21") -> Any:
    t = registry[topic]
    form = t.input_model.model_validate({**values, "business_key": business_key, "tenant_id": "riec-limburg"})
    return t.handler(form, notifier=told)


def assert_no_personal_data(message: Notification) -> None:
    for word in ("P-1", "witwassen", "Verdachte"):
        assert word not in message.text_nl


def test_r_6_1_request_arrived_tells_the_regions_police_unit_once():
    told = Told()
    request = PoliceRequest.model_validate({
        "caseKey": "SIG-21", "purpose": "case_analysis", "compatibleAims": ["crime"], "phenomenon": "drugs",
        "partnerIds": ["gem-venlo"], "persons": PERSONS, "dataCategories": ["art9"],
        "recipientIds": ["x"], "necessityAssessmentRef": "na-1", "tenantId": "riec-limburg"})
    send_police_request(request, camunda=FakeCamunda(), notifier=told)
    send_police_request(request, camunda=FakeCamunda([{"id": "pi"}]), notifier=told)  # redelivery
    [sent] = told.sent.values()
    assert (sent.kind, sent.recipient_group, sent.region, sent.business_key) == (
        "request_arrived", "police-unit", "riec-limburg", "SIG-21")
    assert "SIG-21" in sent.text_nl
    assert_no_personal_data(sent)


def test_r_5_1e_judgement_leading_to_the_consultation_tells_the_data_officer_once():
    told = Told()
    ok = {"relevantDataExist": "yes", "opposingInterest": "none"}
    assert run("validate-police-judgement", ok, told)["inputValid"] is True
    run("validate-police-judgement", ok, told)
    [sent] = told.sent.values()
    assert (sent.kind, sent.recipient_group, sent.region, sent.task_ref) == (
        "consultation_waiting", "police-data-officer", "riec-limburg", "Task_Consult210")
    assert sent.text_nl == "De taak 'Advies functionaris art. 2:10 Bpg · SIG-21' wacht op u. Pak haar op in Tasklist."


def test_r_4_1_refuse_judgement_leading_to_refusal_or_rejected_tells_nobody():
    told = Told()
    run("validate-police-judgement", {"relevantDataExist": "no", "opposingInterest": "none"}, told)
    run("validate-police-judgement", {"relevantDataExist": "yes", "opposingInterest": "national_security",
                                      "explanationImpossible": True, "explanationImpossibleReason": "Staatsgeheim."}, told)
    try:
        run("validate-police-judgement", {"relevantDataExist": "yes", "opposingInterest": "national_security"}, told)
    except BpmnError as error:
        assert error.code == "INPUT_INVALID"
    else:
        raise AssertionError("an unexplained refusal must go back to the task")
    assert told.sent == {}


def test_r_5_1e_favourable_advice_tells_only_the_prosecutors_of_the_requested_data_types():
    both, art9, art10 = Told(), Told(), Told()
    advice = {"officer210Advice": "in_favour"}
    run("validate-police-consultation-2-10", {**advice, "art9Requested": True, "art10Requested": True}, both)
    run("validate-police-consultation-2-10", {**advice, "art9Requested": True, "art10Requested": True}, both)
    run("validate-police-consultation-2-10", {**advice, "art9Requested": True, "art10Requested": False}, art9)
    run("validate-police-consultation-2-10", {**advice, "art9Requested": False, "art10Requested": True}, art10)
    assert sorted(m.recipient_group for m in both.sent.values()) == ["case-prosecutor", "cie-prosecutor"]
    assert all(m.kind == "consent_waiting" and m.region == "riec-limburg" for m in both.sent.values())
    assert [m.task_ref for m in art9.sent.values()] == ["Task_ConsentCaseProsecutor"]
    assert [m.task_ref for m in art10.sent.values()] == ["Task_ConsentCieProsecutor"]


def test_r_5_1e_advice_against_tells_no_prosecutor():
    told = Told()
    run("validate-police-consultation-2-10", {"officer210Advice": "against", "officer210Remarks": "Het lopende onderzoek zou worden geschaad.",
                                              "art9Requested": True, "art10Requested": True}, told)
    assert told.sent == {}
