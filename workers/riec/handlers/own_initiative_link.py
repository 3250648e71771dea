"""Topic ``police-own-initiative-link``: an own-initiative provision joins an existing case. Rule: R-4.1-own.

The police unit may provide on its own initiative, but only for an existing
case of its own region: the case number it entered must belong to a running
case process in the unit's region (``r_4_1_own_initiative``). The case's
phenomenon, purpose and partners are taken over, so the provision runs through
the same checks as a request.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from sqlalchemy.engine import Engine

from riec.compliance.models import CaseContext
from riec.compliance.rules import r_4_1_own_initiative
from riec.handlers import registry
from riec.handlers.case_init import Option, region_options
from riec.runtime import BpmnError
from riec.runtime.engine import CamundaClient
from riec.runtime.variables import from_camunda

OWN_INITIATIVE_INVALID = "OWN_INITIATIVE_INVALID"
CASE_PROCESS = "riec-case"
#: Case variables the police side takes over (references and choices only).
TAKEN_OVER = ("phenomenon", "phenomenonDescription", "purpose", "compatibleAims", "partnerIds")


class LinkInput(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    case_key: str | None = None
    own_initiative_reason: str | None = None
    tenant_id: str | None = None


class Linked(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    linked_case_key: str
    case_key: str
    phenomenon: str | None
    phenomenon_description: str
    purpose: str
    compatible_aims: list[str]
    partner_ids: list[str]
    recipient_options: list[Option]
    own_initiative_message: str = ""


def _refuse(message: str) -> BpmnError:
    return BpmnError(OWN_INITIATIVE_INVALID, "own initiative not linked", {"ownInitiativeMessage": f"- {message}"})


@registry.topic("police-own-initiative-link")
def link_own_initiative(link: LinkInput, *, camunda: CamundaClient, database: Engine) -> Linked:
    """Reads ``caseKey``, ``ownInitiativeReason`` and the tenant. Sets
    ``linkedCaseKey`` and takes over the case's ``phenomenon``,
    ``phenomenonDescription``, ``purpose``, ``compatibleAims`` and ``partnerIds``,
    with the region's ``recipientOptions``; or throws ``OWN_INITIATIVE_INVALID``
    with ``ownInitiativeMessage`` (Dutch)."""
    key = (link.case_key or "").strip()
    problems = []
    if not key:
        problems.append("Vul het casusnummer in (bijv. SIG-…).")
    if len((link.own_initiative_reason or "").strip()) < 10:
        problems.append("Licht in ten minste 10 tekens toe waarom de politie op eigen initiatief verstrekt.")
    if problems:
        raise BpmnError(OWN_INITIATIVE_INVALID, "own initiative not linked",
                        {"ownInitiativeMessage": "\n".join(f"- {p}" for p in problems)})
    cases = camunda.get("process-instance", processDefinitionKey=CASE_PROCESS, businessKey=key,
                        **({"tenantIdIn": link.tenant_id} if link.tenant_id else {}))
    if not cases:
        decision = r_4_1_own_initiative(None, link.tenant_id or "-")
        raise _refuse(f"{decision.reason_nl} Er loopt geen casus met nummer {key} in uw regio.")
    case = cases[0]
    values = {name: from_camunda(v) for name, v in
              camunda.get(f"process-instance/{case['id']}/variables", deserializeValues="false").items()}
    partner_ids = values.get("partnerIds") or []
    region = case.get("tenantId") or link.tenant_id or "-"
    # The rule needs the case's identity and region; partners may not be chosen yet (before the work-up).
    context = CaseContext(case_id=key, region=region, partner_ids=frozenset(partner_ids or ["none"]))
    decision = r_4_1_own_initiative(context, link.tenant_id or region)
    if not decision.allowed:
        raise _refuse(decision.reason_nl)
    _, recipients = region_options(database, link.tenant_id or case.get("tenantId"))
    return Linked(
        linked_case_key=key, case_key=key, phenomenon=values.get("phenomenon"),
        phenomenon_description=values.get("phenomenonDescription") or "",
        purpose=values.get("purpose") or "case_analysis",
        # Art. 3(2): the police provide for the prevention and detection of crime unless the case said more.
        compatible_aims=values.get("compatibleAims") or ["crime"],
        partner_ids=list(partner_ids), recipient_options=recipients)
