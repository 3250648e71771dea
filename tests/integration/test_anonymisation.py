"""Destruction scheduling and the anonymisation decision on the real engine (issue 11). Rules: R-7.1, R-7.2.

Time is moved through the engine's job API (``POST /job/{id}/execute`` on the timer's job), never by sleeping:
the destruction date after the grace period, the decision's deadline passing, the maximum retention and its warning.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from riec import anonymisation as an
from riec.compliance import db
from riec.compliance.provision_register import EntryKind, iter_entries, verify_chain
from tests.integration.case_steps import ended, incidents_of, to_decision, wait_task
from tests.integration.engine import wait_until
from tests.integration.queries import SIGNAL_HIT
from tests.integration.test_intervention import STRATEGY, complete, sent_back

TODAY = dt.date.today()


@pytest.fixture(scope="module")
def registers(engine):
    yield db.open_database(engine.settings.effective_database_url)


def instance_of(engine, key: str) -> str:
    [instance] = engine.client().get("process-instance", processDefinitionKey="riec-intervention", businessKey=key)
    return instance["id"]


def fire(engine, key: str, activity: str) -> None:
    """Move time: execute the timer job of ``activity`` now instead of on its date."""
    pid = instance_of(engine, key)
    job = wait_until(lambda: next(iter(engine.client().get("job", processInstanceId=pid, activityId=activity)), None), 30,
                     what=f"timer job {activity} of {key}")
    engine.client().post(f"job/{job['id']}/execute")


def destruction_row(registers, key: str):
    with db.read_transaction(registers) as conn:
        return conn.execute(select(db.destruction).where(db.destruction.c.case_key == key)).first()


def carried_out(engine, key: str) -> None:
    to_decision(engine, key, "without_police_data")
    complete(engine, key, "Task_InterventionStrategy", STRATEGY)
    complete(engine, key, "Task_InterventionCarriedOut", {"interventionCarriedOutOn": TODAY.isoformat()})
    wait_task(engine, key, "Task_AnonymisationDecision")


def test_r_7_2_kept_anonymised_by_decision_then_destroyed_on_the_date(engine, workers, business_key, registers):
    carried_out(engine, business_key)
    task = wait_task(engine, business_key, "Task_AnonymisationDecision")
    assert task["name"] == f"Besluit anonimiseren vastleggen · {business_key}" and task["tenantId"] == "riec-noord"
    due = TODAY + dt.timedelta(days=engine.settings.destruction_grace_days)
    assert task["due"][:10] == (due - dt.timedelta(days=engine.settings.anonymisation_lead_days)).isoformat(), task["due"]
    before = {r["id"] for r in an.stored_records(registers)}
    complete(engine, business_key, "Task_AnonymisationDecision", {
        "anonymisationDecision": "keep_anonymised", "anonymisationPurpose": "statistiek",
        "anonymisedFields": [f.value for f in an.KeptField], "anonymisationDecidedOn": TODAY.isoformat(),
        "policeUnitConsulted": False})
    # The decision is registered; the instance waits for the destruction date.
    pid = instance_of(engine, business_key)
    wait_until(lambda: engine.client().get("job", processInstanceId=pid, activityId="Timer_DestructionDue"), 60,
               what="the destruction timer")
    [entry] = [e for e in iter_entries(registers, case_id=business_key) if e.entry.kind is EntryKind.ANONYMISATION]
    assert entry.entry.outcome.value == "allowed" and entry.entry.rule_ids == ("R-7.2",)
    [record] = [r for r in an.stored_records(registers) if r["id"] not in before]
    assert record["region"] == "riec-noord" and record["outcome"] == "without_police_data"
    assert record["persons_a"] + record["persons_b"] + record["persons_c"] >= 1
    # No identifying field: compared with the subject of the signal and every exact date and reference of the case.
    text = json.dumps(record, default=str).lower()
    address = f"{SIGNAL_HIT['street']} {SIGNAL_HIT['houseNumber']}{SIGNAL_HIT.get('houseNumberSuffix', '')}"
    for value in (SIGNAL_HIT["subjectName"], SIGNAL_HIT["street"], address, SIGNAL_HIT["postcode"], SIGNAL_HIT["dateOfBirth"],
                  business_key, TODAY.isoformat(), "P-1", STRATEGY["interventionStrategy"][:20]):
        assert value.lower() not in text, f"the anonymised record holds {value!r}"
    assert set(record) == set(an.RECORD_COLUMNS)
    # Time moves to the destruction date: the case's data are destroyed, trigger "intervention".
    fire(engine, business_key, "Timer_DestructionDue")
    done = ended(engine, business_key, "riec-intervention", timeout=120)
    assert done["endActivityIds"] == ["EndEvent_Destroyed"], done
    row = destruction_row(registers, business_key)
    assert row is not None and row.trigger == "intervention"
    assert verify_chain(registers).ok
    # Only the anonymised record remains of it (not linked to the case), and it is still there.
    assert record["id"] in {r["id"] for r in an.stored_records(registers)}
    assert incidents_of(engine, business_key) == []


def test_r_7_2_no_decision_before_the_destruction_date_keeps_nothing(engine, workers, business_key, registers):
    carried_out(engine, business_key)
    # Keeping without a purpose or a field goes back with Dutch reasons.
    first = complete(engine, business_key, "Task_AnonymisationDecision", {
        "anonymisationDecision": "keep_anonymised", "anonymisationDecidedOn": TODAY.isoformat()})
    message = sent_back(engine, business_key, "Task_AnonymisationDecision", first)
    assert "Doel van het bewaren" in message, message
    # Nobody decides; the destruction date comes: the task is cancelled and everything is destroyed.
    fire(engine, business_key, "Timer_AnonymisationTooLate")
    done = ended(engine, business_key, "riec-intervention", timeout=120)
    assert done["endActivityIds"] == ["EndEvent_Destroyed"], done
    row = destruction_row(registers, business_key)
    assert row is not None and row.trigger == "no_decision"
    assert not [e for e in iter_entries(registers, case_id=business_key) if e.entry.kind is EntryKind.ANONYMISATION]


def test_r_7_1_maximum_retention_warns_analysts_and_privacy_officer_then_destroys(engine, workers, business_key, registers):
    to_decision(engine, business_key, "without_police_data")
    wait_task(engine, business_key, "Task_InterventionStrategy")  # the intervention is never recorded
    fire(engine, business_key, "StartEvent_RetentionWarning")

    def warned():
        with db.read_transaction(registers) as conn:
            rows = conn.execute(select(db.mail_outbox).where(db.mail_outbox.c.business_key == business_key,
                                                             db.mail_outbox.c.kind == "retention_warning")).all()
        return sorted(r.recipient_group for r in rows) if len(rows) >= 2 else None
    assert wait_until(warned, 60, what="the retention warning") == ["privacy-officer", "riec-analyst"]
    wait_task(engine, business_key, "Task_InterventionStrategy")  # the warning does not interrupt
    fire(engine, business_key, "StartEvent_MaxRetention")
    done = ended(engine, business_key, "riec-intervention", timeout=120)
    assert done["endActivityIds"] == ["EndEvent_DestroyedMax", "EndEvent_RetentionWarned"], done
    row = destruction_row(registers, business_key)
    assert row is not None and row.trigger == "max_retention"
