"""The engine's own history clean-up, the second line behind destruction (issue 11, deliverable 7, R-7.1), on the real engine.

What it proves: the clean-up is configured with its night window and is enabled; every deployed process carries the
historyTimeToLive the terms give (RetentionTerms.history_ttl_days); a finished signal's history (the instance and
its variables, which hold the subject's name and address) gets removalTime = end + that TTL; and the clean-up job,
once that removal time has passed, removes it from every history endpoint. Time is moved by setting the instance's
removal time through the engine's own API and running the clean-up now, never by sleeping for a year.
"""
from __future__ import annotations

import datetime as dt

import pytest

from riec.retention import RetentionTerms
from riec.stats import engine_time, parse_time
from tests.integration.engine import wait_until
from tests.integration.queries import SIGNAL_NO_HIT, send_signal_message, wait_ended

pytestmark = pytest.mark.integration


def test_r_7_1_history_cleanup_runs_in_a_night_window(engine):
    config = engine.client().get("history/cleanup/configuration")
    assert config.get("enabled", True) is True
    start, end = parse_time(config["batchWindowStartTime"]), parse_time(config["batchWindowEndTime"])
    assert start is not None and end is not None
    assert ((start.hour, start.minute), (end.hour, end.minute)) == ((1, 0), (5, 0))


def test_r_7_1_every_deployed_process_keeps_history_as_the_terms_say(engine):
    expected = RetentionTerms.from_settings(engine.settings).history_ttl_days()
    deployed = {d["key"]: d["historyTimeToLive"] for d in engine.client().get("process-definition", latestVersion="true")}
    for key in ("riec-signal", "riec-case", "police-request", "riec-intervention"):
        assert deployed.get(key) == expected[key], f"{key}: {deployed.get(key)} days, the terms say {expected[key]}"
    terms = RetentionTerms.from_settings(engine.settings)
    assert all(ttl is not None and ttl <= terms.max_retention_days for ttl in deployed.values()), deployed


def test_r_7_1_a_finished_signal_gets_its_removal_time_and_the_cleanup_removes_it(engine, workers, business_key):
    client = engine.client()
    send_signal_message(client, business_key, SIGNAL_NO_HIT)
    ended = wait_ended(client, business_key)
    instance = client.get(f"history/process-instance/{ended['id']}")
    ttl = RetentionTerms.from_settings(engine.settings).history_ttl_days()["riec-signal"]
    end_time, removal_time = parse_time(instance["endTime"]), parse_time(instance["removalTime"])
    assert end_time is not None and removal_time is not None, instance
    # Removal time = end + TTL days (the engine adds calendar days in its own time zone: allow a DST hour).
    assert abs(removal_time - (end_time + dt.timedelta(days=ttl))) <= dt.timedelta(hours=1)
    stored = client.get("history/variable-instance", processInstanceId=ended["id"])
    assert stored and {v["removalTime"] for v in stored} == {instance["removalTime"]}  # the whole instance, not just its row
    assert client.get("history/activity-instance", processInstanceId=ended["id"])

    # Move time: this instance's removal time to a minute ago (the engine's own batch), then run the clean-up now.
    past = engine_time(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    batch = client.post("history/process-instance/set-removal-time",
                        {"absoluteRemovalTime": past, "historicProcessInstanceIds": [ended["id"]], "hierarchical": True})
    wait_until(lambda: not client.get("batch", batchId=batch["id"]), 120, what="the removal-time batch to finish")
    # The batch's own history is kept batchOperationHistoryTimeToLive (30 days): the engine applied that setting too.
    [finished] = client.get("history/batch", batchId=batch["id"])
    batch_end, batch_removal = parse_time(finished["endTime"]), parse_time(finished["removalTime"])
    assert batch_end is not None and batch_removal is not None
    assert abs(batch_removal - (batch_end + dt.timedelta(days=30))) <= dt.timedelta(hours=1)
    assert client.get(f"history/process-instance/{ended['id']}")["removalTime"] is not None
    client.post("history/cleanup", params={"immediatelyDue": "true"})

    def gone() -> bool:
        return not client.get("history/process-instance", processInstanceId=ended["id"])
    wait_until(gone, 90, 1, what="the clean-up job to remove the finished signal's history")
    # (Identity links hang on tasks, and a no-hit signal has none: its task list is empty.)
    for path in ("history/variable-instance", "history/detail", "history/activity-instance", "history/task",
                 "history/external-task-log", "history/incident", "history/job-log"):
        assert client.get(path, processInstanceId=ended["id"]) == [], path
    # Other finished instances (removal time a year ahead) are untouched.
    others = client.get("history/process-instance", processDefinitionKey="riec-signal", finished="true")
    assert all(parse_time(o["removalTime"]) > dt.datetime.now(dt.UTC) for o in others if o.get("removalTime"))
