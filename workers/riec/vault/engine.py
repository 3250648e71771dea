"""What the vault asks the engine, with the vault's own engine login (``RIEC_ENGINE_USER``).

* Sign-in: ``POST /identity/verify`` checks a user's password against the engine's
  identity service (the accounts of Tasklist; the vault keeps no password list), then
  the user's groups and tenants (regions, R-6.1) are read.
* Requests waiting for their package: ``police-request`` executions subscribed to
  ``riec-package-uploaded`` in a region; the upload is delivered by correlating that
  message to the one instance, in its tenant.
"""
from __future__ import annotations

from riec.runtime.engine import CamundaClient
from riec.runtime.variables import to_camunda_map
from riec.vault.service import PACKAGE_UPLOADED, VaultUser


class EngineIdentity:
    def __init__(self, camunda: CamundaClient):
        self.camunda = camunda

    def verify(self, user_id: str, password: str) -> VaultUser | None:
        """The user when the engine accepts the password, else None."""
        if not user_id or not password:
            return None
        answer = self.camunda.post("identity/verify", {"username": user_id, "password": password}) or {}
        if not answer.get("authenticated"):
            return None
        return self.user(answer.get("authenticatedUser") or user_id)

    def user(self, user_id: str) -> VaultUser:
        groups = frozenset(g["id"] for g in self.camunda.get("group", member=user_id))
        tenants = frozenset(t["id"] for t in self.camunda.get("tenant", userMember=user_id, includingGroupsOfUser="false"))
        return VaultUser(id=user_id, groups=groups, tenants=tenants)


class EnginePoliceRequests:
    def __init__(self, camunda: CamundaClient):
        self.camunda = camunda

    def awaiting(self, region: str) -> list[tuple[str, str]]:
        executions = self.camunda.get("execution", processDefinitionKey="police-request",
                                      messageEventSubscriptionName=PACKAGE_UPLOADED, tenantIdIn=region)
        ids = sorted({e["processInstanceId"] for e in executions})
        if not ids:
            return []
        instances = self.camunda.get("process-instance", processInstanceIds=",".join(ids), tenantIdIn=region)
        return [(i["businessKey"], i["id"]) for i in instances if i.get("businessKey")]

    def deliver(self, process_instance_id: str, case_key: str, region: str, package_ref: str) -> None:
        # To the one instance (the engine refuses a tenant id beside a process instance id; the instance has one).
        self.camunda.post("message", {"messageName": PACKAGE_UPLOADED, "processInstanceId": process_instance_id,
                                      "processVariables": to_camunda_map({"packageRef": package_ref})})
