"""The anonymisation decision (art. 7(2), R-7.2): what of a case may survive its destruction, and only anonymised.

Before the destruction date (R-7.1, ``riec.retention``) the RIEC partners may decide,
in consultation with the providing police unit, that anonymised data of the case are
kept for statistics or science. The case director (riec-analyst) records that decision
in the user task ``Task_AnonymisationDecision`` (form ``anonymisation-decision``,
mirrored by :class:`AnonymisationDecision`); the topic ``anonymisation-record`` applies
``r_7_2_keep_anonymised`` and, if it allows, stores ONE :class:`AnonymisedRecord`.

How "anonymised" is verified (docs/anonymisation.md):

1. **By construction.** :class:`AnonymisedRecord` admits only the whitelisted fields
   (:class:`KeptField`) and only closed value types: a region id of the catalogue, an
   enum value, a quarter ``JJJJ-Kn``, small counts and a duration in whole weeks. There is
   no field for a name, an address, a date of birth, a KvK number, free text or an
   exact date, and ``extra="forbid"`` refuses any other key. The table
   ``anonymised_record`` has exactly these columns and no case key: the record cannot be
   linked back to the case (the ANONYMISATION register entry names the case and the
   decision, never the record).
2. **By comparison.** Before storing, :func:`identifying_hits` compares every value of
   the record with the case's identifying values (the subject's name, address parts,
   postcode, date of birth, KvK number, the case key, the person references and every
   exact date of the case), read from the engine while they still exist. A hit stores
   nothing (fail safe) and registers why.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator
from sqlalchemy import select
from sqlalchemy.engine import Engine

from riec.casework import json_text
from riec.compliance import db
from riec.compliance.decisions import Decision
from riec.compliance.models import DataCategory, PersonCategory, Phenomenon
from riec.compliance.provision_register import EntryKind, RegisterEntry, StoredEntry, append_in
from riec.compliance.rules import r_7_2_keep_anonymised
from riec.formcheck import FormModel
from riec.identity import REGION_IDS
from riec.intervention import InterventionMeasure

RULE = "R-7.2"


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class AnonymisationChoice(StrEnum):
    KEEP = "keep_anonymised"  # the partners decided to keep an anonymised record
    DESTROY = "destroy_all"  # nothing is kept: everything is destroyed


class AnonymisationPurpose(StrEnum):
    STATISTICS = "statistiek"
    SCIENCE = "wetenschap"


class KeptField(StrEnum):
    """The whitelist: the only things an anonymised record can hold (one form choice each)."""

    REGION = "region"
    PHENOMENON = "phenomenon"
    QUARTER = "quarter"
    PERSON_COUNTS = "person_counts"
    DATA_CATEGORIES = "data_categories"
    OUTCOME = "outcome"
    MEASURES = "measures"
    DURATION = "duration_weeks"


KEPT_FIELD_LABELS_NL = {
    KeptField.REGION: "RIEC-regio",
    KeptField.PHENOMENON: "Verschijningsvorm",
    KeptField.QUARTER: "Jaar en kwartaal van de start van de casus",
    KeptField.PERSON_COUNTS: "Aantal personen per categorie (a, b, c)",
    KeptField.DATA_CATEGORIES: "Soorten gegevens (art. 9 / art. 10 Wpg)",
    KeptField.OUTCOME: "Uitkomst (verstrekt / zonder politiegegevens)",
    KeptField.MEASURES: "Soorten interventie",
    KeptField.DURATION: "Doorlooptijd in hele weken",
}

KeptFields = Annotated[list[KeptField], BeforeValidator(json_text)]
OptionalDate = Annotated[dt.date | None, BeforeValidator(_blank_is_none)]


class AnonymisationDecision(FormModel):
    """``Task_AnonymisationDecision``: the partners' decision, recorded by the case director. R-7.2."""

    anonymisation_decision: AnonymisationChoice = Field(title="Besluit van de RIEC-partners")
    anonymisation_purpose: Annotated[AnonymisationPurpose | None, BeforeValidator(_blank_is_none)] = Field(
        None, title="Doel van het bewaren", description="Verplicht bij geanonimiseerd bewaren.")
    anonymised_fields: KeptFields = Field(
        default_factory=list, title="Wat geanonimiseerd bewaard blijft",
        description="Alleen deze gegevens blijven bestaan, zonder namen, adressen, geboortedata, KvK-nummers, vrije tekst of exacte data.")
    anonymisation_decided_on: dt.date = Field(title="Datum besluit",
                                              description="Datum in de vorm JJJJ-MM-DD, vóór de vernietigingsdatum.")
    police_unit_consulted: bool = Field(False, title="De verstrekkende politie-eenheid is geraadpleegd")
    police_unit_consulted_on: OptionalDate = Field(None, title="Datum overleg met de politie-eenheid",
                                                   description="Datum in de vorm JJJJ-MM-DD; verplicht als de eenheid is geraadpleegd.")

    @model_validator(mode="after")
    def _complete(self) -> "AnonymisationDecision":
        problems = []
        if self.anonymisation_decision is AnonymisationChoice.KEEP:
            if self.anonymisation_purpose is None:
                problems.append("Kies bij geanonimiseerd bewaren het 'Doel van het bewaren'.")
            if not self.anonymised_fields:
                problems.append("Kies bij geanonimiseerd bewaren ten minste één gegeven onder 'Wat geanonimiseerd bewaard blijft'.")
        if self.police_unit_consulted and self.police_unit_consulted_on is None:
            problems.append("Vul de 'Datum overleg met de politie-eenheid' in.")
        if problems:
            raise ValueError(" ".join(problems))
        return self

    @property
    def keep(self) -> bool:
        return self.anonymisation_decision is AnonymisationChoice.KEEP


def consultation_needed(case_outcome: str | None) -> bool:
    """R-7.2: the providing unit is consulted when police data were provided (not for a case without them)."""
    return case_outcome != "without_police_data"


def decision_problems(form: AnonymisationDecision, destruction_due_on: dt.date | None, case_outcome: str | None,
                      today: dt.date | None = None) -> list[str]:
    """Dutch reasons the decision cannot stand as entered: dates in the future, not before destruction,
    consultation after the decision, or keeping without consulting the providing unit (R-7.2)."""
    today = today or dt.date.today()
    problems = []
    if form.anonymisation_decided_on > today:
        problems.append("'Datum besluit' ligt in de toekomst: vul de datum in waarop de partners besloten.")
    if destruction_due_on is not None and form.anonymisation_decided_on >= destruction_due_on:
        problems.append(f"'Datum besluit' moet vóór de vernietigingsdatum ({destruction_due_on.isoformat()}) liggen.")
    consulted_on = form.police_unit_consulted_on if form.police_unit_consulted else None
    if consulted_on is not None and consulted_on > today:
        problems.append("'Datum overleg met de politie-eenheid' ligt in de toekomst.")
    if consulted_on is not None and consulted_on > form.anonymisation_decided_on:
        problems.append("Het overleg met de politie-eenheid gaat aan het besluit vooraf: de datum ligt na de 'Datum besluit'.")
    if form.keep and consultation_needed(case_outcome) and not form.police_unit_consulted:
        problems.append("Geanonimiseerd bewaren kan alleen in overleg met de verstrekkende politie-eenheid: "
                        "raadpleeg de eenheid en vink dat aan, of kies 'Niets bewaren'.")
    return problems


# --------------------------------------------------------------------------- the anonymised record


RegionId = Annotated[str, StringConstraints(pattern="^(" + "|".join(REGION_IDS) + ")$")]
Count = Annotated[int, Field(strict=True, ge=0, le=999)]
Quarter = Annotated[str, StringConstraints(pattern=r"^20[0-9]{2}-K[1-4]$")]


class KeptOutcome(StrEnum):
    PROVIDED = "provided"
    WITHOUT_POLICE_DATA = "without_police_data"


class AnonymisedRecord(BaseModel):
    """What survives a case by an R-7.2 decision. Only these fields, only these value types; no case key.

    Every field but ``purpose`` is ``None`` unless the decision kept it (:class:`KeptField`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    purpose: AnonymisationPurpose
    region: RegionId | None = None
    phenomenon: Phenomenon | None = None
    quarter: Quarter | None = None
    persons_a: Count | None = None
    persons_b: Count | None = None
    persons_c: Count | None = None
    data_categories: tuple[DataCategory, ...] | None = None
    outcome: KeptOutcome | None = None
    measures: tuple[InterventionMeasure, ...] | None = None
    duration_weeks: Annotated[int, Field(strict=True, ge=0, le=520)] | None = None

    def values(self) -> list[str]:
        """Every stored value as text (list members one by one), for :func:`identifying_hits`."""
        out: list[str] = []
        for value in self.model_dump(mode="json").values():
            if isinstance(value, list):
                out += [str(v) for v in value]
            elif value is not None:
                out.append(str(value))
        return out


#: The record's columns: the whitelist, nothing else (tests/unit/test_anonymisation.py compares the table with it).
RECORD_COLUMNS = ("id", *AnonymisedRecord.model_fields)


class CaseFacts(BaseModel):
    """What the record is made from: the case's non-identifying facts (set by ``intervention-start`` and the
    intervention's tasks). Person references are only counted; dates only become a quarter and a week count."""

    region: str | None = None
    phenomenon: str | None = None
    case_started_on: dt.date | None = None
    carried_out_on: dt.date | None = None
    persons_by_category: dict[str, int] = Field(default_factory=dict)
    data_categories: list[str] = Field(default_factory=list)
    outcome: str | None = None
    measures: list[str] = Field(default_factory=list)


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-K{(day.month - 1) // 3 + 1}"


def weeks_between(start: dt.date, end: dt.date) -> int:
    """Whole weeks, rounded to the nearest week: an exact duration could single out a case."""
    return max(0, round((end - start).days / 7))


def anonymise(facts: CaseFacts, kept: Iterable[KeptField], purpose: AnonymisationPurpose) -> AnonymisedRecord:
    """The record of the fields the decision kept; values that do not fit the whitelist's types are left out."""
    kept = set(kept)
    values: dict[str, Any] = {"purpose": purpose}
    if KeptField.REGION in kept and facts.region in REGION_IDS:
        values["region"] = facts.region
    if KeptField.PHENOMENON in kept and facts.phenomenon in {p.value for p in Phenomenon}:
        values["phenomenon"] = facts.phenomenon
    if KeptField.QUARTER in kept and facts.case_started_on is not None:
        values["quarter"] = quarter_of(facts.case_started_on)
    if KeptField.PERSON_COUNTS in kept:
        for category in (PersonCategory.A, PersonCategory.B, PersonCategory.C):
            values[f"persons_{category.value}"] = int(facts.persons_by_category.get(category.value, 0))
    if KeptField.DATA_CATEGORIES in kept:
        known = {c.value for c in DataCategory}
        values["data_categories"] = tuple(sorted({c for c in facts.data_categories if c in known}))
    if KeptField.OUTCOME in kept and facts.outcome in {o.value for o in KeptOutcome}:
        values["outcome"] = facts.outcome
    if KeptField.MEASURES in kept:
        known = {m.value for m in InterventionMeasure}
        values["measures"] = tuple(sorted({m for m in facts.measures if m in known}))
    if KeptField.DURATION in kept and facts.case_started_on and facts.carried_out_on:
        values["duration_weeks"] = weeks_between(facts.case_started_on, facts.carried_out_on)
    return AnonymisedRecord.model_validate(values)


# --------------------------------------------------------------------------- the comparison with the case


#: Variables of the case's process instances (signal, case, police, intervention) whose values identify.
IDENTIFYING_VARIABLES = frozenset({
    "subjectName", "dateOfBirth", "kvkNumber", "street", "postcode", "city",
    "signalDescription", "caseSummary", "caseKey", "caseStartedOn", "interventionCarriedOutOn",
    "anonymisationDecidedOn", "policeUnitConsultedOn", "destructionDueOn", "phenomenonDescription",
    "interventionStrategy", "interventionOtherDescription", "caseDecisionMotivation",
})


def identifying_values(variables: dict[str, Any], business_key: str | None) -> set[str]:
    """The case's identifying values from its variables: each named one, the address as written, every
    person reference, the case key. Values are compared lower-case, stripped."""
    found: set[str] = set()
    for name, value in variables.items():
        if name in IDENTIFYING_VARIABLES and value not in (None, ""):
            found.add(str(value))
    street, number, suffix = (str(variables.get(k) or "") for k in ("street", "houseNumber", "houseNumberSuffix"))
    if street:
        found.add(f"{street} {number}{suffix}".strip())
    persons = variables.get("persons")
    if isinstance(persons, str):
        try:
            persons = json.loads(persons)
        except ValueError:
            persons = []
    for person in persons or []:
        if isinstance(person, dict) and person.get("ref"):
            found.add(str(person["ref"]))
    if business_key:
        found.add(business_key)
    return {v.strip().lower() for v in found if len(v.strip()) >= 2}


def identifying_hits(record: AnonymisedRecord, identifying: set[str]) -> list[str]:
    """The record's values that equal an identifying value or contain one of 4+ characters (a house number
    alone is not compared: it would match a count; the whole address is). Empty means nothing identifying. R-7.2."""
    hits = []
    for value in record.values():
        v = value.strip().lower()
        for t in identifying:
            if v == t or (len(t) >= 4 and t in v):
                hits.append(value)
                break
    return hits


# --------------------------------------------------------------------------- storing the outcome


class Outcome(BaseModel):
    decision: Decision
    entry: StoredEntry
    record: AnonymisedRecord | None


def idempotency_key(case_key: str) -> str:
    return f"anonymisation:{case_key}"


def register(database: Engine, *, case_key: str, region: str | None, decision: Decision, record: AnonymisedRecord | None,
             kept: Iterable[KeptField], actor: str, occurred_at: dt.datetime, extra_codes: tuple[str, ...] = ()) -> Outcome:
    """Stores the record (if any) and ONE ANONYMISATION register entry in one transaction, once per case.

    The entry names the case, the outcome, the rule and which fields were kept; it never names the record,
    so the record cannot be linked back to the case. A redelivery finds the entry and stores nothing. R-7.2.
    """
    t = db.register_entry
    key = idempotency_key(case_key)
    with db.write_transaction(database) as conn:
        existing = conn.execute(select(t.c.seq).where(t.c.idempotency_key == key)).first()
        if existing is None and record is not None:
            conn.execute(db.anonymised_record.insert().values(
                id=str(uuid.uuid4()), **{k: _column(v) for k, v in record.model_dump(mode="json").items()}))
        codes = tuple(decision.codes) + extra_codes + tuple(f"kept:{f.value}" for f in sorted(set(kept)) if record is not None)
        entry = append_in(conn, RegisterEntry(
            kind=EntryKind.ANONYMISATION, occurred_at=occurred_at, actor=actor, case_id=case_key, region=region,
            outcome=decision.outcome, rule_ids=(RULE,), reason_codes=codes,
            references={"anonymised": "yes" if record is not None else "no"}), idempotency_key=key)
    kept_record = record if entry.entry.references.get("anonymised") == "yes" else None
    return Outcome(decision=decision, entry=entry, record=kept_record)


def _column(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, list) else value


def stored_records(database: Engine) -> list[dict[str, Any]]:
    """Every anonymised record as stored (column -> value), for ``riec`` figures and the tests."""
    with db.read_transaction(database) as conn:
        return [dict(r) for r in conn.execute(select(db.anonymised_record)).mappings().all()]


def keep_decision(form: AnonymisationDecision | None, destruction_due_on: dt.date, case_outcome: str | None) -> Decision:
    """R-7.2 by the pure rule: no decision, too late, no consultation or nothing to keep all mean destroy."""
    if form is None:
        return r_7_2_keep_anonymised(destruction_due_on, None, False, False)
    if not form.keep:
        return Decision.refuse(RULE, "De RIEC-partners besloten niets te bewaren; alle gegevens worden vernietigd.",
                               "Partners decided to keep nothing: destroy.", codes=("R-7.2:nothing_kept",))
    consulted = form.police_unit_consulted or not consultation_needed(case_outcome)
    return r_7_2_keep_anonymised(destruction_due_on, form.anonymisation_decided_on, form.keep, consulted)
