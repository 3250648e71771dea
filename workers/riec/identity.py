"""Regions, groups for every role of DOMAIN.md, the workers' service user, demo users, and what each may do.

Authorization checks are on in the engine, so a role sees and starts only what
it is granted here (R-5.2: access control). The workers do not use the
administrator: their service user may work external tasks and nothing else.

Regions (R-6.1) are Camunda tenants, one per RIEC region. Role groups are shared
by all regions (one ``riec-analyst`` group, one authorization set), so a person's
region is a tenant membership of the USER, never of a role group: adding a group
to a tenant would put every analyst of the country in that region. The one
exception is the workers' group, which is a member of every region, because the
workers serve all of them. With tenant checks on, the engine shows a user only
the instances, tasks, history, variables and incidents of their own region
(engine/.../RegionTenants.java gives every instance its region).

Variable values (enforceSpecificVariablePermission is on): only roles whose work
needs them get READ_INSTANCE_VARIABLE / READ_HISTORY_VARIABLE / READ_TASK_VARIABLE;
see docs/security.md. A candidate group of a user task reads that task's variables
through the engine's own per-task grant; a manager sees counts, durations and incidents.
Everything is idempotent: running it again changes nothing that is already right.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from riec.runtime.engine import CamundaClient, EngineError

# Camunda 7 resource type ids.
APPLICATION, FILTER, PROCESS_DEFINITION, PROCESS_INSTANCE, DEPLOYMENT = 0, 5, 6, 8, 9
GRANT = 1
TASK = 7  # Camunda 7 resource type id of tasks (4 is AUTHORIZATION)

#: The RIEC regions (R-6.1), one Camunda tenant each: (tenant id, name).
REGIONS: list[tuple[str, str]] = [
    ("riec-noord", "RIEC Noord-Nederland"),
    ("riec-oost", "RIEC Oost-Nederland"),
    ("riec-midden-nederland", "RIEC Midden-Nederland"),
    ("riec-noord-holland", "RIEC Noord-Holland"),
    ("riec-amsterdam", "RIEC Amsterdam-Amstelland"),
    ("riec-den-haag", "RIEC Haaglanden"),
    ("riec-rotterdam", "RIEC Rotterdam"),
    ("riec-zeeland-west-brabant", "RIEC Zeeland-West-Brabant"),
    ("riec-oost-brabant", "RIEC Oost-Brabant"),
    ("riec-limburg", "RIEC Limburg"),
]
REGION_IDS = [region for region, _ in REGIONS]

#: Demo regions: each gets one demo user per role. The first keeps the plain user ids
#: (analist, partner, ...); the others add their suffix (analist-limburg, ...).
DEMO_REGIONS: list[tuple[str, str]] = [("riec-noord", ""), ("riec-limburg", "-limburg")]


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
        # The analyst registers, corrects and works up signals: needs their values (Cockpit-free, via Tasklist and REST).
        ("riec-analyst", PROCESS_DEFINITION, "riec-signal", [
            "READ", "CREATE_INSTANCE", "READ_INSTANCE", "READ_HISTORY",
            "READ_INSTANCE_VARIABLE", "READ_HISTORY_VARIABLE", "READ_TASK_VARIABLE",
        ]),
        # ... and leads the case the signal becomes (riec-case, issue 9): the same reading, no starting by hand.
        ("riec-analyst", PROCESS_DEFINITION, "riec-case", [
            "READ", "READ_INSTANCE", "READ_HISTORY",
            "READ_INSTANCE_VARIABLE", "READ_HISTORY_VARIABLE", "READ_TASK_VARIABLE",
        ]),
        # ... and records the partners' intervention after the decision (riec-intervention, R-7.1): reading, no starting.
        ("riec-analyst", PROCESS_DEFINITION, "riec-intervention", [
            "READ", "READ_INSTANCE", "READ_HISTORY",
            "READ_INSTANCE_VARIABLE", "READ_HISTORY_VARIABLE", "READ_TASK_VARIABLE",
        ]),
        ("riec-analyst", PROCESS_INSTANCE, "*", ["CREATE"]),
        ("manager", APPLICATION, "cockpit", ["ACCESS"]),
        # Counts, durations and incidents: no *_VARIABLE permission, so no variable value (issue 6).
        ("manager", PROCESS_DEFINITION, "*", ["READ", "READ_INSTANCE", "READ_HISTORY"]),
        # Cockpit's dashboard counts open tasks (GET task/count) and its Human Tasks page counts them per
        # candidate group (task report: needs READ on every task). Without it the manager sees 0 tasks and a
        # permission error (issue 8). Task READ gives no variable value while enforceSpecificVariablePermission is on.
        # No role gets TASK CREATE: stand-alone tasks outside the procedure are refused by the engine.
        ("manager", TASK, "*", ["READ"]),
        ("privacy-officer", APPLICATION, "cockpit", ["ACCESS"]),
        # The privacy officer's audit reads what was recorded, so history variable values: an explicit grant.
        ("privacy-officer", PROCESS_DEFINITION, "*", ["READ", "READ_INSTANCE", "READ_HISTORY", "READ_HISTORY_VARIABLE"]),
        # Fetch-and-lock, complete, fail and report BPMN errors on any process: no deploy, no users, no history.
        # Fetch-and-lock hands out the fetched variables without a variable permission (FetchExternalTasksCmd).
        (WORKER_GROUP.group, PROCESS_DEFINITION, "*", ["READ", "READ_INSTANCE", "UPDATE_INSTANCE"]),
        (WORKER_GROUP.group, PROCESS_INSTANCE, "*", ["READ", "UPDATE", "CREATE"]),
        # Issue 9 (docs/case-process.md): the worker of `police-request-send` starts the police's process by
        # message (CREATE_INSTANCE, and instance CREATE above); the one of `police-own-initiative-link` reads the linked
        # case's phenomenon, purpose and partners (READ_INSTANCE_VARIABLE on riec-case only).
        (WORKER_GROUP.group, PROCESS_DEFINITION, "police-request", ["CREATE_INSTANCE"]),
        (WORKER_GROUP.group, PROCESS_DEFINITION, "riec-case", ["READ_INSTANCE_VARIABLE"]),
        # The worker of `intervention-start` starts the case's intervention by message.
        (WORKER_GROUP.group, PROCESS_DEFINITION, "riec-intervention", ["CREATE_INSTANCE"]),
        # Destruction (issue 11, R-7.1; docs/destruction.md): `case-destruction` and `retention-sweep` find a case's
        # instances in history and delete them (running ones first), and strip the intervention instance's own variables
        # (it must list their names). No history variable values (READ_HISTORY_VARIABLE) are granted.
        (WORKER_GROUP.group, PROCESS_DEFINITION, "*", ["READ_HISTORY", "DELETE_HISTORY", "DELETE_INSTANCE"]),
        (WORKER_GROUP.group, PROCESS_INSTANCE, "*", ["DELETE"]),
        (WORKER_GROUP.group, PROCESS_DEFINITION, "riec-intervention", ["READ_INSTANCE_VARIABLE", "UPDATE_INSTANCE_VARIABLE"]),
        # The police unit may provide on its own initiative (R-4.1-own): it starts `police-request` in Tasklist.
        ("police-unit", PROCESS_DEFINITION, "police-request", ["READ", "CREATE_INSTANCE"]),
        ("police-unit", PROCESS_INSTANCE, "*", ["CREATE"]),
        # Onward provision (issue 12, R-6.2 / R-6.3): a recipient partner starts riec-onward-provision in Tasklist (its
        # start form); the consent tasks go to the providing unit's officers through their candidate groups.
        ("riec-partner", PROCESS_DEFINITION, "riec-onward-provision", ["READ", "CREATE_INSTANCE"]),
        ("riec-partner", PROCESS_INSTANCE, "*", ["CREATE"]),
        # The worker of `onward-provide` reads who started the request and which consent tasks were completed
        # (history, not variables: a variable anyone starting an instance could set is no consent).
        (WORKER_GROUP.group, PROCESS_DEFINITION, "riec-onward-provision", ["READ_HISTORY"]),
    ]
)

#: Tasklist filters, the one with work first (Tasklist orders them by properties.priority, lowest first).
#: (name, query, priority, description); the description is shown to the officer (Dutch).
#: Authorizations still decide which tasks a filter shows: a role only sees its own tasks.
PRIORITY_FIRST = [{"sortBy": "priority", "sortOrder": "desc"}, {"sortBy": "created", "sortOrder": "asc"}]
FILTERS: list[tuple[str, dict, int, str]] = [
    ("Werkvoorraad van mijn rol",
     {"candidateGroupsExpression": "${currentUserGroups()}", "includeAssignedTasks": False, "sorting": PRIORITY_FIRST},
     -20, "Taken voor uw rol die nog niemand in behandeling heeft; hoogste prioriteit eerst."),
    ("Mijn taken", {"assigneeExpression": "${currentUser()}", "sorting": PRIORITY_FIRST},
     -10, "Taken die u in behandeling hebt genomen."),
    ("Verlopen", {"dueBeforeExpression": "${now()}", "sorting": [{"sortBy": "dueDate", "sortOrder": "asc"}]},
     0, "Taken waarvan de uiterste datum voorbij is; oudste eerst."),
]
#: Earlier names of filters above, so an existing installation's filter is renamed in place (same id, same permissions).
FILTER_RENAMED = {"Taken van mijn groepen": "Werkvoorraad van mijn rol"}


def ensure_group(client: CamundaClient, role: Role) -> None:
    if not client.get("group", id=role.group):
        client.post("group/create", {"id": role.group, "name": role.name, "type": "WORKFLOW"})


def ensure_regions(client: CamundaClient) -> None:
    existing = {t["id"] for t in client.get("tenant")}
    for region, name in REGIONS:
        if region not in existing:
            client.post("tenant/create", {"id": region, "name": name})


def ensure_tenant_member(client: CamundaClient, region: str, *, user: str | None = None, group: str | None = None) -> None:
    if user and not client.get("tenant", id=region, userMember=user):
        client.rest("PUT", f"tenant/{region}/user-members/{user}")
    if group and not client.get("tenant", id=region, groupMember=group):
        client.rest("PUT", f"tenant/{region}/group-members/{group}")


def ensure_user(client: CamundaClient, role: Role, password: str, region: str | None = None) -> None:
    """The user, member of the role's group and, for a person, of their one region (R-6.1)."""
    ensure_group(client, role)
    if not client.get("user", id=role.user):
        client.post("user/create", {
            "profile": {"id": role.user, "firstName": role.first, "lastName": role.last, "email": f"{role.user}@riec.example"},
            "credentials": {"password": password},
        })
    members = {u["id"] for u in client.get("user", memberOfGroup=role.group)}
    if role.user not in members:
        client.rest("PUT", f"group/{role.group}/members/{role.user}")
    if region:
        ensure_tenant_member(client, region, user=role.user)


def demo_users() -> list[tuple[Role, str]]:
    """Every demo user with their region: one per role per demo region."""
    return [
        (replace(role, user=role.user + suffix, last=role.last + (f" ({region.removeprefix('riec-').title()})" if suffix else "")), region)
        for region, suffix in DEMO_REGIONS
        for role in ROLES
    ]


def ensure_groups(client: CamundaClient) -> None:
    for role in ROLES:
        ensure_group(client, role)


def ensure_grants(client: CamundaClient) -> None:
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


def _meaningful(query: dict) -> dict:
    """A filter query without the empty fields the engine adds when it returns one."""
    return {k: v for k, v in (query or {}).items() if v not in (None, False, [], {})}


def ensure_filters(client: CamundaClient) -> None:
    """Create the Tasklist filters, or bring existing ones (also under an earlier name) up to date."""
    existing: dict[str, Any] = {}
    for f in client.get("filter", resourceType="Task"):
        existing.setdefault(FILTER_RENAMED.get(f["name"], f["name"]), f)
    for name, query, priority, description in FILTERS:
        properties = {"priority": priority, "description": description, "refresh": True}
        body = {"resourceType": "Task", "name": name, "owner": None, "query": query, "properties": properties}
        current = existing.get(name)
        if current is None:
            client.post("filter/create", body)
        elif (current["name"] != name or _meaningful(current.get("query")) != _meaningful(query)
              or {k: (current.get("properties") or {}).get(k) for k in properties} != properties):
            client.rest("PUT", f"filter/{current['id']}", json={**body, "owner": current.get("owner")})


def ensure_production(client: CamundaClient, worker_user: str, worker_password: str) -> None:
    """Regions, role groups, their grants, Tasklist filters and the workers' service user; no people."""
    try:
        ensure_regions(client)
        ensure_groups(client)
        ensure_user(client, replace(WORKER_GROUP, user=worker_user), worker_password)
        # The workers serve every region: their group is a member of all of them.
        for region in REGION_IDS:
            ensure_tenant_member(client, region, group=WORKER_GROUP.group)
        ensure_grants(client)
        ensure_filters(client)
    except EngineError as exc:
        raise RuntimeError(f"could not set up groups, authorizations and the worker user: {exc}") from exc


def ensure_demo(client: CamundaClient, worker_user: str, worker_password: str, demo_password: str) -> None:
    """``ensure_production`` plus one demo user per role in each demo region."""
    ensure_production(client, worker_user, worker_password)
    try:
        for role, region in demo_users():
            ensure_user(client, role, demo_password, region)
    except EngineError as exc:
        raise RuntimeError(f"could not create the demo users: {exc}") from exc
