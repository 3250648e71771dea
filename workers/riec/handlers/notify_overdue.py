"""Topic ``notify-overdue``: an overdue user task notifies its role's group. Rules: R-4.1, R-5.1e (the procedure keeps moving).

Each user task of the case and police-request processes has a due date from
configuration (``RIEC_DUE_*``) and a non-interrupting timer at that moment,
which leads here. The notification names the case number and the task, never
personal or police data; it is recorded through :class:`riec.notifications.Notifier`
(issue 10's outbox sends it by mail), once per timer firing.
"""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from riec.handlers import registry
from riec.notifications import Notification, Notifier

#: What the officer reads about each task (docs/case-process.md).
TASK_NAMES_NL = {
    "Task_HalfOpenSources": "Fase 4a: half open bronnen raadplegen",
    "Task_ClosedSources": "Fase 4b: gesloten bronnen raadplegen",
    "Task_OpenSources": "Open bron toevoegen",
    "Task_WorkUp": "Casus opwerken",
    "Task_CaseDecision": "Casusbesluit nemen",
    "Task_Request": "Verzoek om politiegegevens opstellen",
    "Task_CorrectOwnInitiative": "Eigen initiatief: casus koppelen",
    "Task_OwnInitiativeDetails": "Verstrekking op eigen initiatief voorbereiden",
    "Task_Judgement": "Verzoek beoordelen: gegevens en belangen",
    "Task_Consult210": "Advies functionaris art. 2:10 Bpg",
    "Task_ConsentCaseProsecutor": "Instemming zaaksofficier (art. 9 Wpg)",
    "Task_ConsentCieProsecutor": "Instemming CIE-officier (art. 10 lid 1 sub a Wpg)",
    "Task_AnonymisationDecision": "Besluit anonimiseren vastleggen",
}


class Overdue(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    overdue_group: str = Field(min_length=1, max_length=80)
    overdue_task_id: str = Field(min_length=1, max_length=200)
    business_key: str | None = None
    tenant_id: str | None = None
    task_key: str


class Notified(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    overdue_notified: bool = True


@registry.topic("notify-overdue")
def notify_overdue(overdue: Overdue, *, notifier: Notifier) -> Notified:
    """Reads the input parameters ``overdueGroup`` (the task's candidate group) and
    ``overdueTaskId`` (the user task's id), and the business key. Records one
    notification for the group, once per timer firing (keyed on this task)."""
    name = TASK_NAMES_NL.get(overdue.overdue_task_id, overdue.overdue_task_id)
    case = overdue.business_key or "-"
    notifier.notify(Notification(
        key=f"overdue:{overdue.task_key}", kind="overdue", recipient_group=overdue.overdue_group,
        business_key=overdue.business_key, task_ref=overdue.overdue_task_id,
        text_nl=f"De taak '{name} · {case}' is over de termijn. Pak haar op in Tasklist.",
        created_at=dt.datetime.now(dt.timezone.utc), region=overdue.tenant_id))  # mail only to this region's group
    return Notified()
