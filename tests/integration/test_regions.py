"""Regions are tenants (R-6.1): a region's work is invisible to every other region, on the real engine.

The data of one region (riec-noord) are made by the administrator; then every role's
demo user of another region (riec-limburg) lists them through every REST endpoint
that could show them (nothing) and addresses each by id (refused). The same calls by
the administrator prove the ids are real, so an empty answer means hidden, not absent.
"""
from __future__ import annotations

import uuid

import pytest
import requests

from riec.identity import REGION_IDS, ROLES, WORKER_GROUP, demo_users
from riec.runtime.engine import EngineError
from riec.runtime.variables import to_camunda_map
from tests.integration.engine import wait_until

pytestmark = pytest.mark.integration

REGION, OTHER = "riec-noord", "riec-limburg"
SECRET = "r-6-1-probe-value"

TEST_PROCESSES = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="test-region-parent" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call"/>
    <bpmn:callActivity id="call" calledElement="test-region-child"/>
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
  <bpmn:process id="test-region-child" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="cs"/>
    <bpmn:sequenceFlow id="cf1" sourceRef="cs" targetRef="work"/>
    <bpmn:serviceTask id="work" camunda:type="external" camunda:topic="test-region-topic"/>
    <bpmn:sequenceFlow id="cf2" sourceRef="work" targetRef="ce"/>
    <bpmn:endEvent id="ce"/>
  </bpmn:process>
</bpmn:definitions>"""


def session(engine, user: str, password: str | None = None) -> requests.Session:
    s = requests.Session()
    s.auth = (user, password if password is not None else engine.settings.demo_password)
    return s


def start(engine, region: str, activity: str = "Task_CorrectSignal", **variables) -> dict:
    return engine.client().post("process-definition/key/riec-signal/start", {
        "businessKey": f"R61-{uuid.uuid4().hex[:10]}",
        "variables": to_camunda_map({"subjectName": SECRET, "region": region, **variables}),
        "startInstructions": [{"type": "startBeforeActivity", "activityId": activity}],
    })


@pytest.fixture(scope="module")
def noord(engine):
    """One riec-noord signal at a user task, with an incident, a comment, an external task and a finished one."""
    admin = engine.client()
    instance = start(engine, REGION)
    task = admin.get("task", processInstanceId=instance["id"])[0]
    admin.post(f"task/{task['id']}/comment/create", {"message": "opmerking"})
    incident = admin.post(f"execution/{task['executionId']}/create-incident", {"incidentType": "r61Probe", "configuration": "c", "message": "m"})
    # An external task (hit/no-hit, missing its address: the session's workers may fail it, it stays).
    external = start(engine, REGION, "Task_HitNoHit")
    finished = start(engine, REGION, "EndEvent_ToCase")
    variable = admin.get("variable-instance", processInstanceIdIn=instance["id"], variableName="subjectName")[0]
    return {
        "instance": instance["id"], "task": task["id"], "execution": task["executionId"], "incident": incident["id"],
        "external_instance": external["id"], "external_task": admin.get("external-task", processInstanceId=external["id"])[0]["id"],
        "finished": finished["id"], "variable": variable["id"],
        "detail": next(d["id"] for d in admin.get("history/detail", processInstanceId=instance["id"]) if d.get("variableName") == "subjectName"),
        "ids": {instance["id"], external["id"], finished["id"]},
    }


#: Lists of everything: nothing of riec-noord may be in them for another region's user.
LISTS = [
    "task", "process-instance", "execution", "variable-instance", "incident", "external-task", "job",
    "event-subscription", "history/process-instance", "history/activity-instance", "history/task",
    "history/variable-instance", "history/detail", "history/incident", "history/job-log",
    "history/external-task-log", "history/identity-link-log", "history/user-operation",
]


def mentions(items, ids: set[str]) -> list:
    return [i for i in items if ids & {i.get("processInstanceId"), i.get("id"), i.get("rootProcessInstanceId")}
            or i.get("tenantId") == REGION or SECRET in str(i.get("value", ""))]


def by_id_calls(d: dict) -> list[tuple[str, str, dict | None]]:
    pid, tid = d["instance"], d["task"]
    return [
        ("GET", f"task/{tid}", None), ("GET", f"task/{tid}/variables", None), ("GET", f"task/{tid}/form-variables", None),
        ("GET", f"task/{tid}/identity-links", None), ("GET", f"task/{tid}/comment", None),
        ("POST", f"task/{tid}/claim", {"userId": "x"}), ("POST", f"task/{tid}/complete", {}),
        ("PUT", f"task/{tid}/variables/subjectName", {"value": "x", "type": "String"}),
        ("GET", f"process-instance/{pid}", None), ("GET", f"process-instance/{pid}/variables", None),
        ("GET", f"process-instance/{pid}/activity-instances", None),
        ("PUT", f"process-instance/{pid}/variables/subjectName", {"value": "x", "type": "String"}),
        ("DELETE", f"process-instance/{pid}", None),
        ("GET", f"execution/{d['execution']}", None), ("GET", f"incident/{d['incident']}", None),
        ("GET", f"variable-instance/{d['variable']}", None), ("GET", f"history/variable-instance/{d['variable']}", None),
        ("GET", f"history/detail/{d['detail']}", None), ("GET", f"history/process-instance/{pid}", None),
        ("GET", f"history/process-instance/{d['finished']}", None), ("GET", f"external-task/{d['external_task']}", None),
        ("PUT", f"external-task/{d['external_task']}/retries", {"retries": 3}),
    ]


def refused(response: requests.Response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    text = response.text.lower()
    return response.status_code in (400, 500) and any(
        s in text for s in ("no authenticated tenant", "not authorized", "does not have", "does not exist", "not found", "cannot find"))


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.group)
def test_r_6_1_another_regions_user_sees_nothing_and_reaches_nothing_by_id(engine, noord, role):
    base = engine.settings.engine_url
    user = role.user + "-limburg"
    with session(engine, user) as s:
        for path in LISTS:
            response = s.get(f"{base}/{path}", params={"maxResults": 1000}, timeout=30)
            assert response.status_code in (200, 403), (user, path, response.status_code, response.text[:200])
            if response.ok:
                assert mentions(response.json(), noord["ids"]) == [], f"{user} sees riec-noord data in /{path}"
        for path in ("task/count", "process-instance/count", "history/process-instance/count", "incident/count"):
            response = s.get(f"{base}/{path}", params={"processInstanceId": noord["instance"], "processInstanceIds": noord["instance"]}, timeout=30)
            assert response.status_code == 403 or response.json()["count"] == 0, (user, path)
        for path in ("history/variable-instance", "history/detail", "variable-instance"):
            response = s.get(f"{base}/{path}", params={"variableName": "subjectName"}, timeout=30)
            assert response.status_code == 403 or not mentions(response.json(), noord["ids"]), (user, path)
        # Tasklist's own stored filters, executed: no task of riec-noord.
        for f in s.get(f"{base}/filter", timeout=30).json():
            listed = s.post(f"{base}/filter/{f['id']}/list", json={}, params={"maxResults": 1000}, timeout=30)
            assert listed.status_code in (200, 403) and (listed.status_code == 403 or not mentions(listed.json(), noord["ids"])), (user, f["name"])
        for method, path, body in by_id_calls(noord):
            response = s.request(method, f"{base}/{path}", json=body, timeout=30)
            assert refused(response), f"{user} reached riec-noord's {method} /{path}: {response.status_code} {response.text[:200]}"
    # The webapps' own copy of the API, with a Tasklist session (what Tasklist itself calls).
    root = base.removesuffix("/engine-rest")
    with requests.Session() as web:
        web.get(f"{root}/camunda/app/tasklist/default/", timeout=30)
        login = web.post(f"{root}/camunda/api/admin/auth/user/default/login/tasklist",
                         data={"username": user, "password": engine.settings.demo_password},
                         headers={"X-XSRF-TOKEN": web.cookies.get("XSRF-TOKEN", "")}, timeout=30)
        assert login.ok, (user, login.status_code)
        api = f"{root}/camunda/api/engine/engine/default"
        headers = {"X-XSRF-TOKEN": web.cookies.get("XSRF-TOKEN", "")}
        for path in ("task", "process-instance", "history/process-instance", "variable-instance", "incident"):
            response = web.get(f"{api}/{path}", params={"maxResults": 1000}, headers=headers, timeout=30)
            assert response.status_code in (200, 403), (user, path, response.status_code)
            assert response.status_code == 403 or mentions(response.json(), noord["ids"]) == [], f"{user} sees riec-noord data in the webapp's /{path}"
        for path in (f"task/{noord['task']}", f"task/{noord['task']}/form-variables", f"process-instance/{noord['instance']}"):
            assert refused(web.get(f"{api}/{path}", headers=headers, timeout=30)), f"{user} reached riec-noord's {path} through the webapp"
    # The data are still there and untouched.
    admin = engine.client()
    assert admin.get(f"process-instance/{noord['instance']}")["tenantId"] == REGION
    assert admin.get(f"task/{noord['task']}")["assignee"] is None
    assert admin.get(f"process-instance/{noord['instance']}/variables")["subjectName"]["value"] == SECRET


def test_r_6_1_the_same_calls_by_the_administrator_find_everything(engine, noord):
    """The control: the ids above are real, so an empty answer for another region means hidden."""
    base = engine.settings.engine_url
    s = engine.settings
    with session(engine, s.engine_user, s.engine_password) as admin:
        for method, path, _ in by_id_calls(noord):
            if method == "GET":
                assert admin.get(f"{base}/{path}", timeout=30).ok, path
        for path in ("task", "process-instance", "variable-instance", "incident", "history/process-instance", "history/variable-instance", "history/detail"):
            assert mentions(admin.get(f"{base}/{path}", params={"maxResults": 5000}, timeout=30).json(), noord["ids"]), path


def test_r_6_1_an_analyst_of_the_region_sees_its_signal(engine, noord):
    analyst = engine.client("analist")
    assert [t["id"] for t in analyst.get("task", processInstanceId=noord["instance"])] == [noord["task"]]
    assert analyst.get(f"process-instance/{noord['instance']}/variables")["subjectName"]["value"] == SECRET


def test_r_6_1_a_signal_gets_the_region_of_the_analyst_who_starts_it(engine):
    for user, region in (("analist", REGION), ("analist-limburg", OTHER)):
        client = engine.client(user)
        definition = client.get("process-definition/key/riec-signal")
        started = client.post(f"process-definition/{definition['id']}/start", {
            "businessKey": f"R61-{uuid.uuid4().hex[:10]}",
            "startInstructions": [{"type": "startBeforeActivity", "activityId": "Task_CorrectSignal"}],
        })
        assert started["tenantId"] == region, user
        assert engine.client("analist" if region == OTHER else "analist-limburg").get("task", processInstanceId=started["id"]) == []


def test_r_6_1_nobody_starts_a_signal_in_a_region_they_do_not_belong_to(engine):
    with pytest.raises(EngineError) as refused_start:
        engine.client("analist-limburg").post("process-definition/key/riec-signal/start", {"variables": to_camunda_map({"region": REGION})})
    assert refused_start.value.status == 403
    assert "R-6.1" in str(refused_start.value)


def test_r_6_1_nothing_starts_without_a_region(engine):
    admin = engine.client()
    for variables in ({}, {"region": "riec-atlantis"}, {"region": ""}):
        with pytest.raises(EngineError) as refused_start:
            admin.post("process-definition/key/riec-signal/start", {"variables": to_camunda_map(variables)})
        assert refused_start.value.status in (400, 500) and "R-6.1" in str(refused_start.value), variables
    assert admin.post("process-definition/key/riec-signal/start", {
        "variables": to_camunda_map({"region": OTHER}),
        "startInstructions": [{"type": "startBeforeActivity", "activityId": "Task_CorrectSignal"}],
    })["tenantId"] == OTHER


def test_r_6_1_a_called_process_inherits_its_callers_region_and_the_workers_serve_every_region(engine):
    admin = engine.client()
    admin.rest("POST", "deployment/create", data={"deployment-name": "test-region", "enable-duplicate-filtering": "true"},
               files=[("region.bpmn", ("region.bpmn", TEST_PROCESSES.encode(), "application/octet-stream"))])
    parents = {region: admin.post("process-definition/key/test-region-parent/start", {"variables": to_camunda_map({"region": region})})
               for region in (REGION, OTHER)}
    for region, parent in parents.items():
        child = wait_until(lambda: admin.get("process-instance", superProcessInstance=parent["id"]), 30, what="the called process")[0]
        assert child["tenantId"] == region
    s = engine.settings
    worker = engine.client(s.worker_user, s.worker_password)
    fetched = worker.post("external-task/fetchAndLock", {"workerId": "r61", "maxTasks": 10,
                                                         "topics": [{"topicName": "test-region-topic", "lockDuration": 10_000}]})
    assert {t["tenantId"] for t in fetched} == {REGION, OTHER}
    for task in fetched:
        worker.post(f"external-task/{task['id']}/complete", {"workerId": "r61"})


def test_r_6_1_every_region_exists_and_each_demo_user_belongs_to_exactly_one(engine):
    admin = engine.client()
    assert sorted(t["id"] for t in admin.get("tenant")) == sorted(REGION_IDS)
    for role, region in demo_users():
        assert [t["id"] for t in admin.get("tenant", userMember=role.user, includingGroupsOfUser="true")] == [region], role.user
    s = engine.settings
    worker_regions = admin.get("tenant", userMember=s.worker_user, includingGroupsOfUser="true")
    assert sorted(t["id"] for t in worker_regions) == sorted(REGION_IDS)
    assert admin.get("tenant", groupMember=WORKER_GROUP.group) and not admin.get("tenant", groupMember="riec-analyst")


def test_r_6_1_the_national_view_shows_counts_per_region_and_nothing_else(engine, noord):
    from riec.regions import format_view, national_view

    rows = national_view(engine.client())
    assert [r["region"] for r in rows] == REGION_IDS
    by_region = {r["region"]: r for r in rows}
    assert by_region[REGION]["signals running"] >= 2 and by_region[REGION]["open incidents"] >= 1
    assert by_region[REGION]["signals ended"] >= 1 and by_region[REGION]["open tasks"] >= 1
    assert by_region["riec-amsterdam"]["signals running"] == 0
    text = format_view(rows)
    assert "Nationaal" in text and SECRET not in text and "R61-" not in text
    assert all(isinstance(v, int) for r in rows for k, v in r.items() if k not in ("region", "name"))
