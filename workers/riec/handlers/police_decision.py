"""Topic ``police-decision``: the police unit's decision, recorded and sent to the case. Rules: R-4.1-refuse, R-5.1e, R-4.1-own.

Runs on both ends of the police process: ``SendTask_Provide`` and
``SendTask_Refuse`` (input parameter ``outcome``). It records in the provision
register the 2:10 consultation and each prosecutor's consent (R-5.1e: their
outcomes are stored) and the decision itself: a refusal with its rule IDs,
reason codes and the Dutch reason (fit for the refusal letter), or the decision
to provide, which the next issue's provision (vault, letters) follows. Then it
sends the decision to the case by message, correlated by the case key in the
case's region.

A refusal's reason is, in order: the failed automated checks; no relevant data
(R-4.1-refuse); an opposing interest (``r_4_1_refusal``, R-4.1-refuse); the
2:10 officer's advice against (R-5.1e); a withheld consent (``r_5_1e_consents``,
R-5.1e). A "provide" is checked again against R-5.1e here: no provision without
the consultation and every required consent, whatever the diagram did.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from sqlalchemy.engine import Engine

from riec.casework import Advice, ConsentChoice, OpposingInterest, Texts, YesNo
from riec.compliance.decisions import Decision
from riec.compliance.models import Consent, ConsentRole, DataCategory, Refusal, RefusalGround
from riec.compliance.provision_register import EntryKind, RegisterEntry, StoredEntry, append
from riec.compliance.rules import r_4_1_refusal, r_5_1e_consents
from riec.handlers import registry
from riec.runtime.engine import CamundaClient, EngineError
from riec.runtime.variables import to_camunda_map

log = logging.getLogger(__name__)


PROVIDES, REFUSES, OWN_INITIATIVE = "riec-police-provides", "riec-police-refuses", "riec-police-own-initiative-decision"

NO_RELEVANT_DATA_NL = ("De politie beschikt in deze casus niet over relevante gegevens die zijn verwerkt op grond van "
                       "art. 9 of art. 10, eerste lid, onder a, Wpg; er wordt niets verstrekt.")
ADVICE_AGAINST_NL = ("Na raadpleging van de functionaris ex art. 2:10 Besluit politiegegevens, die negatief heeft "
                     "geadviseerd, wordt niet verstrekt.")


class DecisionInput(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    outcome: Literal["provide", "refuse"]
    own_initiative: bool = False
    case_key: str
    data_categories: Texts = []
    included_person_refs: Texts = []
    filtered_person_refs: Texts = []
    recipient_ids: Texts = []
    legal_basis_id: str | None = None
    necessity_assessment_ref: str | None = None
    relevant_data_exist: YesNo | None = None
    opposing_interest: OpposingInterest | None = None
    refusal_explanation: str | None = None
    explanation_impossible: bool | None = None
    explanation_impossible_reason: str | None = None
    officer210_advice: Advice | None = None
    case_prosecutor_consent: ConsentChoice | None = None
    cie_prosecutor_consent: ConsentChoice | None = None
    refusal_rule_ids: Texts = []
    refusal_reason_nl: str | None = None
    business_key: str | None = None
    tenant_id: str | None = None
    task_key: str

    @property
    def process_instance_id(self) -> str:
        return self.task_key.split("/", 1)[0]

    def categories(self) -> list[DataCategory]:
        return [DataCategory(v) for v in self.data_categories if v in DataCategory._value2member_map_]


class PoliceDecision(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    police_decision: Literal["provide", "refuse"]
    decision_ref: str
    refusal_rule_ids: list[str] = []
    refusal_reason_nl: str = ""


def consents_of(d: DecisionInput, at: dt.datetime) -> list[Consent]:
    """The R-5.1e outcomes this process recorded (by role: the person is in the engine's task history)."""
    found = []
    if d.officer210_advice is not None:
        found.append(Consent(role=ConsentRole.OFFICER_2_10, by="police-data-officer", given=d.officer210_advice is Advice.IN_FAVOUR, at=at))
    if d.case_prosecutor_consent is not None:
        found.append(Consent(role=ConsentRole.CASE_PROSECUTOR, by="case-prosecutor", given=d.case_prosecutor_consent is ConsentChoice.GIVEN, at=at))
    if d.cie_prosecutor_consent is not None:
        found.append(Consent(role=ConsentRole.CIE_PROSECUTOR, by="cie-prosecutor", given=d.cie_prosecutor_consent is ConsentChoice.GIVEN, at=at))
    return found


def refusal_reason(d: DecisionInput, consents: list[Consent], on: dt.date) -> Decision:
    """Why the request is refused, by the first reason that applies (module docstring)."""
    if d.refusal_rule_ids:
        return Decision.refuse(tuple(d.refusal_rule_ids), d.refusal_reason_nl or "De automatische controles zijn niet geslaagd.",
                               "Automated checks failed.", codes=tuple(f"{r}:check_failed" for r in d.refusal_rule_ids))
    if d.relevant_data_exist is YesNo.NO:
        return Decision.refuse("R-4.1-refuse", NO_RELEVANT_DATA_NL, "No relevant data.", codes=("R-4.1-refuse:no_relevant_data",))
    if d.opposing_interest not in (None, OpposingInterest.NONE):
        assert d.opposing_interest is not None
        explained = r_4_1_refusal(Refusal(
            ground=RefusalGround(d.opposing_interest.value), explanation=d.refusal_explanation or "",
            explanation_impossible_reason=(d.explanation_impossible_reason or "") if d.explanation_impossible else ""))
        return Decision.refuse(explained.rule_ids, explained.reason_nl, explained.reason_en, codes=explained.codes)
    if d.officer210_advice is Advice.AGAINST:
        return Decision.refuse("R-5.1e", ADVICE_AGAINST_NL, "The art. 2:10 officer advised against.",
                               codes=("R-5.1e:advice_against",))
    consent = r_5_1e_consents(d.categories(), consents, on)
    if consent.refused:
        return consent
    return Decision.refuse("R-4.1-refuse", "De politie verstrekt de gevraagde gegevens niet.", "Refused.",
                           codes=("R-4.1-refuse:refused",))


def record(database: Engine, d: DecisionInput, decision: Decision, consents: list[Consent], now: dt.datetime) -> StoredEntry:
    """The consultation, the consents and the decision: one register entry each, once per task."""
    common: dict[str, Any] = dict(occurred_at=now, case_id=d.case_key, region=d.tenant_id,
                                  data_categories=tuple(d.categories()),
                                  references={"process_instance": d.process_instance_id})
    for c in consents:
        kind = EntryKind.CONSULTATION if c.role is ConsentRole.OFFICER_2_10 else EntryKind.CONSENT
        append(database, RegisterEntry(kind=kind, actor=c.by, outcome="allowed" if c.given else "refused",
                                       person_refs=tuple(d.included_person_refs),
                                       rule_ids=("R-5.1e",), reason_codes=(f"R-5.1e:{c.role}:{'given' if c.given else 'withheld'}",),
                                       **common), idempotency_key=f"{d.task_key}:{c.role}")
    return append(database, RegisterEntry(
        kind=EntryKind.REFUSAL if decision.refused else EntryKind.PROVISION_DECIDED, actor="police-unit",
        person_refs=tuple(d.included_person_refs), legal_basis_id=d.legal_basis_id,
        assessment_id=d.necessity_assessment_ref, consent_refs=tuple(f"{c.role}:{c.by}" for c in consents),
        outcome=decision.outcome, rule_ids=decision.rule_ids, reason_codes=decision.codes, **common,
    ), idempotency_key=f"{d.task_key}:decision")


def deliver(camunda: CamundaClient, d: DecisionInput, variables: dict[str, Any]) -> None:
    """Correlate the decision to the case, once: a redelivered task finds it delivered."""
    if d.own_initiative:
        name, variables = OWN_INITIATIVE, {**variables, "ownInitiativeRef": d.process_instance_id}
    else:
        name = PROVIDES if variables["policeDecision"] == "provide" else REFUSES
    tenant = {"tenantId": d.tenant_id} if d.tenant_id else {}
    if d.own_initiative:
        cases = camunda.get("process-instance", processDefinitionKey="riec-case", businessKey=d.case_key,
                            variables=f"ownInitiativeRef_eq_{d.process_instance_id}", **({"tenantIdIn": d.tenant_id} if d.tenant_id else {}))
        if cases:
            log.info("own-initiative decision already delivered to the case")
            return
    try:
        camunda.post("message", {"messageName": name, "businessKey": d.case_key, **tenant,
                                 "processVariables": to_camunda_map(variables)})
    except EngineError as exc:
        waiting = camunda.get("execution", businessKey=d.case_key, messageEventSubscriptionName=name,
                              **({"tenantIdIn": d.tenant_id} if d.tenant_id else {}))
        if exc.status == 400 and not waiting and not d.own_initiative:
            log.info("decision message not correlated: the case no longer waits (delivered by an earlier attempt)")
            return
        raise


@registry.topic("police-decision")
def police_decision(d: DecisionInput, *, database: Engine, camunda: CamundaClient) -> PoliceDecision:
    """Reads ``outcome`` (input parameter: provide / refuse), ``ownInitiative``,
    ``caseKey``, the judgement, 2:10 advice and consent variables, and
    ``refusalRuleIds`` / ``refusalReasonNl`` when the checks failed. Records the
    decision and sends it to the case (docs/case-process.md). Sets
    ``policeDecision``, ``decisionRef`` (the register entry), ``refusalRuleIds``
    and ``refusalReasonNl``."""
    now = dt.datetime.now(dt.timezone.utc)
    consents = consents_of(d, now)
    on = now.date()
    if d.outcome == "provide":
        # R-5.1e, again: the consultation and every consent the categories need.
        decision = r_5_1e_consents(d.categories(), consents, on)
        if not decision.allowed or d.refusal_rule_ids or not d.included_person_refs:
            raise RuntimeError("a provide decision without the consultation, a required consent or a person in a-c")
    else:
        decision = refusal_reason(d, consents, on)
    entry = record(database, d, decision, consents, now)
    result = PoliceDecision(police_decision=d.outcome, decision_ref=entry.entry_id,
                            refusal_rule_ids=list(decision.rule_ids) if decision.refused else [],
                            refusal_reason_nl=decision.reason_nl if decision.refused else "")
    message: dict[str, Any] = {"policeDecision": d.outcome, "decisionRef": entry.entry_id}
    if decision.refused:
        message |= {"refusalRuleIds": result.refusal_rule_ids, "refusalReasonNl": result.refusal_reason_nl}
    else:
        message |= {"includedPersonRefs": list(d.included_person_refs), "filteredPersonRefs": list(d.filtered_person_refs)}
    deliver(camunda, d, message)
    return result
