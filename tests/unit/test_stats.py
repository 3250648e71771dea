"""The managers' figures without an engine (issue 14): arithmetic, caching, scope and the endpoint's gate.

A fake engine answers the history queries from rows tagged with a tenant and honours
``tenantIdIn`` as the engine does; the registers are a migrated SQLite file. Rules:
R-6.1 (a region's manager sees another region only in the national aggregate), R-5.2.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
from flask import Flask

from riec.compliance import db
from riec.compliance.provision_register import EntryKind, RegisterEntry, append
from riec.stats import Stats, percentile
from riec.stats_web import cockpit_origins, mount

NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
T = "2026-11-{day:02d}T10:00:00.000+0000"


class FakeCamunda:
    def __init__(self) -> None:
        self.calls = 0
        # (path, key field, key, tenant, row)
        self.rows: list[tuple[str, str, str, str, dict]] = []
        self.open_tasks: list[tuple[str, str, str | None]] = []  # (task key, tenant, due)

    def add(self, path: str, field: str, key: str, tenant: str, **row: object) -> None:
        self.rows.append((path, field, key, tenant, {"businessKey": "SIG-SECRET-1", **row}))

    def get(self, path: str, **params: object) -> object:
        self.calls += 1
        tenants = str(params.get("tenantIdIn", "")).split(",")
        if path == "task/count":
            due = params.get("dueBefore")
            return {"count": sum(1 for k, t, d in self.open_tasks if k == params["taskDefinitionKey"] and t in tenants
                                 and (due is None or (d is not None and d < str(due))))}
        if int(params.get("firstResult", 0)) > 0:
            return []
        return [row for p, field, key, tenant, row in self.rows
                if p == path and params.get(field) == key and tenant in tenants]


@pytest.fixture
def registers(tmp_path):
    database = db.open_database(f"sqlite:///{tmp_path / 'r.sqlite'}")
    db.migrate(database)
    return database


def refusal(database, region: str, rules: tuple[str, ...], codes: tuple[str, ...], *, letter: bool = False) -> None:
    refs = {"letter": "BRF-1", "decision": "D-1"} if letter else {"process_instance": "pi-1"}
    append(database, RegisterEntry(kind=EntryKind.REFUSAL, occurred_at=NOW, actor="police-unit", case_id="SIG-SECRET-1",
                                   region=region, rule_ids=rules, reason_codes=codes, references=refs))


def demo(camunda: FakeCamunda) -> None:
    for day, tenant in ((1, "riec-noord"), (2, "riec-noord"), (3, "riec-limburg")):
        camunda.add("history/process-instance", "processDefinitionKey", "riec-signal", tenant, startTime=T.format(day=day))
    camunda.add("history/process-instance", "processDefinitionKey", "riec-signal", "riec-noord", startTime="2026-10-31T23:30:00.000+0000")
    camunda.add("history/activity-instance", "activityId", "CallActivity_Case", "riec-noord", startTime=T.format(day=1))
    camunda.add("history/process-instance", "processDefinitionKey", "riec-case", "riec-noord", startTime=T.format(day=1))
    camunda.add("history/activity-instance", "activityId", "EndEvent_CaseRefused", "riec-noord", endTime=T.format(day=4))
    hours = [1, 2, 3, 4, 5, 6, 7, 8, 9, 100]
    for h in hours:
        camunda.add("history/task", "taskDefinitionKey", "Task_Consult210", "riec-noord", duration=h * 3_600_000)
    camunda.add("history/task", "taskDefinitionKey", "Task_Consult210", "riec-limburg", duration=50 * 3_600_000)
    camunda.open_tasks += [("Task_Consult210", "riec-noord", "2026-11-20T00:00:00.000+0000"),
                           ("Task_Consult210", "riec-noord", "2026-12-20T00:00:00.000+0000"),
                           ("Task_Consult210", "riec-limburg", "2026-11-20T00:00:00.000+0000")]


def test_percentile_is_nearest_rank():
    assert percentile([], 0.9) is None
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([float(x) for x in range(1, 11)], 0.9) == 9.0
    assert percentile([float(x) for x in range(1, 101)], 0.9) == 90.0


def test_r_6_1_region_figures_count_only_that_tenant_national_counts_all(registers):
    camunda = FakeCamunda()
    demo(camunda)
    refusal(registers, "riec-noord", ("R-5.1e",), ("R-5.1e:advice_against",))
    refusal(registers, "riec-noord", ("R-4.1-refuse",), ("R-4.1-refuse:letter_sent",), letter=True)  # the letter repeats it
    refusal(registers, "riec-limburg", ("R-2",), ("R-2:art13",))
    stats = Stats(camunda, registers, clock=lambda: NOW)
    noord, national = stats.figures("riec-noord"), stats.figures(None)

    assert noord["funnel"]["totals"] == {"signals": 3, "hits": 1, "cases": 1, "requests": 0, "provided": 0, "refused": 1}
    assert national["funnel"]["totals"]["signals"] == 4
    # Months in Amsterdam time: 31 October 23:30 UTC is already November there.
    assert [m["month"] for m in noord["funnel"]["months"]] == ["2026-11"]
    assert noord["funnel"]["months"][0]["signals"] == 3
    consult = next(t for t in noord["waiting"]["tasks"] if t["task"] == "Task_Consult210")
    assert (consult["completed"], consult["medianHours"], consult["p90Hours"]) == (10, 5.5, 9.0)
    assert (consult["open"], consult["overdueNow"]) == (2, 1)
    national_consult = next(t for t in national["waiting"]["tasks"] if t["task"] == "Task_Consult210")
    assert (national_consult["completed"], national_consult["overdueNow"]) == (11, 2)
    assert noord["refusals"]["total"] == 1 and noord["refusals"]["byRule"] == [{"rule": "R-5.1e", "count": 1}]
    assert national["refusals"]["total"] == 2
    assert {r["rule"] for r in national["refusals"]["byRule"]} == {"R-5.1e", "R-2"}
    assert (noord["destruction"]["due"], noord["destruction"]["overdue"]) == (0, 0)  # nothing provided, no intervention yet
    # the engine's rows carry business keys; the figures do not.
    assert "SIG-SECRET-1" not in json.dumps([noord, national])


def test_figures_are_cached_with_their_time_and_refreshed_on_request(registers):
    camunda = FakeCamunda()
    stats = Stats(camunda, registers, clock=lambda: NOW)
    first = stats.figures("riec-noord")
    calls = camunda.calls
    assert stats.figures("riec-noord") is first and camunda.calls == calls
    assert first["computedAt"] == "2026-11-29T12:00:00Z" and first["funnel"]["computedAt"] == first["computedAt"]
    stats.figures("riec-noord", fresh=True)
    assert camunda.calls > calls
    integrity = stats.integrity()
    assert integrity["ok"] is True and integrity["entries"] == 0 and integrity["verifiedAt"] == "2026-11-29T12:00:00Z"


class FakeIdentity:
    USERS = {"manager": ({"manager"}, {"riec-noord"}), "manager-limburg": ({"manager"}, {"riec-limburg"}),
             "partner": ({"riec-partner"}, {"riec-noord"}), "admin": ({"camunda-admin"}, set())}

    def user(self, user_id: str):
        groups, tenants = self.USERS[user_id]
        return type("U", (), {"id": user_id, "groups": frozenset(groups), "tenants": frozenset(tenants)})()


@pytest.fixture
def web(registers):
    camunda = FakeCamunda()
    demo(camunda)
    app = Flask("test")
    app.config["SECRET_KEY"] = "test"
    mount(app, Stats(camunda, registers, clock=lambda: NOW), FakeIdentity(), engine_url="http://localhost:8080/engine-rest")
    return app


def as_user(web: Flask, user: str | None):
    client = web.test_client()
    if user:
        with client.session_transaction() as s:
            s["user"] = user
    return client


def test_r_6_1_manager_of_limburg_sees_noord_only_inside_the_national_aggregate(web):
    answer = as_user(web, "manager-limburg").get("/statistieken", headers={"Origin": "http://localhost:8080"})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["region"]["scope"] == "riec-limburg" and body["national"]["scope"] == "national"
    assert body["region"]["funnel"]["totals"]["signals"] == 1
    assert body["national"]["funnel"]["totals"]["signals"] == 4
    assert "riec-noord" not in answer.get_data(as_text=True)
    assert answer.headers["Access-Control-Allow-Origin"] == "http://localhost:8080"
    assert answer.headers["Access-Control-Allow-Credentials"] == "true"


def test_stats_endpoint_refuses_strangers_and_other_roles_and_other_origins(web):
    assert as_user(web, None).get("/statistieken").status_code == 401
    assert as_user(web, "partner").get("/statistieken").status_code == 403
    admin = as_user(web, "admin").get("/statistieken", headers={"Origin": "http://evil.example"})
    assert admin.status_code == 200 and admin.get_json()["region"] is None
    assert "Access-Control-Allow-Origin" not in admin.headers


def test_cockpit_origin_includes_the_loopback_twin():
    assert cockpit_origins("http://localhost:8080/engine-rest") == {"http://localhost:8080", "http://127.0.0.1:8080"}
    assert cockpit_origins("https://riec.example/engine-rest") == {"https://riec.example"}


def test_r_7_1_destruction_due_overdue_and_done_from_the_registers_with_the_terms(registers):
    """The same figures as ``riec retention status`` (riec.retention_status): 14 days' grace after the intervention."""
    from sqlalchemy import text

    stats = Stats(FakeCamunda(), registers, clock=lambda: NOW)
    with registers.begin() as conn:
        for key, region, day in (("A", "riec-noord", "2026-11-01"), ("B", "riec-noord", "2026-11-21"),
                                 ("C", "riec-limburg", "2026-11-22"), ("D", "riec-noord", "2026-11-20")):
            conn.execute(text("INSERT INTO intervention (case_key, region, measures, strategy, carried_out_on, recorded_at) "
                              "VALUES (:k, :r, '[]', 'x', :d, :t)"), {"k": key, "r": region, "d": day, "t": NOW})
        conn.execute(text("INSERT INTO destruction (case_key, region, subject, trigger, rule_ids, destroyed_at, counts) "
                          "VALUES ('D', 'riec-noord', 'case', 'intervention', '[]', :t, '{}')"), {"t": NOW})
    append(registers, RegisterEntry(kind=EntryKind.ANONYMISATION, occurred_at=NOW, actor="riec-worker", case_id="D",
                                    region="riec-noord", rule_ids=("R-7.2",)))
    noord, national = stats.figures("riec-noord", fresh=True)["destruction"], stats.figures(None, fresh=True)["destruction"]
    # A: destroy on 11-15, passed; B: on 12-05, ahead; D: destroyed.
    assert (noord["due"], noord["overdue"], noord["done"], noord["anonymised"]) == (1, 1, 1, 1)
    assert noord["nextDueOn"] == "2026-12-05"
    assert (national["due"], national["overdue"], national["done"]) == (2, 1, 1)  # C is due in Limburg
    assert "Termijn verstreken" in noord["note"]
    assert not {"A", "B", "C", "D"} & set(json.dumps(noord).replace('"', " ").split())  # counts and dates, no case keys
