"""The runtime under faults, on the real engine: a worker killed mid-task, an engine restart."""
from __future__ import annotations

import datetime as dt
import time

import pytest

from riec.app import App
from tests.integration.conftest import prepare
from tests.integration.engine import Engine, WorkerProcess, wait_until
from tests.integration.queries import SIGNAL_HIT, SIGNAL_NO_HIT, send_signal_message, variables, wait_ended
from riec.runtime.variables import to_camunda_map

pytestmark = pytest.mark.integration

SLOW_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="test-slow" isExecutable="true" camunda:historyTimeToLive="1">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="slow"/>
    <bpmn:serviceTask id="slow" camunda:type="external" camunda:topic="test-slow-hit-no-hit"/>
    <bpmn:sequenceFlow id="f2" sourceRef="slow" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"""

LOCK_MS = 3000


def parse_time(value: str) -> dt.datetime:
    """The engine's date format, e.g. 2026-11-29T18:01:02.345+0000."""
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")


def test_worker_killed_mid_task_task_completed_once_by_the_next(engine, business_key, tmp_path):
    client = engine.client()
    client.rest("POST", "deployment/create", data={"deployment-name": "test-slow", "enable-duplicate-filtering": "true"},
                files=[("slow.bpmn", ("slow.bpmn", SLOW_PROCESS.encode(), "application/octet-stream"))])
    env = {"RIEC_TEST_MARKER_DIR": str(tmp_path), "RIEC_LOCK_DURATION_MS": str(LOCK_MS)}
    first = WorkerProcess(engine, tmp_path / "a.log", "tests.integration.slow_topics:registry",
                          {**env, "RIEC_WORKER_ID": "worker-a", "RIEC_TEST_SLOW_SECONDS": "120"}).start()
    started = client.post("process-definition/key/test-slow/start", {"businessKey": business_key, "variables": to_camunda_map({**SIGNAL_HIT, "region": "riec-noord"})})

    # Kill the first worker after its side effect, before it completes the task.
    marker = tmp_path / f"{business_key}.worker-a"
    wait_until(marker.exists, 60, what="the first worker to record the hit check")
    [task] = client.get("external-task", processInstanceId=started["id"])
    first_expiry = parse_time(task["lockExpirationTime"])

    # Longer than the lock: only lock extension keeps it ours. The engine keeps workerId after a
    # lock expires, so prove the extension itself: the expiry moves forward, and another worker
    # polling the same topic meanwhile gets nothing.
    s = engine.settings
    probe = engine.client(s.worker_user, s.worker_password)
    deadline = time.monotonic() + LOCK_MS * 1.5 / 1000
    polls = 0
    while time.monotonic() < deadline:
        got = probe.post("external-task/fetchAndLock", {"workerId": "worker-probe", "maxTasks": 1, "topics": [
            {"topicName": "test-slow-hit-no-hit", "lockDuration": 60_000}]})
        assert got == [], "a second worker got the task during the first worker's extended lock"
        polls += 1
        time.sleep(0.25)
    assert polls >= 10
    [task] = client.get("external-task", processInstanceId=started["id"])
    assert task["workerId"] == "worker-a"
    assert parse_time(task["lockExpirationTime"]) > first_expiry + dt.timedelta(milliseconds=LOCK_MS / 2), "the lock was extended"
    assert parse_time(task["lockExpirationTime"]) > dt.datetime.now(dt.timezone.utc), "and is still held"
    first.kill()

    second = WorkerProcess(engine, tmp_path / "b.log", "tests.integration.slow_topics:registry",
                           {**env, "RIEC_WORKER_ID": "worker-b", "RIEC_TEST_SLOW_SECONDS": "0"}).start()
    try:
        wait_ended(client, business_key, timeout=60)
    finally:
        second.stop()

    successes = client.get("history/external-task-log", processInstanceId=started["id"], successLog="true")
    assert [s["workerId"] for s in successes] == ["worker-b"], "completed exactly once, by the second worker"
    recorded = variables(client, started["id"])
    assert recorded["completedBy"] == "worker-b"
    assert recorded["hitPartners"] == ["bd-noord"]  # the reporter, gem-groningen, is no hit
    # The side effect happened once: one record, under the task key both workers saw.
    task_key = marker.read_text()
    assert (tmp_path / f"{business_key}.worker-b").read_text() == task_key
    assert App(engine.settings).hit_checks.count(task_key) == 1


def test_engine_restart_workers_survive_and_log_outage_once(tmp_path):
    engine = Engine(tmp_path / "engine").start()
    worker = WorkerProcess(engine, tmp_path / "worker.log")
    try:
        prepare(engine)
        worker.start()
        send_signal_message(engine.client(), "RESTART-1", SIGNAL_NO_HIT)
        wait_ended(engine.client(), "RESTART-1")

        engine.stop()
        time.sleep(20)  # long enough for many retries, were they logged one by one
        assert worker.alive(), "the worker survives the outage"
        assert worker.log().count("engine unreachable") == 1

        engine.start()
        send_signal_message(engine.client(), "RESTART-2", SIGNAL_NO_HIT)
        assert wait_ended(engine.client(), "RESTART-2", timeout=90)["endActivityId"] == "EndEvent_NoHit"
        assert worker.log().count("engine unreachable") == 1
        assert worker.log().count("engine reachable again") == 1
    finally:
        exit_code = worker.stop()
        engine.stop()
    assert exit_code == 0, "SIGTERM stops the worker cleanly"
