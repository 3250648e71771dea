"""Phases 1-3 of art. 4(1) on the real engine with real workers: signal, check, hit/no-hit."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from riec.deployment import deploy_all
from riec.runtime.variables import to_camunda_map
from tests.integration.engine import ROOT, wait_until
from tests.integration.queries import (
    SIGNAL_HIT, SIGNAL_NO_HIT, historic_instance, incidents, send_signal_message, variables, wait_ended, wait_task,
)

pytestmark = pytest.mark.integration


def riec(engine, *args, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "riec", *args], env=engine.env(**env), capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_r_4_1_hit_reaches_next_phase_with_partners_recorded(engine, workers, business_key, tmp_path):
    path = tmp_path / "signal.json"
    path.write_text(json.dumps(SIGNAL_HIT), encoding="utf-8")
    submitted = riec(engine, "signal", "submit", str(path), "--business-key", business_key)
    assert submitted.returncode == 0, submitted.stderr

    task = wait_task(engine.client(), business_key, "Task_HalfOpenSources")  # the case process, under the same key
    recorded = variables(engine.client(), task["processInstanceId"])
    assert recorded["hit"] is True
    # the reporter (gem-groningen) knows the subject too, but is never a hit on its own signal.
    assert recorded["hitPartners"] == ["bd-noord"]
    assert recorded["outcome"] == "hit"
    # The analyst (and only the analyst's group) works the next phase in Tasklist.
    assert [t["id"] for t in engine.client("analist").get("task", processInstanceBusinessKey=business_key,
                                                          taskDefinitionKey="Task_HalfOpenSources")] == [task["id"]]
    # The manager sees that the task exists (Cockpit's counts need task READ) but none of its values (issue 6).
    with pytest.raises(Exception) as refused:
        engine.client("manager").get(f"task/{task['id']}/variables")
    assert getattr(refused.value, "status", None) == 403
    assert engine.client("partner").get("task", processInstanceBusinessKey=business_key) == []


def test_r_4_1_no_hit_ends_signal_with_outcome_in_history(engine, workers, business_key):
    send_signal_message(engine.client(), business_key, SIGNAL_NO_HIT)
    ended = wait_ended(engine.client(), business_key)
    assert ended["endActivityId"] == "EndEvent_NoHit"
    recorded = variables(engine.client(), ended["id"])
    assert recorded["outcome"] == "geen_hit"
    assert recorded["hitPartners"] == []


def test_invalid_signal_from_command_line_starts_nothing(engine, business_key, tmp_path):
    bad = {**SIGNAL_NO_HIT, "subjectName": " ", "postcode": "97123", "kvkNumber": "1234"}
    bad.pop("phenomenon")
    path = tmp_path / "signal.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    result = riec(engine, "signal", "submit", str(path), "--business-key", business_key)
    assert result.returncode == 2
    assert "Vul de naam" in result.stderr
    assert "postcode '97123' is ongeldig" in result.stderr
    assert "KvK-nummer '1234' is ongeldig" in result.stderr
    assert "verschijningsvorm" in result.stderr
    assert historic_instance(engine.client(), business_key) is None


def test_command_line_refuses_unreadable_file_in_dutch(engine, tmp_path):
    path = tmp_path / "signal.json"
    path.write_text("{niet: json", encoding="utf-8")
    result = riec(engine, "signal", "submit", str(path))
    assert result.returncode == 2
    assert "geen leesbaar JSON-bestand" in result.stderr


def test_invalid_signal_over_rest_goes_back_to_analyst_without_incident(engine, workers, business_key):
    instance = send_signal_message(engine.client(), business_key, {**SIGNAL_HIT, "postcode": "ABCD 12", "phenomenon": None})
    task = wait_task(engine.client(), business_key, "Task_CorrectSignal")
    recorded = variables(engine.client(), instance)
    assert "postcode 'ABCD 12' is ongeldig" in recorded["validationMessage"]
    assert "verschijningsvorm" in recorded["validationMessage"]
    assert recorded["subjectName"] == "Jan de Vries", "nothing the analyst entered is lost"
    assert incidents(engine.client(), instance) == []

    # The analyst corrects the signal and submits it again: it now proceeds to hit/no-hit.
    engine.client("analist").post(f"task/{task['id']}/complete", {"variables": to_camunda_map(
        {"postcode": "9711 LM", "phenomenon": "real_estate_fraud", "correctionDecision": "opnieuw_indienen"})})
    wait_task(engine.client(), business_key, "Task_HalfOpenSources")


def test_analyst_can_withdraw_an_invalid_signal(engine, workers, business_key):
    send_signal_message(engine.client(), business_key, {**SIGNAL_HIT, "purpose": "bibob"})
    task = wait_task(engine.client(), business_key, "Task_CorrectSignal")
    assert "Wet Bibob" in variables(engine.client(), task["processInstanceId"])["validationMessage"]
    engine.client("analist").post(f"task/{task['id']}/complete", {"variables": to_camunda_map({"correctionDecision": "intrekken"})})
    assert wait_ended(engine.client(), business_key)["endActivityId"] == "EndEvent_SignalWithdrawn"


def test_analyst_starts_a_signal_from_the_tasklist_start_form(engine, workers, business_key):
    analyst = engine.client("analist")
    definition = analyst.get("process-definition/key/riec-signal")
    form = analyst.get(f"process-definition/{definition['id']}/deployed-start-form")
    assert form["id"] == "signal-registration"
    assert {c.get("key") for c in form["components"]} >= {"subjectName", "postcode", "kvkNumber", "phenomenon", "purpose"}
    analyst.post(f"process-definition/{definition['id']}/submit-form", {"businessKey": business_key, "variables": to_camunda_map(SIGNAL_NO_HIT)})
    assert wait_ended(engine.client(), business_key)["endActivityId"] == "EndEvent_NoHit"


def test_a_signal_started_in_tasklist_without_business_key_gets_one(engine, workers):
    analyst = engine.client("analist")
    definition = analyst.get("process-definition/key/riec-signal")
    started = analyst.post(f"process-definition/{definition['id']}/submit-form", {"variables": to_camunda_map(SIGNAL_NO_HIT)})
    key = f"SIG-{started['id']}"
    assert wait_ended(engine.client(), key)["id"] == started["id"]


def test_a_partner_may_not_start_signals(engine):
    partner = engine.client("partner")
    definition = engine.client().get("process-definition/key/riec-signal")
    with pytest.raises(Exception) as refused:
        partner.post(f"process-definition/{definition['id']}/start", {"variables": to_camunda_map(SIGNAL_NO_HIT)})
    assert getattr(refused.value, "status", None) == 403


def test_redeploying_creates_a_version_only_for_an_edited_diagram(engine, tmp_path):
    import shutil

    def versions() -> int:
        return engine.client().get("process-definition/count", key="riec-signal")["count"]

    deploy_all(engine.client(), ROOT)
    before = versions()
    assert not any(r.created for r in deploy_all(engine.client(), ROOT)), "unchanged: no new version"
    assert versions() == before

    # An edit as Camunda Modeler would save it: the same diagram with changed documentation.
    edited = tmp_path / "project"
    shutil.copytree(ROOT / "bpmn", edited / "bpmn")
    shutil.copytree(ROOT / "forms", edited / "forms")
    diagram = edited / "bpmn" / "signal.bpmn"
    diagram.write_text(diagram.read_text(encoding="utf-8").replace("Phases 1-3", "Phases 1 to 3"), encoding="utf-8")
    result = deploy_all(engine.client(), edited)
    assert [(r.created, r.process_keys) for r in result if r.created] == [(True, ["riec-signal"])], "only the edited diagram"
    assert versions() == before + 1
    # The new version found its forms in its own deployment.
    definition = engine.client("analist").get("process-definition/key/riec-signal")
    assert engine.client("analist").get(f"process-definition/{definition['id']}/deployed-start-form")["id"] == "signal-registration"

    deploy_all(engine.client(), ROOT)  # leave the project's own models as the latest version


def test_worker_service_user_may_work_tasks_but_not_deploy_or_read_people(engine, workers):
    s = engine.settings
    worker = engine.client(s.worker_user, s.worker_password)
    assert worker.post("external-task/fetchAndLock", {"workerId": "probe", "maxTasks": 1, "topics": [{"topicName": "none", "lockDuration": 1000}]}) == []
    for method, path, kwargs in [
        ("POST", "deployment/create", {"data": {"deployment-name": "x"}, "files": [("x.bpmn", ("x.bpmn", b"<x/>"))]}),
        ("POST", "process-definition/key/riec-signal/start", {"json": {}}),
    ]:
        with pytest.raises(Exception) as refused:
            worker.rest(method, path, **kwargs)
        assert getattr(refused.value, "status", None) == 403, path
    # Users it may not read do not exist for it (the engine hides them rather than refusing).
    assert [u["id"] for u in worker.get("user")] == [s.worker_user], "it sees itself, no officer"
    assert engine.client().get("user", id="analist") != []


def test_rest_api_requires_authentication(engine):
    import requests

    assert requests.get(f"{engine.settings.engine_url}/process-definition", timeout=5).status_code == 401


def test_handler_failure_becomes_an_incident_with_a_readable_message(engine, workers, business_key):
    # Start straight at hit/no-hit without the address: the input model rejects the task.
    started = engine.client().post("process-definition/key/riec-signal/start", {
        "businessKey": business_key,
        "variables": to_camunda_map({"subjectName": "Jan de Vries", "houseNumber": "12", "city": "Groningen", "region": "riec-noord"}),
        "startInstructions": [{"type": "startBeforeActivity", "activityId": "Task_HitNoHit"}],
    })
    found = wait_until(lambda: incidents(engine.client(), started["id"]), 60, what="an incident")
    message = found[0]["incidentMessage"]
    assert found[0]["activityId"] == "Task_HitNoHit"
    assert "street (missing)" in message
    assert "Jan de Vries" not in message
    # Three attempts were made (the configured retries) before the incident.
    log = engine.client().get("history/external-task-log", processInstanceId=started["id"], failureLog="true")
    assert len(log) == engine.settings.retries
