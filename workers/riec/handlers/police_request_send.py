"""Topic ``police-request-send``: the RIEC's request reaches the regional police unit. Rules: R-4.1, R-6.1.

Sends the message ``riec-police-request``, which starts the police's own
process (``police-request``) with the case key as business key, in the case's
region. Only references and the request's choices travel: the purpose, data
categories, persons by reference with category and motivation, the partners
and recipients by id, and the necessity assessment's reference (R-5.1a).
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from riec.casework import Aims, Categories, Persons, References
from riec.compliance.models import Phenomenon, Purpose
from riec.handlers import registry
from riec.notifications import Notification, Notifier
from riec.runtime.engine import CamundaClient
from riec.runtime.variables import to_camunda_map

log = logging.getLogger(__name__)

REQUEST_MESSAGE = "riec-police-request"
POLICE_PROCESS = "police-request"


class PoliceRequest(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    case_key: str
    purpose: Purpose
    compatible_aims: Aims
    phenomenon: Phenomenon
    phenomenon_description: str | None = None
    partner_ids: References
    persons: Persons
    data_categories: Categories
    recipient_ids: References
    necessity_assessment_ref: str
    tenant_id: str | None = None


class RequestSent(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    police_request_sent: bool = True


def message_variables(request: PoliceRequest) -> dict[str, Any]:
    """What the police process receives: references and choices, no police data."""
    return {
        "caseKey": request.case_key, "region": request.tenant_id, "ownInitiative": False,
        "purpose": request.purpose.value, "compatibleAims": [a.value for a in request.compatible_aims],
        "phenomenon": request.phenomenon.value, "phenomenonDescription": request.phenomenon_description or "",
        "partnerIds": list(request.partner_ids), "persons": [p.model_dump(mode="json") for p in request.persons],
        "dataCategories": [c.value for c in request.data_categories], "recipientIds": list(request.recipient_ids),
        "necessityAssessmentRef": request.necessity_assessment_ref,
    }


@registry.topic("police-request-send")
def send_police_request(request: PoliceRequest, *, camunda: CamundaClient, notifier: Notifier) -> RequestSent:
    """Reads the request's variables (docs/case-process.md, message ``riec-police-request``)
    and the tenant. Starts ``police-request`` with the case key, unless a redelivery
    of this task already did, and tells the region's ``police-unit`` group that a
    request arrived (once per case key; issue 10). Sets ``policeRequestSent``."""
    running = camunda.get("process-instance", processDefinitionKey=POLICE_PROCESS, businessKey=request.case_key,
                          **({"tenantIdIn": request.tenant_id} if request.tenant_id else {}))
    if running:
        log.info("police request for this case already started; not sent again")
        _tell_police_unit(request, notifier)  # a redelivery after the start may not have told them yet
        return RequestSent()
    # The police process definition is shared by all regions; the new instance takes
    # its region from the variable ``region`` (the engine's tenant provider, R-6.1).
    camunda.post("message", {"messageName": REQUEST_MESSAGE, "businessKey": request.case_key,
                             "processVariables": to_camunda_map(message_variables(request))})
    _tell_police_unit(request, notifier)
    return RequestSent()


def _tell_police_unit(request: PoliceRequest, notifier: Notifier) -> None:
    """The region's police unit (R-6.1) learns that a request arrived: the case reference only,
    no personal or police data (R-5.2). Idempotent on the case key. An own initiative starts
    in the police unit itself and is not told."""
    notifier.notify(Notification(
        key=f"request_arrived:{request.case_key}", kind="request_arrived", recipient_group="police-unit",
        business_key=request.case_key, task_ref="Task_Judgement",
        text_nl=(f"Het RIEC heeft een verzoek om politiegegevens gestuurd voor casus {request.case_key}. "
                 "Beoordeel het in Tasklist."),
        created_at=dt.datetime.now(dt.timezone.utc), region=request.tenant_id))


