"""Small read helpers on the engine's REST API, so tests assert on real engine state."""
from __future__ import annotations

import json

from riec.runtime.engine import CamundaClient
from riec.runtime.variables import from_camunda, to_camunda_map
from tests.integration.engine import ROOT, wait_until

# The README's walkthrough files, so the tests prove what an operator is told to run.
SIGNAL_HIT = json.loads((ROOT / "examples" / "signal-hit.json").read_text(encoding="utf-8"))
SIGNAL_NO_HIT = json.loads((ROOT / "examples" / "signal-no-hit.json").read_text(encoding="utf-8"))


def send_signal_message(client: CamundaClient, business_key: str, variables: dict, region: str = "riec-noord") -> str:
    """Start the process the way any REST caller can: the message, bypassing the CLI's own check.

    The administrator belongs to no region, so it names one (R-6.1)."""
    answer = client.post("message", {"messageName": "riec-signaal", "businessKey": business_key,
                                     "processVariables": to_camunda_map({**variables, "region": region}), "resultEnabled": True})
    return answer[0]["processInstance"]["id"]


def historic_instance(client: CamundaClient, business_key: str) -> dict | None:
    found = client.get("history/process-instance", processInstanceBusinessKey=business_key)
    return found[0] if found else None


def wait_ended(client: CamundaClient, business_key: str, timeout: float = 60) -> dict:
    """The ended instance, with the end event it ended at (the REST resource does not carry it)."""
    ended = wait_until(lambda: (i := historic_instance(client, business_key)) and i["state"] == "COMPLETED" and i,
                       timeout, what=f"{business_key} to end")
    ends = client.get("history/activity-instance", processInstanceId=ended["id"], activityType="noneEndEvent")
    return {**ended, "endActivityId": ends[0]["activityId"] if ends else None}


def wait_task(client: CamundaClient, business_key: str, activity_id: str, timeout: float = 60) -> dict:
    return wait_until(lambda: next(iter(client.get("task", processInstanceBusinessKey=business_key, taskDefinitionKey=activity_id)), None),
                      timeout, what=f"user task {activity_id} of {business_key}")


def variables(client: CamundaClient, process_instance_id: str) -> dict:
    return {v["name"]: from_camunda(v) for v in client.get("history/variable-instance", processInstanceId=process_instance_id, deserializeValues="false")}


def incidents(client: CamundaClient, process_instance_id: str) -> list[dict]:
    return client.get("incident", processInstanceId=process_instance_id)
