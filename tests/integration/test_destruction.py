"""Destruction on the real engine (issue 11, art. 7). Rule: R-7.1 (and R-5.2 for signals without a case).

A provided case's data are destroyed once the intervention was carried out: the
test then searches the registers' database and every history and runtime endpoint
of the engine for the package's content and the subject's name, address and date
of birth, and finds nothing; the register shows one destruction and its chain
still verifies. The sweep destroys a case whose process was deleted by hand and a
no-hit signal after its term; a worker killed half-way through a destruction is
finished by the next one, registered once. Time is moved by executing the timer's
job or by configuration (``RIEC_NO_CASE_RETENTION_DAYS=0``, ``--today``), never by sleeping.

Every subject here is made up per test (a fresh name, street and date of birth, added
to a partner's register for a hit), so a search over the whole engine finds only what
this test put there.
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from riec.compliance import db
from riec.compliance.provision_register import EntryKind, iter_entries, verify_chain
from riec.destruction import destroy_case, engine_purge
from riec.hit_no_hit.registers import LocalRegisters
from riec.runtime.engine import EngineError
from riec.runtime.variables import to_camunda_map
from riec.signals import Subject
from tests.integration.case_steps import (
    case_outcome, complete, gather, police_decides, request_variables, wait_task, WORK_UP,
)
from tests.integration.engine import ROOT, WorkerProcess, wait_until
from tests.integration.queries import SIGNAL_HIT, send_signal_message, wait_ended
from tests.integration.vault_steps import upload_package

REGION = "riec-noord"
ANALYST = "analist"

#: Every place the engine keeps something, as REST resources (history first, then runtime).
HISTORY_ENDPOINTS = ["history/process-instance", "history/activity-instance", "history/variable-instance", "history/detail",
                     "history/task", "history/identity-link-log", "history/user-operation", "history/external-task-log",
                     "history/incident", "history/job-log"]
RUNTIME_ENDPOINTS = ["process-instance", "execution", "variable-instance", "task", "incident", "external-task", "job"]
#: The user operation log is the engine's audit of what officers and services did (claim, complete, comment, delete):
#: who, which operation, when and on which instance, never a variable's value or a comment's text. It stays as the
#: access log the privacy protocol asks for (ch. 14); it must hold nothing of the person, which is searched for below.
AUDIT_LOG = "history/user-operation"


@pytest.fixture(scope="module")
def registers(engine):
    return db.open_database(engine.settings.effective_database_url)


def made_up_subject(engine) -> dict[str, Any]:
    """A signal like the README's hit, about a person nobody else uses; known at bd-noord (a hit)."""
    digits = uuid.uuid4().int
    word = "".join(chr(ord("a") + (digits >> (5 * i)) % 26) for i in range(9)).capitalize()
    signal = {**SIGNAL_HIT, "subjectName": f"Vera {word}", "street": f"{word}straat",
              "dateOfBirth": dt.date(1940 + digits % 50, 1 + digits % 12, 1 + digits % 28).isoformat()}
    s = engine.settings
    LocalRegisters(s.data_dir / "partner-registers.sqlite").add("bd-noord", [Subject.model_validate(signal)], s.hit_key)
    return signal


def needles(signal: dict[str, Any], package: bytes | None = None) -> list[str]:
    found = [signal["subjectName"], signal["street"], signal["dateOfBirth"]]
    return found + ([package.decode()] if package else [])


def instances_of(client, key: str) -> set[str]:
    return engine_purge.footprint(client, key).instance_ids


def task_of(engine, key: str, task_id: str) -> dict:
    return wait_until(lambda: next(iter(engine.client().get("task", processInstanceBusinessKey=key, taskDefinitionKey=task_id)), None),
                      90, what=f"user task {task_id} of {key}")


def complete_as_analyst(engine, task: dict, variables: dict[str, Any]) -> None:
    officer = engine.client(ANALYST)
    officer.post(f"task/{task['id']}/claim", {"userId": ANALYST})
    officer.post(f"task/{task['id']}/complete", {"variables": to_camunda_map(variables)})


def engine_findings(engine, ids: set[str], words: list[str], task_ids: list[str]) -> list[str]:
    """Every record of every endpoint that belongs to ``ids`` or contains one of ``words``."""
    admin = engine.client()
    problems = []
    for endpoint in HISTORY_ENDPOINTS + RUNTIME_ENDPOINTS:
        params = {"deserializeValues": "false"} if "variable" in endpoint or endpoint.endswith("detail") else {}
        for row in admin.get(endpoint, **params):
            text = json.dumps(row, ensure_ascii=False)
            hits = [w for w in words if w in text]
            belongs = {row.get("processInstanceId"), row.get("rootProcessInstanceId"), row.get("id")} & ids
            if endpoint == AUDIT_LOG and not hits:
                continue
            if hits or belongs:
                kind = row.get("operationType") or row.get("activityId") or row.get("name") or row.get("variableName") or ""
                problems.append(f"{endpoint}: {row.get('id')} {kind} ({'contains ' + ', '.join(hits) if hits else 'of the case'})")
    for task_id in task_ids:  # comments and attachments are reached through their task only
        for what in ("comment", "attachment"):
            try:
                left = admin.get(f"task/{task_id}/{what}")
            except EngineError as exc:
                assert exc.status == 404, exc
                continue
            if left:
                problems.append(f"task/{task_id}/{what}: {len(left)}")
    return problems


def registers_findings(registers, words: list[str]) -> list[str]:
    problems = []
    with db.read_transaction(registers) as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                text = " ".join(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in row)
                problems += [f"{table.name}: {w}" for w in words if w in text]
    return problems


def destructions(registers, key: str) -> tuple[list[Any], list[Any]]:
    with db.read_transaction(registers) as conn:
        rows = conn.execute(select(db.destruction).where(db.destruction.c.case_key == key)).all()
    return rows, [e for e in iter_entries(registers, case_id=key) if e.entry.kind is EntryKind.DESTRUCTION]


def run_sweep(engine, *args: str, **env: str) -> dict:
    """`riec retention sweep --json` as an operator runs it."""
    done = subprocess.run([sys.executable, "-m", "riec", "retention", "sweep", "--json", *args], cwd=ROOT, capture_output=True,
                          text=True, env=engine.env(**env), timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def run_sweep_process(engine) -> dict:
    """The daily process, started by hand (its timer would start it at 03:00): the workers' service user does the work."""
    admin = engine.client()
    instance = admin.post("process-definition/key/riec-retention-sweep/start", {})
    assert instance["tenantId"] is None, "a national system process: no region"
    return wait_until(lambda: next((i for i in admin.get("history/process-instance", processInstanceId=instance["id"])
                                    if i["state"] == "COMPLETED"), None), 120, what="the retention sweep to end")


def provided_case(engine, key: str, signal: dict[str, Any], package: bytes) -> None:
    """From a signal with a hit to a provided case (the package in the vault), as the README's walkthrough."""
    send_signal_message(engine.client(), key, signal)
    wait_task(engine, key, "Task_HalfOpenSources")
    gather(engine, key)
    complete(engine, key, "Task_WorkUp", WORK_UP)
    complete(engine, key, "Task_CaseDecision", {"caseDecision": "request", "caseDecisionMotivation": "Motivering van het casusbesluit."})
    complete(engine, key, "Task_Request", request_variables(["art9"]))
    police_decides(engine, key, case_prosecutor="given")
    upload_package(engine, key, content=package)
    assert "EndEvent_CaseProvided" in case_outcome(engine, key)["endActivityIds"]


def test_r_7_1_a_provided_case_is_destroyed_everywhere_and_the_register_still_verifies(engine, workers, business_key, registers):
    key = business_key
    signal = made_up_subject(engine)
    package = f"Verstrekkingspakket over {signal['subjectName']}, {signal['street']} 12a, geboren {signal['dateOfBirth']}\n".encode()
    words = needles(signal, package)
    provided_case(engine, key, signal, package)
    # The intervention: strategy (with a comment and an attachment on the task that name the person), then carried out.
    strategy = task_of(engine, key, "Task_InterventionStrategy")
    admin = engine.client()
    admin.post(f"task/{strategy['id']}/comment/create", {"message": f"Overleg over {signal['subjectName']}"})
    admin.rest("POST", f"task/{strategy['id']}/attachment/create",
               files={"attachment-name": (None, "notitie"), "attachment-type": (None, "text/plain"),
                      "content": ("notitie.txt", f"{signal['street']} {signal['dateOfBirth']}".encode(), "text/plain")})
    complete_as_analyst(engine, strategy, {"interventionMeasures": ["bestuurlijk"], "interventionOtherDescription": "",
                                           "interventionStrategy": f"Gemeente sluit het pand van {signal['subjectName']} (Bibob)."})
    complete_as_analyst(engine, task_of(engine, key, "Task_InterventionCarriedOut"),
                        {"interventionCarriedOutOn": dt.date.today().isoformat()})
    task_ids = [t["id"] for t in admin.get("history/task", processInstanceBusinessKey=key)]
    ids = instances_of(admin, key)
    assert len(ids) >= 4, "signal, case, police request and intervention"
    assert engine_findings(engine, ids, words, task_ids), "before destruction the engine does hold the person (the search works)"

    diagram = admin.get("process-definition/key/riec-intervention/xml")["bpmn20Xml"]
    if "Task_Destroy" in diagram:
        # The diagram's way: nobody takes the anonymisation decision before the destruction date, so nothing is kept
        # the date is reached by executing the timer's job now.
        task_of(engine, key, "Task_AnonymisationDecision")
        intervention_id = admin.get("process-instance", businessKey=key, processDefinitionKey="riec-intervention")[0]["id"]
        [job] = admin.get("job", processInstanceId=intervention_id, activityId="Timer_AnonymisationTooLate")
        admin.post(f"job/{job['id']}/execute")
        done = wait_until(lambda: next((i for i in admin.get("history/process-instance", processInstanceId=intervention_id)
                                        if i["state"] == "COMPLETED"), None), 120, what="the intervention to end destroyed")
        ends = admin.get("history/activity-instance", processInstanceId=done["id"], activityType="noneEndEvent")
        assert "EndEvent_Destroyed" in [e["activityId"] for e in ends]
        trigger = "no_decision"
    else:  # until the intervention diagram has Task_Destroy: the same function the topic runs, as the workers' user
        s = engine.settings
        destroy_case(key, REGION, database=registers, camunda=engine.client(s.worker_user, s.worker_password), trigger="intervention")
        trigger = "intervention"
    # What is left of the intervention instance that ran Task_Destroy goes with the next sweep (the daily process).
    run_sweep_process(engine)

    assert engine_findings(engine, ids, words, task_ids) == []
    assert registers_findings(registers, words) == []
    with db.read_transaction(registers) as conn:
        assert conn.execute(select(db.vault_package).where(db.vault_package.c.case_key == key)).all() == []
    [row], [entry] = destructions(registers, key)
    counts = json.loads(row.counts)
    assert row.trigger == trigger and row.region == REGION and counts["vault_packages"] == 1 and counts["vault_keys_shredded"] == 1
    assert counts["process_instances"] >= 3 and entry.seq == row.register_seq
    assert entry.entry.person_refs == ("P-1", "P-2") and "R-7.1" in entry.entry.rule_ids
    assert not any(w in entry.model_dump_json() for w in words), "the register references, never contains"
    assert verify_chain(registers).ok
    # The necessity assessment is kept (reference only, R-5.2).
    assert any(e.entry.kind is EntryKind.NECESSITY_ASSESSMENT for e in iter_entries(registers, case_id=key))


HOLDER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="Definitions_TestDestruction" targetNamespace="https://riec.nl/test">
  <bpmn:process id="test-destruction-holder" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Hold" />
    <bpmn:userTask id="Hold" name="Vasthouden" camunda:candidateGroups="riec-analyst" />
    <bpmn:sequenceFlow id="F2" sourceRef="Hold" targetRef="End" /><bpmn:endEvent id="End" />
  </bpmn:process>
  <bpmn:process id="test-destruction-kill" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="KStart" /><bpmn:sequenceFlow id="K1" sourceRef="KStart" targetRef="Destroy" />
    <bpmn:serviceTask id="Destroy" camunda:type="external" camunda:topic="test-slow-case-destruction" />
    <bpmn:sequenceFlow id="K2" sourceRef="Destroy" targetRef="KEnd" /><bpmn:endEvent id="KEnd" />
  </bpmn:process>
</bpmn:definitions>
"""


def deploy_test_processes(engine) -> None:
    engine.client().rest("POST", "deployment/create", data={"deployment-name": "test-destruction", "enable-duplicate-filtering": "true"},
                         files=[("test-destruction.bpmn", ("test-destruction.bpmn", HOLDER.encode(), "application/octet-stream"))])


def hold(engine, key: str, signal: dict[str, Any], *, ended: bool = False) -> str:
    """An instance of the case holding the person's data (a running one, or one that ended)."""
    admin = engine.client()
    instance = admin.post("process-definition/key/test-destruction-holder/start", {
        "businessKey": key, "variables": to_camunda_map({"region": REGION, "caseKey": key, "subjectName": signal["subjectName"],
                                                         "street": signal["street"], "dateOfBirth": signal["dateOfBirth"]})})
    if ended:
        [task] = admin.get("task", processInstanceId=instance["id"])
        admin.post(f"task/{task['id']}/complete", {})
    return str(instance["id"])


def registered_case(engine, registers, key: str, carried_out_on: dt.date) -> None:
    """A provided case as the registers know it: a package in the vault (provided on the intervention's day) and the intervention."""
    from riec import intervention
    from tests.unit.test_destruction import put_package

    put_package(registers, key, provided=dt.datetime.combine(carried_out_on, dt.time(9), dt.UTC))
    intervention.record(registers, intervention.InterventionRecord(
        case_key=key, region=REGION, measures=["bestuurlijk"], other_description="", strategy="Gemeente sluit het pand.",
        carried_out_on=carried_out_on, recorded_at=dt.datetime.now(dt.UTC)))


def test_r_7_1_the_sweep_destroys_an_overdue_case_whose_process_was_deleted_by_hand(engine, workers, business_key, registers):
    key = business_key
    signal = made_up_subject(engine)
    deploy_test_processes(engine)
    today = dt.date.today()
    registered_case(engine, registers, key, today)
    hold(engine, key, signal, ended=True)
    by_hand = hold(engine, key, signal)
    engine.client().rest("DELETE", f"process-instance/{by_hand}")  # an operator deleted the running instance
    ids = instances_of(engine.client(), key)
    assert len(ids) == 2 and engine_findings(engine, ids, needles(signal), [])
    # Not overdue yet (14 days' grace): nothing happens.
    assert key not in run_sweep(engine)["cases_destroyed"] and destructions(registers, key) == ([], [])
    # The grace period has passed: `--today` moves the reference date.
    report = run_sweep(engine, "--today", (today + dt.timedelta(days=15)).isoformat())
    assert key in report["cases_destroyed"] and report["failed"] == {}
    assert engine_findings(engine, ids, needles(signal), []) == []
    [row], [entry] = destructions(registers, key)
    assert row.trigger == "sweep" and json.loads(row.counts)["process_instances"] == 2 and entry.entry.rule_ids == ("R-7.1",)
    assert verify_chain(registers).ok
    again = run_sweep(engine, "--today", (today + dt.timedelta(days=15)).isoformat())
    assert key not in again["cases_destroyed"] and len(destructions(registers, key)[1]) == 1, "registered once"


def test_r_5_2_a_no_hit_signals_personal_data_are_gone_from_every_endpoint_after_its_term(engine, workers, business_key, registers):
    key = business_key
    signal = {**made_up_subject(engine), "subjectName": f"Nohit {uuid.uuid4().hex[:6]}"}  # nobody knows this one: no hit
    send_signal_message(engine.client(), key, signal)
    assert wait_ended(engine.client(), key)["endActivityId"] == "EndEvent_NoHit"
    ids = instances_of(engine.client(), key)
    words = needles(signal)
    assert engine_findings(engine, ids, words, []), "the ended signal holds the person until its term"
    assert key not in run_sweep(engine)["signals_destroyed"], "the default term (28 days) has not passed"
    report = run_sweep(engine, RIEC_NO_CASE_RETENTION_DAYS="0")
    assert key in report["signals_destroyed"]
    assert engine_findings(engine, ids, words, []) == []
    assert registers_findings(registers, words) == []
    [row], [entry] = destructions(registers, key)
    assert row.subject == "signal" and row.trigger == "no_case" and entry.entry.rule_ids == ("R-5.2",)
    assert verify_chain(registers).ok


def test_r_7_1_a_worker_killed_mid_destruction_is_finished_by_the_next_and_registered_once(engine, business_key, registers, tmp_path):
    key = business_key
    signal = made_up_subject(engine)
    deploy_test_processes(engine)
    registered_case(engine, registers, key, dt.date.today())
    held = {hold(engine, key, signal, ended=True), hold(engine, key, signal), hold(engine, key, signal)}
    admin = engine.client()
    runner = admin.post("process-definition/key/test-destruction-kill/start",
                        {"businessKey": key, "variables": to_camunda_map({"region": REGION})})
    markers = tmp_path / "markers"
    markers.mkdir()
    env = {"RIEC_TEST_MARKER_DIR": str(markers)}
    first = WorkerProcess(engine, tmp_path / "first.log", registry="tests.integration.slow_destruction:registry",
                          extra_env={**env, "RIEC_WORKER_ID": "first", "RIEC_TEST_SLOW_SECONDS": "120"}).start()
    try:
        wait_until(lambda: (markers / "first.paused").exists(), 120, what="the first worker to pause mid-destruction")
    finally:
        first.kill()
    # Killed after the registers' part and one deletion in the engine: registered, the rest of the engine still holds data.
    assert len(destructions(registers, key)[0]) == 1
    assert len(admin.get("process-instance", businessKey=key, processDefinitionKey="test-destruction-holder")) == 1
    assert len(instances_of(admin, key) & held) == 3, "no history deleted yet"
    second = WorkerProcess(engine, tmp_path / "second.log", registry="tests.integration.slow_destruction:registry",
                           extra_env={**env, "RIEC_WORKER_ID": "second"}).start()
    try:
        wait_until(lambda: next((i for i in admin.get("history/process-instance", processInstanceId=runner["id"])
                                 if i["state"] == "COMPLETED"), None), 120, what="the destruction to be completed by the second worker")
    finally:
        second.stop()
    assert instances_of(admin, key) == {runner["id"]}, "every instance of the case is gone but the one that ran the destruction"
    assert engine_findings(engine, held, needles(signal), []) == []
    [row], [entry] = destructions(registers, key)
    assert json.loads(row.counts)["process_instances"] == 3 and json.loads(row.counts)["vault_packages"] == 1
    assert verify_chain(registers).ok
