"""Groups for every role of DOMAIN.md, the workers' service user, demo users, and what each may do.

Authorization checks are on in the engine, so a role sees and starts only what
it is granted here (R-5.2: access control). The workers do not use the
administrator: their service user may work external tasks and nothing else.
Everything is idempotent: running it again changes nothing that is already right.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from riec.runtime.engine import EngineClient, EngineError

# Camunda 7 resource type ids.
APPLICATION, FILTER, PROCESS_DEFINITION, PROCESS_INSTANCE, DEPLOYMENT = 0, 5, 6, 8, 9
GRANT = 1


@dataclass(frozen=True)
class Role:
    group: str
    name: str
    user: str
    first: str
    last: str


ROLES = [
    Role("riec-analyst", "RIEC-analist / casusregisseur", "analist", "Anna", "Analist"),
    Role("riec-partner", "RIEC-partner", "partner", "Piet", "Partner"),
    Role("police-unit", "Regionale politie-eenheid", "politie", "Paula", "Politie"),
    Role("police-data-officer", "Functionaris art. 2:10 Bpg", "functionaris", "Frank", "Functionaris"),
    Role("case-prosecutor", "Zaaksofficier van justitie", "zaaksofficier", "Zoë", "Zaaksofficier"),
    Role("cie-prosecutor", "CIE-officier van justitie", "cie-officier", "Cees", "CIE-officier"),
    Role("privacy-officer", "Privacy officer / proceseigenaar", "privacy", "Priya", "Privacy"),
    Role("manager", "Manager", "manager", "Marco", "Manager"),
]

#: The workers' group; its one member is the service user named by RIEC_WORKER_USER.
WORKER_GROUP = Role("riec-workers", "Externe-taakworkers (systeem)", "", "RIEC", "Worker")

#: (group, resource type, resource id, permissions)
GRANTS: list[tuple[str, int, str, list[str]]] = (
    [(r.group, APPLICATION, "tasklist", ["ACCESS"]) for r in ROLES]
    + [(r.group, PROCESS_DEFINITION, "*", ["READ"]) for r in ROLES]
    + [(r.group, DEPLOYMENT, "*", ["READ"]) for r in ROLES]
    + [(r.group, FILTER, "*", ["READ"]) for r in ROLES]
    + [
        ("riec-analyst", PROCESS_DEFINITION, "riec-signal", ["READ", "CREATE_INSTANCE", "READ_INSTANCE", "READ_HISTORY"]),
        ("riec-analyst", PROCESS_INSTANCE, "*", ["CREATE"]),
        ("manager", APPLICATION, "cockpit", ["ACCESS"]),
        ("manager", PROCESS_DEFINITION, "*", ["READ", "READ_INSTANCE", "READ_HISTORY"]),
        ("privacy-officer", APPLICATION, "cockpit", ["ACCESS"]),
        ("privacy-officer", PROCESS_DEFINITION, "*", ["READ", "READ_INSTANCE", "READ_HISTORY"]),
        # Fetch-and-lock, complete, fail and report BPMN errors on any process: no deploy, no users, no history.
        (WORKER_GROUP.group, PROCESS_DEFINITION, "*", ["READ", "READ_INSTANCE", "UPDATE_INSTANCE"]),
        (WORKER_GROUP.group, PROCESS_INSTANCE, "*", ["READ", "UPDATE"]),
    ]
)

FILTERS = [
    ("Mijn taken", {"assigneeExpression": "${currentUser()}"}, -10),
    ("Taken van mijn groepen", {"candidateGroupsExpression": "${currentUserGroups()}", "includeAssignedTasks": False}, 0),
]


def ensure_group(client: EngineClient, role: Role) -> None:
    if not client.get("group", id=role.group):
        client.post("group/create", {"id": role.group, "name": role.name, "type": "WORKFLOW"})


def ensure_user(client: EngineClient, role: Role, password: str) -> None:
    ensure_group(client, role)
    if not client.get("user", id=role.user):
        client.post("user/create", {
            "profile": {"id": role.user, "firstName": role.first, "lastName": role.last, "email": f"{role.user}@riec.example"},
            "credentials": {"password": password},
        })
    members = {u["id"] for u in client.get("user", memberOfGroup=role.group)}
    if role.user not in members:
        client.rest("PUT", f"group/{role.group}/members/{role.user}")


def ensure_groups(client: EngineClient) -> None:
    for role in ROLES:
        ensure_group(client, role)


def ensure_grants(client: EngineClient) -> None:
    for group, resource_type, resource_id, permissions in GRANTS:
        existing = client.get("authorization", groupIdIn=group, resourceType=resource_type, resourceId=resource_id, type=GRANT)
        if existing:
            current = existing[0]
            wanted = sorted(set(current["permissions"]) | set(permissions))
            if set(wanted) != set(current["permissions"]):
                client.rest("PUT", f"authorization/{current['id']}", json={**current, "permissions": wanted})
            continue
        client.post("authorization/create", {
            "type": GRANT, "permissions": permissions, "groupId": group,
            "resourceType": resource_type, "resourceId": resource_id,
        })


def ensure_filters(client: EngineClient) -> None:
    names = {f["name"] for f in client.get("filter", resourceType="Task")}
    for name, query, priority in FILTERS:
        if name not in names:
            client.post("filter/create", {
                "resourceType": "Task", "name": name, "owner": None, "query": query,
                "properties": {"priority": priority, "description": name, "refresh": True},
            })


def ensure_production(client: EngineClient, worker_user: str, worker_password: str) -> None:
    """Role groups, their grants, Tasklist filters and the workers' service user; no people."""
    try:
        ensure_groups(client)
        ensure_user(client, replace(WORKER_GROUP, user=worker_user), worker_password)
        ensure_grants(client)
        ensure_filters(client)
    except EngineError as exc:
        raise RuntimeError(f"could not set up groups, authorizations and the worker user: {exc}") from exc


def ensure_demo(client: EngineClient, worker_user: str, worker_password: str, demo_password: str) -> None:
    """``ensure_production`` plus one demo user per role."""
    ensure_production(client, worker_user, worker_password)
    try:
        for role in ROLES:
            ensure_user(client, role, demo_password)
    except EngineError as exc:
        raise RuntimeError(f"could not create the demo users: {exc}") from exc
