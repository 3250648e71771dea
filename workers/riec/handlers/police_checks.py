"""Topic ``police-checks``: the police unit's automated checks, before anyone judges. Rules: R-2, R-3.1, R-3.2, R-4.2, R-8, R-5.1a.

One call of the compliance rules with the date of the decision: the data
categories are the decree's (R-2), the case names its organised-crime
phenomenon (R-3.1), the purpose is the decree's and compatible with art. 3(2)
(R-3.2), a legal basis is valid on the decision date (R-8), the case's written
necessity assessment is stored and covers the request (R-5.1a), and only
persons of category a, b or c remain (R-4.2): the others are filtered out and
the filtering is recorded in the provision register. A failed check ends in a
refusal: ``CHECKS_FAILED`` with the failing rule IDs and the Dutch reason.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from sqlalchemy.engine import Engine

from riec.casework import Persons, Texts
from riec.compliance import legal_basis, necessity
from riec.compliance.decisions import Decision, combine
from riec.compliance.models import CompatibleAim, DataCategory, Phenomenon, Purpose
from riec.compliance.provision_register import EntryKind, RegisterEntry, append
from riec.compliance.rules import (
    r_2_data_categories,
    r_3_1_phenomenon_stated,
    r_3_2_purpose,
    r_4_2_persons,
    r_5_1a_necessity,
    r_8_legal_basis,
)
from riec.dutch_time import amsterdam_day
from riec.handlers import registry
from riec.runtime import BpmnError

CHECKS_FAILED = "CHECKS_FAILED"


def _member(enum: Any, value: Any) -> Any:
    try:
        return enum(value)
    except ValueError:
        return None


class ChecksInput(BaseModel):
    """Lenient where a rule must answer: an unknown category or purpose is a refusal with a reason, not a crash."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    case_key: str
    own_initiative: bool = False
    purpose: str | None = None
    compatible_aims: Texts = []
    phenomenon: str | None = None
    phenomenon_description: str | None = None
    data_categories: Texts = []
    persons: Persons
    decision_date: dt.date | None = None
    business_key: str | None = None
    tenant_id: str | None = None
    task_key: str


class ChecksPassed(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    art9_requested: bool
    art10_requested: bool
    included_person_refs: list[str]
    filtered_person_refs: list[str]
    legal_basis_id: str | None
    check_rule_ids: list[str]


def decision_date(given: dt.date | None, now: dt.datetime) -> dt.date:
    """The date the decision is taken: the given one, else today in the Netherlands."""
    return given or amsterdam_day(now)


def run_checks(checks: ChecksInput, *, database: Engine, now: dt.datetime) -> tuple[Decision, list[Decision], Any]:
    """Every automated check; returns the combined decision, its parts and the R-4.2 selection."""
    on = decision_date(checks.decision_date, now)
    categories = [c for c in (_member(DataCategory, v) for v in checks.data_categories) if c is not None]
    unknown = [v for v in checks.data_categories if _member(DataCategory, v) is None]
    persons = r_4_2_persons([p.for_rules() for p in checks.persons])
    r_2 = r_2_data_categories(categories)
    if unknown and r_2.allowed:
        r_2 = Decision.refuse("R-2", "Er zijn politiegegevens gevraagd van een soort die dit besluit niet kent.",
                              "Unknown data category requested.", codes=("R-2:unknown_category",))
    parts = [
        r_8_legal_basis(on, legal_basis.list_bases(database)),
        r_2,
        r_3_1_phenomenon_stated(_member(Phenomenon, checks.phenomenon), checks.phenomenon_description or "", checks.case_key),
        r_3_2_purpose(_member(Purpose, checks.purpose), {a for a in (_member(CompatibleAim, v) for v in checks.compatible_aims) if a}),
        persons.decision,
        r_5_1a_necessity(necessity.latest(database, checks.case_key), checks.case_key, categories,
                         [p.ref for p in persons.included], on),
    ]
    return combine(*parts), parts, persons


@registry.topic("police-checks")
def police_checks(checks: ChecksInput, *, database: Engine) -> ChecksPassed:
    """Reads ``caseKey``, ``ownInitiative``, ``purpose``, ``compatibleAims``,
    ``phenomenon``, ``phenomenonDescription``, ``dataCategories``, ``persons`` and
    the optional ``decisionDate``. Sets ``art9Requested``, ``art10Requested``,
    ``includedPersonRefs``, ``filteredPersonRefs``, ``legalBasisId`` and
    ``checkRuleIds``; or throws ``CHECKS_FAILED`` with ``refusalRuleIds`` and
    ``refusalReasonNl``. Persons outside a-c are recorded as filtered (R-4.2),
    once per task."""
    now = dt.datetime.now(dt.timezone.utc)
    decision, parts, persons = run_checks(checks, database=database, now=now)
    filtered = [p.ref for p, _ in persons.excluded]
    if filtered:
        append(database, RegisterEntry(
            kind=EntryKind.PERSONS_FILTERED, occurred_at=now, actor="police-checks", case_id=checks.case_key,
            region=checks.tenant_id, person_refs=tuple(filtered), rule_ids=("R-4.2",),
            reason_codes=tuple(c for _, d in persons.excluded for c in d.codes),
            references={"process_instance": checks.task_key.split("/", 1)[0]},
        ), idempotency_key=f"{checks.task_key}:filtered")
    if not decision.allowed:
        # The parts that decide the outcome: the refusals, or else the open steps (as in combine()).
        failing = [p for p in parts if p.outcome is decision.outcome]
        raise BpmnError(CHECKS_FAILED, "automated checks failed: " + ", ".join(c for p in failing for c in p.codes),
                        {"refusalRuleIds": list(dict.fromkeys(r for p in failing for r in p.rule_ids)),
                         "refusalReasonNl": decision.reason_nl,
                         "filteredPersonRefs": filtered})
    categories = {_member(DataCategory, v) for v in checks.data_categories}
    return ChecksPassed(
        art9_requested=DataCategory.ART_9 in categories, art10_requested=DataCategory.ART_10_1A in categories,
        included_person_refs=[p.ref for p in persons.included], filtered_person_refs=filtered,
        legal_basis_id=decision.legal_basis_id, check_rule_ids=list(decision.rule_ids))
