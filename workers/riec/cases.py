"""Submitting a signal and reading a case's state and history from the engine."""
from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from pydantic import ValidationError

from riec.runtime.engine import CamundaClient
from riec.runtime.variables import from_camunda, to_camunda_map
from riec.signals import SignalVariables, check_signal

MESSAGE = "riec-signaal"
#: Variables shown by ``riec case show``; never police data, which are not in variables at all.
SHOWN = ("outcome", "hit", "hitPartners", "validationMessage", "phenomenon", "purpose", "reportingPartner")


def wrongly_typed(exc: ValidationError) -> list[str]:
    """Dutch reasons for fields of the wrong type (a list where text belongs), naming the field, never its value."""
    fields = sorted({".".join(str(p) for p in e["loc"][:1]) for e in exc.errors()})
    return [f"Het veld '{f}' heeft een ongeldige waarde: vul tekst of een getal in, geen lijst of object." for f in fields]


class SignalRejected(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def new_business_key(today: dt.date) -> str:
    return f"SIG-{today:%Y%m%d}-{secrets.token_hex(3).upper()}"


def submit_signal(client: CamundaClient, data: dict[str, Any], business_key: str | None, today: dt.date, region: str | None = None) -> tuple[str, str]:
    """Check first, start only when valid: an invalid signal leaves nothing half-started.

    ``region`` (a tenant id, R-6.1) is the start variable the engine assigns the signal's region
    from; a caller who belongs to exactly one region may leave it out, the administrator may not.
    """
    try:
        signal = SignalVariables.model_validate(data)
    except ValidationError as exc:
        raise SignalRejected(wrongly_typed(exc)) from None
    problems = check_signal(signal, today)
    key = business_key or new_business_key(today)
    if client.get("history/process-instance/count", processInstanceBusinessKey=key)["count"]:
        problems.append(f"Er bestaat al een signaal met kenmerk {key}; kies een ander kenmerk.")
    if problems:
        raise SignalRejected(problems)
    variables = to_camunda_map(signal.model_dump(by_alias=True, exclude_none=True) | ({"region": region} if region else {}))
    answer = client.post("message", {"messageName": MESSAGE, "businessKey": key, "processVariables": variables, "resultEnabled": True})
    return key, answer[0]["processInstance"]["id"]


#: A user task's name ends in " · ${execution.processBusinessKey}": Tasklist shows the evaluated
#: task name, but history keeps the element's raw name. The case number heads the view anyway.
_NUMBER_SUFFIX = re.compile(r"\s*·\s*\$\{[^}]*\}\s*$")


def activity_label(activity: dict[str, Any]) -> str:
    return _NUMBER_SUFFIX.sub("", activity["activityName"] or "") or activity["activityId"]


def case_view(client: CamundaClient, business_key: str) -> list[dict[str, Any]]:
    views = []
    for inst in client.get("history/process-instance", processInstanceBusinessKey=business_key, sortBy="startTime", sortOrder="asc"):
        activities = client.get("history/activity-instance", processInstanceId=inst["id"], sortBy="startTime", sortOrder="asc")
        variables = {
            v["name"]: from_camunda(v)
            for v in client.get("history/variable-instance", processInstanceId=inst["id"], deserializeValues="false")
            if v["name"] in SHOWN
        }
        incidents = client.get("incident", processInstanceId=inst["id"]) if inst["state"] == "ACTIVE" else []
        views.append({
            "businessKey": business_key,
            "processInstanceId": inst["id"],
            "process": inst["processDefinitionKey"],
            "state": inst["state"],
            "started": inst["startTime"],
            "ended": inst["endTime"],
            "endedAt": next((a["activityName"] for a in activities if a["activityType"] == "noneEndEvent"), None),
            "variables": variables,
            "incidents": [{"activity": i["activityId"], "message": i["incidentMessage"]} for i in incidents],
            "history": [
                {"activity": activity_label(a), "type": a["activityType"], "started": a["startTime"], "ended": a["endTime"], "by": a.get("assignee")}
                for a in activities
                if a["activityName"] or a["activityType"] not in ("exclusiveGateway", "parallelGateway", "inclusiveGateway")
            ],
        })
    return views


def format_case(views: list[dict[str, Any]]) -> str:
    if not views:
        return "Geen signaal of casus met dit kenmerk gevonden."
    lines = []
    for v in views:
        ended = f", beëindigd {v['ended']}: {v['endedAt']}" if v["ended"] else ""
        lines.append(f"{v['businessKey']}  {v['process']}  {v['state']}  (gestart {v['started']}{ended})")
        for name, value in sorted(v["variables"].items()):
            lines.append(f"  {name}: {value}")
        for inc in v["incidents"]:
            lines.append(f"  INCIDENT bij {inc['activity']}: {inc['message']}")
        lines.append("  verloop:")
        for a in v["history"]:
            lines.append(f"    {a['started']}  {a['activity']}{'' if a['ended'] else '  (loopt)'}")
    return "\n".join(lines)
