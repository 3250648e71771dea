"""The engine's known holes stay closed, on the real engine (issue 6, deliverables 1, 2, 3, 7).

CVE-2026-109432: an expression inside an or-query of a task query is evaluated by Camunda 7.24.0 CE.
Two layers close it: RequestGuards.OrQueryBodyGuard (servlet filter, HTTP 400 before the REST API)
and OrQueryExpressionGuard (command interceptor inside the engine, whatever the entry point). Every
attempt below uses a payload that runs `touch <marker>` on the engine's host; the first test proves
the payload is live where the engine does evaluate expressions, the others that no marker appears.

CVE-2026-77226: the Admin webapp's first-run setup creates an administrator without a login whenever
camunda-admin has no member; RequestGuards.SetupClosed refuses it for good.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests

from riec.identity import FILTERS
from riec.system import build_engine
from tests.integration.engine import free_port, wait_until
from tests.integration.queries import SIGNAL_HIT, send_signal_message, wait_task

pytestmark = pytest.mark.integration

LEAST_PRIVILEGED = "partner"  # may see no process instance at all
REQUEST_GUARD = "RIEC request guard (CVE-2026-109432)"
ENGINE_GUARD = "RIEC or-query expression guard (CVE-2026-109432)"
GROUP_TASKS, MY_TASKS = "candidateGroupsExpression", "assigneeExpression"  # keys of the saved filters' queries
IDENTITY_RESOURCES = (1, 2, 3, 4)  # Camunda resource type ids: user, group, group membership, authorization


def payload(marker: Path) -> str:
    return ("${''.getClass().forName('java.lang.Runtime').getMethod('getRuntime').invoke(null)"
            f".exec('touch {marker}')}}")


def no_marker(marker: Path, wait_s: float = 2.0) -> bool:
    """True when the marker is still absent after the command would long have run."""
    time.sleep(wait_s)
    return not marker.exists()


def rest(engine, user: str | None = None) -> requests.Session:
    """A plain HTTP session with basic auth (the administrator's unless a demo user is named)."""
    session = requests.Session()
    s = engine.settings
    session.auth = (user, s.demo_password) if user else (s.engine_user, s.engine_password)
    return session


def url(engine, path: str) -> str:
    return f"{engine.settings.engine_url}/{path.lstrip('/')}"


def root(engine) -> str:
    return engine.settings.engine_url.removesuffix("/engine-rest")


def filter_id(engine, expression_key: str) -> str:
    """The id of the saved Tasklist filter (riec.identity.FILTERS) built on ``expression_key``."""
    name = next(f[0] for f in FILTERS if expression_key in f[1])
    return rest(engine).get(url(engine, "filter"), params={"name": name}).json()[0]["id"]


def create_filter(engine, name: str, query: dict) -> str:
    answer = rest(engine).post(url(engine, "filter/create"), json={"resourceType": "Task", "name": name, "owner": None, "query": query})
    assert answer.status_code == 200, answer.text
    return answer.json()["id"]


def tasklist_session(engine, user: str) -> requests.Session:
    """A Tasklist login as the browser does it: session cookie plus the XSRF token on every change."""
    session = requests.Session()
    session.get(f"{root(engine)}/camunda/app/tasklist/default/")
    answer = session.post(f"{root(engine)}/camunda/api/admin/auth/user/default/login/tasklist",
                          data={"username": user, "password": engine.settings.demo_password},
                          headers={"X-XSRF-TOKEN": session.cookies.get("XSRF-TOKEN", "")})
    assert answer.status_code == 200, answer.text
    session.get(f"{root(engine)}/camunda/api/admin/auth/user/default")  # as Tasklist does next: a fresh XSRF token
    return session


def xsrf(session: requests.Session) -> dict[str, str]:
    return {"X-XSRF-TOKEN": session.cookies.get("XSRF-TOKEN", "")}


def test_cve_2026_109432_payload_is_live_where_the_engine_evaluates_expressions(engine, tmp_path):
    """Control experiment: the payload of the tests below really runs a command when the engine evaluates it.
    Top-level expressions of a stored filter are evaluated by design; only administrators may store filters."""
    marker = tmp_path / "control"
    filter_ = create_filter(engine, f"control-{uuid.uuid4().hex[:6]}", {"assigneeExpression": payload(marker)})
    try:
        rest(engine).get(url(engine, f"filter/{filter_}/count"))
        assert wait_until(marker.exists, 10, what="the control payload's marker file")
    finally:
        rest(engine).delete(url(engine, f"filter/{filter_}"))


@pytest.mark.parametrize("path", ["task", "task/count"])
def test_cve_2026_109432_task_query_with_or_query_expression_refused(engine, tmp_path, path):
    marker = tmp_path / "marker"
    answer = rest(engine, LEAST_PRIVILEGED).post(url(engine, path), json={"orQueries": [{"assigneeExpression": payload(marker)}]})
    assert answer.status_code == 400, answer.text
    assert REQUEST_GUARD in answer.json()["message"]
    assert no_marker(marker)


def test_cve_2026_109432_or_queries_in_query_string_refused(engine, tmp_path):
    marker = tmp_path / "marker"
    answer = rest(engine, LEAST_PRIVILEGED).get(url(engine, "task"), params={"orQueries": f'[{{"nameExpression": "{payload(marker)}"}}]'})
    assert answer.status_code == 400, answer.text
    assert no_marker(marker)


def test_cve_2026_109432_filter_execution_with_extending_or_query_refused(engine, tmp_path):
    marker = tmp_path / "marker"
    filter_ = filter_id(engine, GROUP_TASKS)
    for path in (f"filter/{filter_}/list", f"filter/{filter_}/count", f"filter/{filter_}/singleResult"):
        answer = rest(engine, LEAST_PRIVILEGED).post(url(engine, path), json={"orQueries": [{"candidateUserExpression": payload(marker)}]})
        assert answer.status_code == 400, (path, answer.text)
    assert no_marker(marker)


def test_cve_2026_109432_webapp_api_with_tasklist_session_refused(engine, tmp_path):
    marker = tmp_path / "marker"
    session = tasklist_session(engine, LEAST_PRIVILEGED)
    api = f"{root(engine)}/camunda/api/engine/engine/default"
    body = {"orQueries": [{"assigneeExpression": payload(marker)}]}
    for path in ("task", "task/count", f"filter/{filter_id(engine, MY_TASKS)}/list"):
        answer = session.post(f"{api}/{path}", json=body, headers=xsrf(session))
        assert answer.status_code == 400, (path, answer.text)
        assert REQUEST_GUARD in answer.json()["message"]
    # The same session works for a clean query: the refusal is the guard's, not a broken login.
    assert session.post(f"{api}/task/count", json={}, headers=xsrf(session)).status_code == 200
    assert no_marker(marker)


def test_cve_2026_109432_administrator_queries_are_refused_too(engine, tmp_path):
    marker = tmp_path / "marker"
    answer = rest(engine).post(url(engine, "task"), json={"orQueries": [{"assigneeExpression": payload(marker)}]})
    assert answer.status_code == 400
    assert no_marker(marker)


def test_cve_2026_109432_engine_layer_refuses_stored_or_query_expression(engine, tmp_path):
    """The servlet filter lets an administrator save such a filter; the engine still never evaluates it,
    for the least privileged user and for the administrator, through every way of executing a filter."""
    marker = tmp_path / "marker"
    filter_ = create_filter(engine, f"stored-{uuid.uuid4().hex[:6]}", {"orQueries": [{"assigneeExpression": payload(marker)}]})
    try:
        for session in (rest(engine, LEAST_PRIVILEGED), rest(engine)):
            for method, path in (("POST", "list"), ("GET", "list"), ("POST", "count"), ("GET", "singleResult")):
                answer = session.request(method, url(engine, f"filter/{filter_}/{path}"), json={} if method == "POST" else None)
                assert answer.status_code == 400, (method, path, answer.text)
                if path != "singleResult":  # the REST API replaces any engine error there with its own message
                    assert ENGINE_GUARD in answer.json()["message"]
    finally:
        rest(engine).delete(url(engine, f"filter/{filter_}"))
    assert no_marker(marker)


def test_only_administrators_create_or_change_filters(engine):
    for user in (LEAST_PRIVILEGED, "analist", "manager"):
        created = rest(engine, user).post(url(engine, "filter/create"), json={"resourceType": "Task", "name": "eigen", "query": {}})
        assert created.status_code == 403, (user, created.text)
        changed = rest(engine, user).put(url(engine, f"filter/{filter_id(engine, MY_TASKS)}"),
                                         json={"resourceType": "Task", "name": "Mijn taken", "query": {}})
        assert changed.status_code == 403, (user, changed.text)


def test_saved_tasklist_filters_still_list_the_right_tasks(engine, workers, business_key):
    """The saved filters (${currentUser()} / ${currentUserGroups()} at the top level) and a "match any" filter with
    them in its or-queries list the analyst's task."""
    send_signal_message(engine.client(), business_key, SIGNAL_HIT)
    task = wait_task(engine.client(), business_key, "Task_HalfOpenSources")
    analyst = rest(engine, "analist")
    listed = analyst.post(url(engine, f"filter/{filter_id(engine, GROUP_TASKS)}/list"), json={}).json()
    assert task["id"] in [t["id"] for t in listed]
    assert analyst.get(url(engine, "filter"), params={"itemCount": "true"}).status_code == 200

    match_any = create_filter(engine, f"match-any-{uuid.uuid4().hex[:6]}", {
        "orQueries": [{"assigneeExpression": "${currentUser()}", "candidateGroupsExpression": "${ currentUserGroups() }"}]})
    try:
        listed = analyst.post(url(engine, f"filter/{match_any}/list"), json={}).json()
        assert task["id"] in [t["id"] for t in listed]
        assert rest(engine, LEAST_PRIVILEGED).post(url(engine, f"filter/{match_any}/list"), json={}).json() == []
    finally:
        rest(engine).delete(url(engine, f"filter/{match_any}"))


SETUP_PATHS = [
    "/camunda/api/admin/setup/default/user/create",
    "/camunda/api/admin//setup/default/user/create",
    "/camunda/api/admin/./setup/default/user/create",
    "/camunda/api/admin/%73etup/default/user/create",
    "/camunda/api/admin/SETUP/default/user/create",
]


def test_cve_2026_77226_setup_refused_even_when_camunda_admin_has_no_member(engine):
    admin = rest(engine)
    s = engine.settings
    members = [u["id"] for u in admin.get(url(engine, "user"), params={"memberOfGroup": "camunda-admin"}).json()]
    assert members, "the configured administrator is a member"
    users_before = admin.get(url(engine, "user/count")).json()["count"]
    groups_before = admin.get(url(engine, "group/count")).json()["count"]
    # Lets the administrator put the members back once camunda-admin no longer grants anything.
    grants = [admin.post(url(engine, "authorization/create"), json={
        "type": 1, "permissions": ["ALL"], "userId": s.engine_user, "resourceType": resource, "resourceId": "*"}).json()["id"]
        for resource in IDENTITY_RESOURCES]
    try:
        for member in members:
            assert admin.delete(url(engine, f"group/camunda-admin/members/{member}")).status_code == 204
        assert admin.get(url(engine, "user"), params={"memberOfGroup": "camunda-admin"}).json() == []

        intruder = f"intruder{uuid.uuid4().hex[:6]}"
        for path in SETUP_PATHS:
            anonymous = requests.Session()
            anonymous.get(f"{root(engine)}/camunda/app/admin/default/")  # session and XSRF token, as a browser has
            answer = anonymous.post(f"{root(engine)}{path}", headers=xsrf(anonymous), json={
                "profile": {"id": intruder, "firstName": "In", "lastName": "Truder", "email": "in@truder.example"},
                "credentials": {"password": "Inbreker-wachtwoord-9!"}})
            assert answer.status_code in (403, 404), (path, answer.status_code)
    finally:
        for member in members:
            assert admin.put(url(engine, f"group/camunda-admin/members/{member}")).status_code == 204
        for grant in grants:
            admin.delete(url(engine, f"authorization/{grant}"))
    assert [u["id"] for u in admin.get(url(engine, "user"), params={"memberOfGroup": "camunda-admin"}).json()] == members
    assert admin.get(url(engine, "user"), params={"id": intruder}).json() == []
    assert admin.get(url(engine, "user/count")).json()["count"] == users_before
    assert admin.get(url(engine, "group/count")).json()["count"] == groups_before


def test_engine_refuses_to_start_with_development_password_outside_a_development_run(engine, tmp_path):
    jar = shutil.copy2(build_engine(engine.settings), tmp_path / "riec-engine.jar")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIEC_")}
    env.update({"RIEC_DATA_DIR": str(tmp_path), "RIEC_ENGINE_PORT": str(free_port())})  # RIEC_ENGINE_PASSWORD: the default
    result = subprocess.run(["java", "-Xmx256m", "-jar", str(jar)], env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode != 0
    assert "known development password" in result.stdout + result.stderr
    assert "RIEC_DEVELOPMENT=true" in result.stdout + result.stderr


def test_password_policy_and_login_throttling(engine):
    admin = rest(engine)
    user = f"throttle{uuid.uuid4().hex[:6]}"
    weak = admin.post(url(engine, "user/create"), json={"profile": {"id": user, "firstName": "Proef", "lastName": "Vertraging"}, "credentials": {"password": "demo"}})
    assert weak.status_code in (400, 500) and "does not match policy" in weak.json()["message"], weak.text
    password = "Sterk-wachtwoord-42"
    assert admin.post(url(engine, "user/create"), json={"profile": {"id": user, "firstName": "Proef", "lastName": "Vertraging"},
                                                         "credentials": {"password": password}}).status_code == 204
    try:
        probe = url(engine, "task/count")
        assert requests.get(probe, auth=(user, password)).status_code == 200
        assert requests.get(probe, auth=(user, "Fout-wachtwoord-1")).status_code == 401
        # Right password, but within the delay after a failure: still refused.
        assert requests.get(probe, auth=(user, password)).status_code == 401
        wait_until(lambda: requests.get(probe, auth=(user, password)).status_code == 200, 15, 1.0, "the login delay to pass")
    finally:
        admin.delete(url(engine, f"user/{user}"))


def test_cve_2026_109432_only_administrators_save_or_query_expressions_from_tasklist(engine):
    """Tasklist's filter dialog ("match any" with the current user) works for the administrator; for anyone else
    the request guard answers first (and the engine would refuse the filter write anyway)."""
    api = f"{root(engine)}/camunda/api/engine/engine/default"
    body = {"resourceType": "Task", "name": f"match-any-{uuid.uuid4().hex[:6]}", "owner": None,
            "query": {"orQueries": [{"assigneeExpression": "${currentUser()}"}]}}
    partner = tasklist_session(engine, LEAST_PRIVILEGED)
    answer = partner.post(f"{api}/filter/create", json=body, headers=xsrf(partner))
    assert answer.status_code == 400 and REQUEST_GUARD in answer.json()["message"], answer.text

    admin = requests.Session()
    admin.get(f"{root(engine)}/camunda/app/tasklist/default/")
    s = engine.settings
    assert admin.post(f"{root(engine)}/camunda/api/admin/auth/user/default/login/tasklist", data={"username": s.engine_user, "password": s.engine_password},
                      headers=xsrf(admin)).status_code == 200
    admin.get(f"{root(engine)}/camunda/api/admin/auth/user/default")
    created = admin.post(f"{api}/filter/create", json=body, headers=xsrf(admin))
    assert created.status_code == 200, created.text
    rest(engine).delete(url(engine, f"filter/{created.json()['id']}"))
