"""Destruction without an engine (issue 11): riec.destruction on real registers and a small fake engine. Rule: R-7.1.

The fake engine keeps process instances (running and historic) and variables, and
answers the REST calls riec.destruction.engine_purge makes; tests/integration/
test_destruction.py does the same against the real engine.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from sqlalchemy import select

from riec import intervention
from riec.compliance import db
from riec.compliance.provision_register import EntryKind, RegisterEntry, append, iter_entries, verify_chain
from riec.destruction import Trigger, destroy_case, sweep
from riec.handlers import registry
from riec.handlers.destruction import DestroyInput, destroy, retention_sweep, SweepInput
from riec.retention import RetentionTerms
from riec.runtime.engine import EngineError

NOW = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


class FakeCamunda:
    """Process instances by id: {id, businessKey, processDefinitionKey, endTime, superProcessInstanceId, vars}."""

    def __init__(self) -> None:
        self.instances: dict[str, dict] = {}
        self.calls: list[tuple[str, str]] = []

    def add(self, key: str | None, definition: str, *, ended: dt.datetime | None = None, variables: dict | None = None,
            parent: str | None = None) -> str:
        pid = str(uuid.uuid4())
        self.instances[pid] = {"id": pid, "businessKey": key, "processDefinitionKey": definition,
                               "endTime": ended.isoformat() if ended else None, "superProcessInstanceId": parent,
                               "vars": dict(variables or {}), "history": True}
        return pid

    def _matches(self, i: dict, params: dict, body: dict | None) -> bool:
        if not i["history"]:
            return False
        key = params.get("processInstanceBusinessKey") or params.get("businessKey")
        if key is not None and i["businessKey"] != key:
            return False
        for v in (body or {}).get("variables", []):
            if i["vars"].get(v["name"]) != v["value"]:
                return False
        if body and "processInstanceBusinessKeyIn" in body and i["businessKey"] not in body["processInstanceBusinessKeyIn"]:
            return False
        if body and "processDefinitionKey" in body and i["processDefinitionKey"] != body["processDefinitionKey"]:
            return False
        if body and body.get("finished") and not i["endTime"]:
            return False
        if body and "finishedBefore" in body and (not i["endTime"] or i["endTime"][:10] >= body["finishedBefore"][:10]):
            return False
        return True

    def _query(self, path: str, params: dict, body: dict | None) -> list[dict]:
        rows = [i for i in self.instances.values() if self._matches(i, params, body)]
        if path == "process-instance":
            rows = [i for i in rows if not i["endTime"]]
        first = int(params.get("firstResult", 0))
        return [{k: v for k, v in i.items() if k not in ("vars", "history")} for i in rows][first:first + int(params.get("maxResults", 10**6))]

    def get(self, path: str, **params):
        self.calls.append(("GET", path))
        if path == "variable-instance":
            i = self.instances[params["processInstanceIdIn"]]
            return [{"name": n, "executionId": i["id"]} for n in i["vars"]]
        return self._query(path, params, None)

    def post(self, path: str, body=None, **kwargs):
        self.calls.append(("POST", path))
        return self._query(path, kwargs.get("params", {}), body)

    def rest(self, method: str, path: str, *, params=None, expect=(200, 204), **kwargs):
        self.calls.append((method, path))
        assert method == "DELETE"
        parts = path.split("/")
        if parts[0] == "process-instance":
            i = self.instances.get(parts[1])
            if i is None or i["endTime"] or not i["history"]:
                raise EngineError(404, "gone")
            for child in [c for c in self.instances.values() if c["superProcessInstanceId"] == i["id"] and not c["endTime"]]:
                child["endTime"] = NOW.isoformat()
            i["endTime"] = NOW.isoformat()
        elif parts[0] == "history":
            i = self.instances.get(parts[2])
            if i is None or not i["history"]:
                raise EngineError(404, "gone")
            assert i["endTime"], "the engine refuses to delete the history of a running instance"
            i["history"] = False
            i["vars"] = {}
        elif parts[0] == "execution":
            i = self.instances[parts[1]]
            if i["vars"].pop(parts[3], None) is None:
                raise EngineError(404, "gone")

    def holds(self, key: str) -> list[dict]:
        return [i for i in self.instances.values() if i["history"] and (i["businessKey"] == key or i["vars"].get("caseKey") == key)]


@pytest.fixture
def database(tmp_path):
    database = db.open_database(f"sqlite:///{tmp_path / 'r.sqlite'}")
    db.migrate(database)
    return database


def put_package(database, key: str, *, provided: dt.datetime = NOW, region: str = "riec-noord") -> str:
    package_id, key_id = str(uuid.uuid4()), str(uuid.uuid4())
    with db.write_transaction(database) as conn:
        conn.execute(db.vault_key.insert().values(id=key_id, key=b"k" * 32, created_at=provided))
        conn.execute(db.vault_package.insert().values(
            id=package_id, case_key=key, region=region, process_instance_id=str(uuid.uuid4()), key_id=key_id, nonce=b"n",
            ciphertext=b"secret", name_nonce=b"n", name_ciphertext=b"name", content_type="text/plain", size=6,
            uploaded_by="politie", uploaded_at=provided, provided_at=provided, person_refs=json.dumps(["P-1", "P-2"])))
        conn.execute(db.vault_acknowledgement.insert().values(package_id=package_id, user_id="analist", acknowledged_at=provided))
        conn.execute(db.refusal_letter.insert().values(ref=f"BRF-{key}", case_key=key, decision_ref=f"d-{key}", explanation_possible=True,
                                                       rule_ids="[]", text_nl="Geachte ...", pdf=b"%PDF", created_at=provided))
        conn.execute(db.notification.insert().values(key=f"n-{key}", kind="k", recipient_group="riec-analyst", business_key=key,
                                                     task_ref="t", text_nl="x", created_at=provided))
        conn.execute(db.hit_check.insert().values(task_key=f"h-{key}", business_key=key, checked_at=provided, hit_partners='["bd-noord"]'))
    append(database, RegisterEntry(kind=EntryKind.PROVISION, occurred_at=provided, actor="riec-worker", case_id=key,
                                   region=region, person_refs=("P-1",)))
    return package_id


def put_intervention(database, key: str, carried_out_on: dt.date, region: str = "riec-noord") -> None:
    intervention.record(database, intervention.InterventionRecord(
        case_key=key, region=region, measures=["bestuurlijk"], other_description="", strategy="Gemeente sluit het pand van Jan.",
        carried_out_on=carried_out_on, recorded_at=NOW))


def case_in_engine(camunda: FakeCamunda, key: str, *, intervention_running: bool = True) -> str:
    signal = camunda.add(key, "riec-signal", ended=NOW, variables={"subjectName": "Jan de Vries"})
    camunda.add(key, "riec-case", ended=NOW, parent=signal, variables={"caseSummary": "Jan"})
    camunda.add(key, "police-request", ended=NOW, variables={"caseKey": key})
    camunda.add(f"EI-{key}", "police-request", ended=NOW, variables={"caseKey": key, "why": "Jan"})
    return camunda.add(key, "riec-intervention", ended=None if intervention_running else NOW,
                       variables={"caseKey": key, "interventionStrategy": "Jan", "destructionDueOn": "2026-12-01"})


def test_every_destruction_topic_is_served():
    assert {"case-destruction", "retention-sweep"} <= set(registry.names())


def test_r_7_1_destroy_case_removes_every_copy_and_registers_once(database):
    key = "SIG-D-1"
    put_package(database, key)
    put_intervention(database, key, TODAY)
    camunda = FakeCamunda()
    own = case_in_engine(camunda, key)
    result = destroy_case(key, "riec-noord", database=database, camunda=camunda, trigger=Trigger.INTERVENTION, now=NOW,
                          keep_instance_ids={own})
    assert result.new and result.rule_ids == ["R-7.1"] and result.trigger == "intervention"
    assert result.counts == {"vault_keys_shredded": 1, "vault_packages": 1, "refusal_letters": 1, "mail_messages": 0,
                             "notifications": 1, "hit_checks": 1, "intervention_texts": 1, "process_instances": 4}
    with db.read_transaction(database) as conn:
        for table in (db.vault_package, db.vault_key, db.vault_acknowledgement, db.refusal_letter, db.notification, db.hit_check):
            assert conn.execute(select(table)).all() == [], table.name
        [row] = conn.execute(select(db.intervention)).all()
        assert row.strategy == "" and row.carried_out_on == TODAY, "the date stays for the figures, the free text goes"
    # The engine: only the asking instance is left, without its personal variables.
    assert [i["id"] for i in camunda.holds(key)] == [own]
    assert set(camunda.instances[own]["vars"]) == {"caseKey", "destructionDueOn"}
    # One DESTRUCTION entry, references and counts only; the chain holds.
    [entry] = [e for e in iter_entries(database, case_id=key) if e.entry.kind is EntryKind.DESTRUCTION]
    assert entry.seq == result.register_seq and entry.entry.person_refs == ("P-1", "P-2")
    assert entry.entry.references["vault_packages"] == "1" and "Jan" not in entry.model_dump_json()
    assert verify_chain(database).ok


def test_r_7_1_destroying_twice_is_harmless_and_registers_once(database):
    key = "SIG-D-2"
    put_package(database, key)
    camunda = FakeCamunda()
    own = case_in_engine(camunda, key)
    first = destroy_case(key, database=database, camunda=camunda, now=NOW, keep_instance_ids={own})
    again = destroy_case(key, database=database, camunda=camunda, now=NOW + dt.timedelta(hours=1), keep_instance_ids={own})
    assert first.new and not again.new and again.counts == first.counts and again.destroyed_at == first.destroyed_at
    assert sum(e.entry.kind is EntryKind.DESTRUCTION for e in iter_entries(database)) == 1
    with db.read_transaction(database) as conn:
        assert len(conn.execute(select(db.destruction)).all()) == 1
    assert verify_chain(database).ok


def test_r_7_1_an_interrupted_destruction_is_finished_by_the_next_run(database):
    """Killed after the registers' transaction, before the engine was cleaned: the next run only finishes the engine."""
    key = "SIG-D-3"
    put_package(database, key)
    camunda = FakeCamunda()
    own = case_in_engine(camunda, key)
    destroy_case(key, database=database, camunda=None, now=NOW)  # as if the process died before step 3
    assert len(camunda.holds(key)) == 5
    result = destroy_case(key, database=database, camunda=camunda, now=NOW, keep_instance_ids={own})
    assert not result.new and [i["id"] for i in camunda.holds(key)] == [own]
    assert sum(e.entry.kind is EntryKind.DESTRUCTION for e in iter_entries(database)) == 1


def test_r_7_1_the_handler_keeps_its_own_instance_and_sets_the_reference(database):
    key = "SIG-D-4"
    put_package(database, key)
    camunda = FakeCamunda()
    own = case_in_engine(camunda, key)
    task = DestroyInput.model_validate({"businessKey": key, "tenant_id": "riec-noord", "taskKey": f"{own}/act-1",
                                        "destructionTrigger": "no_decision"})
    out = destroy(task, database=database, camunda=camunda)
    assert out.model_dump(by_alias=True) == {"destructionRef": f"destruction:{key}"}
    assert camunda.instances[own]["history"] and not camunda.instances[own]["endTime"]
    [entry] = [e for e in iter_entries(database, case_id=key) if e.entry.kind is EntryKind.DESTRUCTION]
    assert entry.entry.rule_ids == ("R-7.1", "R-7.2") and entry.entry.reason_codes == ("destruction:no_decision",)


def test_r_7_1_sweep_destroys_an_overdue_case_whose_process_was_deleted_by_hand(database):
    terms = RetentionTerms(destruction_grace_days=14)
    camunda = FakeCamunda()
    put_package(database, "SIG-OVERDUE", provided=NOW - dt.timedelta(days=40))
    put_intervention(database, "SIG-OVERDUE", TODAY - dt.timedelta(days=20))
    put_package(database, "SIG-NOT-YET", provided=NOW - dt.timedelta(days=40))
    put_intervention(database, "SIG-NOT-YET", TODAY - dt.timedelta(days=10))
    put_package(database, "SIG-MAX", provided=NOW - dt.timedelta(days=400))  # never an intervention: maximum retention
    # SIG-OVERDUE's instances: the intervention deleted by hand; only the ended signal's history is left.
    camunda.add("SIG-OVERDUE", "riec-signal", ended=NOW - dt.timedelta(days=40), variables={"subjectName": "Jan"})
    report = sweep(database=database, camunda=camunda, terms=terms, today=TODAY, now=NOW)
    assert report.cases_destroyed == ["SIG-MAX", "SIG-OVERDUE"] and not report.failed
    assert camunda.holds("SIG-OVERDUE") == []
    assert destroy_case.__module__  # the same function the topic uses
    with db.read_transaction(database) as conn:
        rows = {r.case_key: r for r in conn.execute(select(db.destruction))}
    assert set(rows) == {"SIG-MAX", "SIG-OVERDUE"} and rows["SIG-OVERDUE"].trigger == "sweep"
    # Run again: nothing new, nothing twice.
    again = sweep(database=database, camunda=camunda, terms=terms, today=TODAY, now=NOW)
    assert again.cases_destroyed == [] and sum(e.entry.kind is EntryKind.DESTRUCTION for e in iter_entries(database)) == 2


def test_r_7_1_sweep_counts_days_as_the_netherlands_does_like_the_status_and_the_dashboard(database):
    """00:30 in Amsterdam is still the previous day in UTC: the sweep must already see the new day."""
    terms = RetentionTerms(destruction_grace_days=14)
    put_package(database, "SIG-MIDNIGHT", provided=NOW - dt.timedelta(days=40))
    put_intervention(database, "SIG-MIDNIGHT", dt.date(2026, 11, 15))  # destroy on 29 November
    just_after_midnight = dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.UTC)  # 30 November, 00:30 in Amsterdam
    report = sweep(database=database, camunda=FakeCamunda(), terms=terms, now=just_after_midnight)
    assert report.today == "2026-11-30"
    assert report.cases_destroyed == ["SIG-MIDNIGHT"]
    late_evening = dt.datetime(2026, 11, 29, 22, 30, tzinfo=dt.UTC)  # still 29 November in Amsterdam: due, not overdue
    assert sweep(database=database, camunda=FakeCamunda(), terms=terms, now=late_evening).today == "2026-11-29"


def test_r_7_1_sweep_deletes_the_history_left_by_a_destroyed_case(database):
    camunda = FakeCamunda()
    key = "SIG-LEFT"
    put_package(database, key)
    own = case_in_engine(camunda, key)
    destroy_case(key, database=database, camunda=camunda, now=NOW, keep_instance_ids={own})
    camunda.instances[own]["endTime"] = NOW.isoformat()  # Task_Destroy completed, the instance ended
    report = sweep(database=database, camunda=camunda, terms=RetentionTerms(), today=TODAY, now=NOW)
    assert report.histories_deleted == 1 and camunda.holds(key) == []


def test_r_5_2_sweep_destroys_signals_without_a_case_after_their_term_only(database):
    camunda = FakeCamunda()
    terms = RetentionTerms(no_case_retention_days=28)
    camunda.add("SIG-NOHIT-OLD", "riec-signal", ended=NOW - dt.timedelta(days=28), variables={"subjectName": "Jan"})
    camunda.add("SIG-NOHIT-NEW", "riec-signal", ended=NOW - dt.timedelta(days=27), variables={"subjectName": "Piet"})
    signal = camunda.add("SIG-CLOSED", "riec-signal", ended=NOW - dt.timedelta(days=30))
    camunda.add("SIG-CLOSED", "riec-case", ended=NOW - dt.timedelta(days=30), parent=signal)
    camunda.add("SIG-RUNNING", "riec-signal", ended=NOW - dt.timedelta(days=60))
    camunda.add("SIG-RUNNING", "riec-intervention")  # a case with an intervention: R-7.1's way, not this term
    with db.write_transaction(database) as conn:
        conn.execute(db.hit_check.insert().values(task_key="h1", business_key="SIG-NOHIT-OLD", checked_at=NOW, hit_partners="[]"))
    report = sweep(database=database, camunda=camunda, terms=terms, today=TODAY, now=NOW)
    assert report.signals_destroyed == ["SIG-CLOSED", "SIG-NOHIT-OLD"]
    assert camunda.holds("SIG-NOHIT-OLD") == [] and camunda.holds("SIG-CLOSED") == []
    assert len(camunda.holds("SIG-NOHIT-NEW")) == 1 and len(camunda.holds("SIG-RUNNING")) == 2
    with db.read_transaction(database) as conn:
        rows = {r.case_key: r for r in conn.execute(select(db.destruction))}
        assert conn.execute(select(db.hit_check)).all() == []
    assert rows["SIG-NOHIT-OLD"].subject == "signal" and rows["SIG-NOHIT-OLD"].trigger == "no_case"
    assert json.loads(rows["SIG-NOHIT-OLD"].rule_ids) == ["R-5.2"]
    # Term 0: the newer one goes the same day.
    report = sweep(database=database, camunda=camunda, terms=RetentionTerms(no_case_retention_days=0), today=TODAY, now=NOW)
    assert report.signals_destroyed == ["SIG-NOHIT-NEW"]


def test_sweep_topic_reports_counts_and_fails_loudly_when_a_case_could_not_be_destroyed(database):
    class Broken(FakeCamunda):
        def rest(self, method, path, **kwargs):
            raise EngineError(500, "engine down")

    put_package(database, "SIG-B", provided=NOW - dt.timedelta(days=400))
    broken = Broken()
    broken.add("SIG-B", "riec-signal")
    with pytest.raises(RuntimeError, match="SIG-B"):
        retention_sweep(SweepInput(task_key="x/y"), database=database, camunda=broken, retention=RetentionTerms())
    # Registered anyway (the registers' part is done); the engine part is finished by the next run.
    out = retention_sweep(SweepInput(task_key="x/y"), database=database, camunda=FakeCamunda(), retention=RetentionTerms())
    assert out.model_dump(by_alias=True) == {"retentionSweptCases": 0, "retentionSweptSignals": 0, "retentionSweptHistories": 0}
