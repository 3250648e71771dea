"""Topic ``refusal-letter``: the police's refusal explained to the requesting partner. Rule: R-4.1-refuse.

Runs after ``SendTask_Refuse`` in the police pool (``Task_RefusalLetter``). Builds the Dutch
letter from the decision's reason and rule IDs (riec.letters.refusal); when the police
recorded that an explanation is not possible (``explanationImpossible``), the letter says
only that the request is refused. The letter is stored in the registers' database (not in
a process variable), registered in the provision register and announced by mail to the
region's analysts, in one transaction. An own-initiative refusal has no requester: no letter.
"""
from __future__ import annotations


from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from sqlalchemy.engine import Engine

from riec.casework import Texts
from riec.handlers import registry
from riec.letters import refusal


class RefusalLetterInput(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    case_key: str
    decision_ref: str
    own_initiative: bool = False
    refusal_rule_ids: Texts = []
    refusal_reason_nl: str | None = None
    explanation_impossible: bool | None = None
    partner_ids: Texts = []
    tenant_id: str | None = None
    task_key: str


class RefusalLetterMade(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    refusal_letter_ref: str


@registry.topic("refusal-letter")
def refusal_letter(d: RefusalLetterInput, *, database: Engine, tasklist_url: str) -> RefusalLetterMade:
    """Reads ``caseKey``, ``decisionRef``, ``refusalRuleIds``, ``refusalReasonNl``, ``explanationImpossible``,
    ``partnerIds``, ``ownInitiative`` and the tenant. Sets ``refusalLetterRef`` (empty for an own initiative)."""
    if d.own_initiative:
        return RefusalLetterMade(refusal_letter_ref="")
    letter = refusal.create(
        database, case_key=d.case_key, decision_ref=d.decision_ref, region=d.tenant_id, partners=d.partner_ids,
        reason_nl=d.refusal_reason_nl or "", rule_ids=d.refusal_rule_ids or ["R-4.1-refuse"], reason_codes=[],
        explanation_impossible=bool(d.explanation_impossible) and "R-4.1-refuse" in d.refusal_rule_ids, link=tasklist_url, actor="police-unit")
    return RefusalLetterMade(refusal_letter_ref=letter.ref)
