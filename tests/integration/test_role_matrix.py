"""The role × region matrix of docs/security.md, tried cell by cell on the real engine (R-5.2, R-6.1).

The table in docs/security.md ("## Role × region matrix") is the one declaration of
who may do what: this test parses it and tries every cell through the REST API (the
webapps through their own login) with that role's own credentials: the role's demo
user of the data's region (riec-noord) and of another region (riec-limburg). It fails
for a process or user task in bpmn/ that has no row, so a new diagram cannot slip
past the matrix, and for a row that gives another region's user anything but `no`
(the region rule, R-6.1). The rows of the data outside the engine (vault, letters,
register, stats; issue 12) are tried through the vault's page and `riec ... --user`
by the probes of tests/integration/test_region_boundary.py.

It runs its own engine without workers: fetch-and-lock probes must not race the
session's worker processes for the external tasks they look at.
"""
from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from riec.identity import ROLES, WORKER_GROUP
from riec.runtime.variables import to_camunda_map
from tests.integration.conftest import prepare
from tests.integration.engine import ROOT, Engine
from tests.integration.test_region_boundary import PROBES, RegionData

pytestmark = pytest.mark.integration

MATRIX_DOC = ROOT / "docs" / "security.md"
SECTION = "## Role × region matrix"
REGION, OTHER_REGION, OTHER_SUFFIX = "riec-noord", "riec-limburg", "-limburg"
ADMIN_GROUP = "camunda-admin"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"
#: Rows every process needs (plus `fetch` when it has external tasks, `task` per user task).
PROCESS_ACTIONS = ("start", "instances", "instance variables", "history", "history variables", "incidents")
GLOBAL_ACTIONS = ("deploy", "users", "groups", "tenants", "authorizations", "filters", "tasklist", "cockpit", "admin")
#: Logging in to a webapp is not a region's data: the one kind of row a user of another region may get `yes` in.
LOGINS = ("tasklist", "cockpit", "admin")
#: The data outside the engine (issue 12): the vault, the letters, the register's views, the stats (test_region_boundary).
BOUNDARY_ACTIONS = tuple(PROBES)

#: Variables an instance needs to stand at (or start before) a task of this process.
#: The case and police processes read their tasks' due periods (set by case-init / police-init, docs/case-process.md).
_DUE = {"dueRiecAnalyst": "P5D", "duePoliceUnit": "P10D", "duePoliceDataOfficer": "P5D", "dueCaseProsecutor": "P5D",
        "dueCieProsecutor": "P5D"}
#: riec-intervention's timers (R-7.1, R-7.2) read dates set at its start and by intervention-record: far ahead here.
_RETENTION = {"maxRetentionAt": "2099-01-01T00:00:00+01:00", "retentionWarningAt": "2098-12-01T00:00:00+01:00",
              "destructionDueAt": "2098-06-01T00:00:00+02:00", "anonymisationDueAt": "2098-05-25T23:59:00+02:00",
              "destructionDueOn": "2098-06-01"}
START_VARIABLES: dict[str, dict] = {"riec-case": _DUE, "police-request": _DUE, "riec-intervention": {**_DUE, **_RETENTION}}
#: riec-onward-provision (R-6.2, R-6.3): the requester's correction task reads dueRiecPartner (set by validate-onward-request).
START_VARIABLES["riec-onward-provision"] = {**_DUE, "dueRiecPartner": "P5D"}
#: Variables a user task needs to be completed: (process id, task id) -> variables.
COMPLETE_VARIABLES: dict[tuple[str, str], dict] = {
    ("riec-signal", "Task_CorrectSignal"): {"correctionDecision": "intrekken"},
}
#: A value that proves a variable was read, not just listed.
PROBE_VALUE = "matrix-probe-value"


# -- the declaration ---------------------------------------------------------------


@dataclass(frozen=True)
class Diagram:
    process: str
    user_tasks: dict[str, list[str]]  # task id -> candidate groups
    external_tasks: list[str]  # activity ids
    has_none_start: bool


def diagrams() -> list[Diagram]:
    found = []
    for path in sorted((ROOT / "bpmn").glob("*.bpmn")):
        for process in ET.parse(path).getroot().iter(f"{BPMN}process"):
            if process.get("isExecutable") != "true":
                continue
            tasks = {t.get("id"): [g.strip() for g in (t.get(f"{CAMUNDA}candidateGroups") or "").split(",") if g.strip()]
                     for t in process.iter(f"{BPMN}userTask")}
            external = [t.get("id") for kind in ("serviceTask", "sendTask", "businessRuleTask")
                        for t in process.iter(f"{BPMN}{kind}") if t.get(f"{CAMUNDA}type") == "external"]
            none_start = any(len([c for c in s if c.tag.endswith("EventDefinition")]) == 0
                             for s in process.findall(f"{BPMN}startEvent"))
            found.append(Diagram(process.get("id"), tasks, external, none_start))
    return found


def matrix() -> tuple[list[str], dict[str, dict[str, str]]]:
    """(columns, {action: {column: cell}}) from the first table after the section heading."""
    text = MATRIX_DOC.read_text(encoding="utf-8")
    assert SECTION in text, f"{MATRIX_DOC} has no section {SECTION!r}"
    lines = [line.strip() for line in text.split(SECTION, 1)[1].splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("| Action"))
    header = [c.strip() for c in lines[start].strip("|").split("|")]
    rows: dict[str, dict[str, str]] = {}
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        action = re.fullmatch(r"`([^`]+)`", cells[0])
        assert action, f"first cell must be an action in backticks: {line}"
        assert len(cells) == len(header), f"{len(cells)} cells for {len(header)} columns: {line}"
        assert action.group(1) not in rows, f"row twice: {action.group(1)}"
        rows[action.group(1)] = dict(zip(header[1:], cells[1:]))
    return header[1:], rows


#: A task row's answers: `work` (see it, read its variables, claim and complete it), `see` (listed and
#: readable by id, but no variable value, no claim, no complete), `no` (nothing). Other rows: `yes` / `no`.
TASK_LEVELS = ("work", "see", "no")


def expected(cell: str, task: bool = False) -> tuple[str, str]:
    """(same region, other region) from `yes`, `no`, `yes/no` (task rows: `work`, `see`, `no`, `work/no`, ...)."""
    parts = [p.strip() for p in cell.split("/")]
    allowed_words = TASK_LEVELS if task else ("yes", "no")
    assert len(parts) in (1, 2) and all(p in allowed_words for p in parts), f"cell must be one or two of {allowed_words} joined by '/': {cell!r}"
    return parts[0], parts[-1]


def required_rows() -> set[str]:
    rows = set(GLOBAL_ACTIONS) | set(BOUNDARY_ACTIONS)
    for d in diagrams():
        rows |= {f"{a} {d.process}" for a in PROCESS_ACTIONS}
        rows |= {f"task {d.process}:{t}" for t in d.user_tasks}
        if d.external_tasks:
            rows.add(f"fetch {d.process}")
    return rows


def test_r_6_1_every_process_and_user_task_has_a_row_in_the_matrix():
    columns, rows = matrix()
    assert set(columns) == {r.group for r in ROLES} | {WORKER_GROUP.group, ADMIN_GROUP}, "one column per role, the workers and the administrator"
    missing = sorted(required_rows() - set(rows))
    assert not missing, "docs/security.md's role × region matrix has no row for: " + ", ".join(missing)
    unknown = sorted(set(rows) - required_rows())
    assert not unknown, f"rows for processes, tasks or actions that do not exist: {unknown}"
    for d in diagrams():
        for task, groups in d.user_tasks.items():
            for group in groups:
                assert expected(rows[f"task {d.process}:{task}"][group], task=True)[0] == "work", f"{task}'s candidate group {group} must be able to work it"
    for action, row in rows.items():
        for column, cell in row.items():
            expected(cell, task=action.startswith("task "))
            if column in (WORKER_GROUP.group, ADMIN_GROUP):
                assert "/" not in cell, f"{column} has no region of its own: write yes or no, not {cell!r}"
            elif action not in LOGINS:
                # The region rule (docs/security.md): another region's user sees nothing and does nothing.
                assert expected(cell, task=action.startswith("task "))[1] == "no", \
                    f"{action} | {column}: a user of another region must get 'no' (R-6.1), not {cell!r}"


# -- the probes --------------------------------------------------------------------


class Unexpected(AssertionError):
    """An answer that is neither allowed nor an authorization or region refusal."""


REFUSALS = re.compile(r"not authorized|does not have|no authenticated tenant|not a member of that region|"
                      r"does not exist|not found|cannot find|no .* found", re.IGNORECASE)


def allowed(response: requests.Response) -> bool:
    if 200 <= response.status_code < 300:
        return True
    if response.status_code in (401, 403, 404):
        return False
    try:
        message = response.json().get("message", "")
    except ValueError:
        message = response.text
    if REFUSALS.search(message or ""):
        return False
    raise Unexpected(f"{response.request.method} {response.url}: {response.status_code} {message}")


def agree(results: dict[str, bool]) -> bool:
    """The answers of one cell's requests must agree: all allowed or all refused."""
    if len(set(results.values())) != 1:
        raise Unexpected(f"inconsistent answers (True = allowed): {results}")
    return next(iter(results.values()))


@dataclass
class Actor:
    user: str
    password: str
    base: str

    def session(self) -> requests.Session:
        s = requests.Session()
        s.auth = (self.user, self.password)
        return s

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        with self.session() as s:
            return s.request(method, f"{self.base}/{path}", timeout=30, **kwargs)

    def listed(self, path: str, key: str = "id", value: str | None = None, **params) -> bool:
        response = self.call("GET", path, params=params)
        if not allowed(response):
            return False
        items = response.json()
        return any(value is None or item.get(key) == value for item in items)


class World:
    """The riec-noord data the probes look at, made by the administrator."""

    def __init__(self, engine: Engine, work_dir: Path):
        self.engine = engine
        self.admin = engine.client()
        self.shared: dict[str, dict] = {}
        self.work_dir = work_dir
        self._outside: RegionData | None = None

    def outside(self) -> RegionData:
        """riec-noord's data outside the engine: a provided package, a refusal letter, register entries."""
        if self._outside is None:
            self._outside = RegionData.make(self.engine, self.work_dir)
        return self._outside

    def start_at(self, process: str, activity: str | None) -> dict:
        body = {
            "businessKey": f"MATRIX-{uuid.uuid4().hex[:10]}",
            "variables": to_camunda_map({**START_VARIABLES.get(process, {}), "region": REGION, "matrixProbe": PROBE_VALUE}),
        }
        if activity:
            body["startInstructions"] = [{"type": "startBeforeActivity", "activityId": activity}]
        instance = self.admin.post(f"process-definition/key/{process}/start", body)
        assert instance["tenantId"] == REGION
        return instance

    def task_of(self, instance: dict, task: str) -> dict:
        tasks = self.admin.get("task", processInstanceId=instance["id"], taskDefinitionKey=task)
        assert len(tasks) == 1, f"no task {task} in {instance['id']}"
        return tasks[0]

    def standing(self, d: Diagram) -> dict:
        """One instance per process standing at a user task (or external task), with an incident."""
        if d.process not in self.shared:
            activity = next(iter(d.user_tasks), None) or d.external_tasks[0]
            instance = self.start_at(d.process, activity)
            execution = self.admin.get("execution", processInstanceId=instance["id"], activityId=activity)
            execution_id = execution[0]["id"] if execution else instance["id"]
            incident = self.admin.post(f"execution/{execution_id}/create-incident",
                                       {"incidentType": "matrixProbe", "configuration": "probe", "message": "probe"})
            self.shared[d.process] = {"instance": instance, "incident": incident["id"]}
        return self.shared[d.process]


def probe_task(world: World, actor: Actor, d: Diagram, task_id: str) -> str:
    instance = world.start_at(d.process, task_id)
    task = world.task_of(instance, task_id)
    seen = agree({
        "listed": actor.listed("task", processInstanceId=instance["id"]),
        "by id": allowed(actor.call("GET", f"task/{task['id']}")),
    })
    variables = actor.call("GET", f"task/{task['id']}/variables")
    form = actor.call("GET", f"task/{task['id']}/form-variables")
    work = {
        "variables": allowed(variables) and variables.json().get("matrixProbe", {}).get("value") == PROBE_VALUE,
        "form variables": allowed(form) and form.json().get("matrixProbe", {}).get("value") == PROBE_VALUE,
        "claim": allowed(actor.call("POST", f"task/{task['id']}/claim", json={"userId": actor.user})),
    }
    complete = actor.call("POST", f"task/{task['id']}/complete",
                          json={"variables": to_camunda_map(COMPLETE_VARIABLES.get((d.process, task_id), {}))})
    work["complete"] = allowed(complete)
    works = agree(work)
    if works and not seen:
        raise Unexpected(f"{actor.user} works {task_id} without seeing it")
    return "work" if works else "see" if seen else "no"


def probe_start(world: World, actor: Actor, d: Diagram, same_region: bool, plain_user: bool) -> bool:
    # Same region: a user of one region names none (Tasklist's way); others name riec-noord.
    variables = {**START_VARIABLES.get(d.process, {}), **({} if same_region and plain_user else {"region": REGION})}
    body: dict = {"businessKey": f"MATRIX-{uuid.uuid4().hex[:10]}", "variables": to_camunda_map(variables)}
    if not d.has_none_start:
        first = next(iter(d.user_tasks), None) or d.external_tasks[0]
        body["startInstructions"] = [{"type": "startBeforeActivity", "activityId": first}]
    response = actor.call("POST", f"process-definition/key/{d.process}/start", json=body)
    if allowed(response):
        assert response.json()["tenantId"] == REGION, "started in the wrong region"
        return True
    return False


def probe_read(world: World, actor: Actor, d: Diagram, action: str) -> bool:
    shared = world.standing(d)
    pid = shared["instance"]["id"]
    if action == "instances":
        count = actor.call("GET", "process-instance/count", params={"processInstanceIds": pid})
        return agree({
            "listed": actor.listed("process-instance", processInstanceIds=pid),
            "by id": allowed(actor.call("GET", f"process-instance/{pid}")),
            "counted": allowed(count) and count.json()["count"] == 1,
        })
    if action == "instance variables":
        by_instance = actor.call("GET", f"process-instance/{pid}/variables")
        return agree({
            "variable-instance": actor.listed("variable-instance", "value", PROBE_VALUE, processInstanceIdIn=pid),
            "instance variables": allowed(by_instance) and by_instance.json().get("matrixProbe", {}).get("value") == PROBE_VALUE,
        })
    if action == "history":
        return agree({
            "listed": actor.listed("history/process-instance", processInstanceId=pid),
            "by id": allowed(actor.call("GET", f"history/process-instance/{pid}")),
            "activities": actor.listed("history/activity-instance", processInstanceId=pid),
            "incidents": actor.listed("history/incident", processInstanceId=pid),
        })
    if action == "history variables":
        return agree({
            "history/variable-instance": actor.listed("history/variable-instance", "value", PROBE_VALUE, processInstanceId=pid),
            "history/detail": actor.listed("history/detail", "value", PROBE_VALUE, processInstanceId=pid),
        })
    if action == "incidents":
        return agree({
            "listed": actor.listed("incident", processInstanceId=pid),
            "by id": allowed(actor.call("GET", f"incident/{shared['incident']}")),
        })
    raise AssertionError(f"unknown action {action}")


def probe_fetch(world: World, actor: Actor, d: Diagram) -> bool:
    activity = d.external_tasks[0]
    instance = world.start_at(d.process, activity)
    topic = world.admin.get("external-task", processInstanceId=instance["id"])[0]["topicName"]
    response = actor.call("POST", "external-task/fetchAndLock", json={
        "workerId": f"matrix-{actor.user}", "maxTasks": 10,
        "topics": [{"topicName": topic, "lockDuration": 60_000, "businessKey": instance["businessKey"]}],
    })
    return allowed(response) and any(t["processInstanceId"] == instance["id"] for t in response.json())


TINY_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="{id}" isExecutable="true" camunda:historyTimeToLive="P1D"><bpmn:startEvent id="s"/></bpmn:process>
</bpmn:definitions>"""


def probe_global(world: World, actor: Actor, action: str) -> bool:
    name = f"probe-{uuid.uuid4().hex[:8]}"
    admin = world.admin
    if action in ("tasklist", "cockpit", "admin"):
        with requests.Session() as s:
            # As a browser does: the app page sets the CSRF cookie the login must echo.
            base = actor.base.removesuffix("/engine-rest")
            s.get(f"{base}/camunda/app/{action}/default/", timeout=30).raise_for_status()
            response = s.post(f"{base}/camunda/api/admin/auth/user/default/login/{action}",
                              data={"username": actor.user, "password": actor.password},
                              headers={"X-XSRF-TOKEN": s.cookies.get("XSRF-TOKEN", "")}, timeout=30)
        return allowed(response)
    if action == "deploy":
        response = actor.call("POST", "deployment/create", data={"deployment-name": name},
                              files=[(f"{name}.bpmn", (f"{name}.bpmn", TINY_BPMN.replace("{id}", name).encode()))])
        if allowed(response):
            admin.rest("DELETE", f"deployment/{response.json()['id']}", params={"cascade": "true"})
            return True
        return False
    creations = {
        "users": ("user/create", {"profile": {"id": name, "firstName": "Matrix", "lastName": "Toets"}, "credentials": {"password": "Zeer-Geheim-2026!"}}, f"user/{name}"),
        "groups": ("group/create", {"id": name, "name": name, "type": "WORKFLOW"}, f"group/{name}"),
        "tenants": ("tenant/create", {"id": name, "name": name}, f"tenant/{name}"),
        "authorizations": ("authorization/create", {"type": 1, "permissions": ["ACCESS"], "groupId": name, "resourceType": 0, "resourceId": "tasklist"}, None),
        "filters": ("filter/create", {"resourceType": "Task", "name": name, "query": {}, "properties": {}}, None),
    }
    path, body, cleanup = creations[action]
    response = actor.call("POST", path, json=body)
    if not allowed(response):
        return False
    if cleanup is None:
        kind = path.split("/")[0]
        cleanup = f"{kind}/{response.json()['id']}"
    admin.rest("DELETE", cleanup)
    return True


# -- the cells ---------------------------------------------------------------------


def actors(engine: Engine, column: str) -> list[tuple[Actor, bool]]:
    """(actor, same region) pairs for a column: a role's two demo users; the workers and admin once."""
    s, base = engine.settings, engine.settings.engine_url
    if column == ADMIN_GROUP:
        return [(Actor(s.engine_user, s.engine_password, base), True)]
    if column == WORKER_GROUP.group:
        return [(Actor(s.worker_user, s.worker_password, base), True)]
    role = next(r for r in ROLES if r.group == column)
    return [(Actor(role.user, s.demo_password, base), True), (Actor(role.user + OTHER_SUFFIX, s.demo_password, base), False)]


def cells() -> list:
    columns, rows = matrix()
    return [pytest.param(action, column, id=f"{action} | {column}") for action in rows for column in columns]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    engine = Engine(tmp_path_factory.mktemp("matrix-engine")).start()
    try:
        prepare(engine)
        yield World(engine, tmp_path_factory.mktemp("matrix-outside"))
    finally:
        engine.stop()


@pytest.mark.parametrize(("action", "column"), cells())
def test_r_6_1_role_matrix_cell(world, action, column):
    _, rows = matrix()
    want_same, want_other = expected(rows[action][column], task=action.startswith("task "))
    by_process = {d.process: d for d in diagrams()}
    verb, _, target = action.partition(" ")
    if action.startswith(("instance variables ", "history variables ")):
        verb, target = action.rsplit(" ", 1)
    for actor, same_region in actors(world.engine, column):
        want = want_same if same_region else want_other
        if action in BOUNDARY_ACTIONS:
            got = PROBES[action](world.outside(), actor.user, actor.password)
        elif verb == "task":
            process, task_id = target.split(":")
            got = probe_task(world, actor, by_process[process], task_id)
        elif verb == "start":
            got = probe_start(world, actor, by_process[target], same_region, column not in (ADMIN_GROUP, WORKER_GROUP.group))
        elif verb == "fetch":
            got = probe_fetch(world, actor, by_process[target])
        elif target in by_process:
            got = probe_read(world, actor, by_process[target], verb)
        else:
            got = probe_global(world, actor, action)
        if not isinstance(got, str):
            got = "yes" if got else "no"
        region = "same region" if same_region else "other region"
        assert got == want, f"{actor.user} ({column}, {region}) {action}: expected {want}, was {got}"


def test_manager_gets_counts_and_instances_but_no_variable_value(world):
    """Issue 6: Cockpit's figures for the manager, no personal data; the analyst still reads the values."""
    signal = next(d for d in diagrams() if d.process == "riec-signal")
    pid = world.standing(signal)["instance"]["id"]
    task = world.task_of(world.standing(signal)["instance"], next(iter(signal.user_tasks)))
    s = world.engine.settings
    manager = Actor("manager", s.demo_password, s.engine_url)
    assert manager.call("GET", "process-instance/count", params={"processDefinitionKey": "riec-signal"}).json()["count"] >= 1
    assert manager.call("GET", "history/process-instance/count", params={"processDefinitionKey": "riec-signal"}).json()["count"] >= 1
    assert manager.call("GET", "incident/count", params={"processInstanceId": pid}).json()["count"] == 1
    assert manager.listed("process-instance", processInstanceIds=pid)
    for path, params in [("variable-instance", {"processInstanceIdIn": pid}), ("history/variable-instance", {"processInstanceId": pid}),
                         ("history/detail", {"processInstanceId": pid}), ("variable-instance", {"variableName": "matrixProbe"}),
                         ("history/variable-instance", {"variableName": "matrixProbe"})]:
        response = manager.call("GET", path, params=params)
        assert response.status_code == 403 or PROBE_VALUE not in response.text, path
    for path in (f"process-instance/{pid}/variables", f"task/{task['id']}/variables", f"task/{task['id']}/form-variables",
                 f"process-instance/{pid}/variables/matrixProbe"):
        response = manager.call("GET", path)
        assert not allowed(response) and PROBE_VALUE not in response.text, path
    analyst = Actor("analist", s.demo_password, s.engine_url)
    assert analyst.listed("variable-instance", "value", PROBE_VALUE, processInstanceIdIn=pid)
    assert analyst.listed("history/variable-instance", "value", PROBE_VALUE, processInstanceId=pid)
    assert analyst.call("GET", f"task/{task['id']}/variables").json()["matrixProbe"]["value"] == PROBE_VALUE
