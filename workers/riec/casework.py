"""What officers submit in the case and police-request processes (``docs/case-process.md``).

One model per user-task form: the form mirrors it (same variable names, same
choices as the compliance enums) and its validation topic checks a submission
again with it on the server (``riec.formcheck``). Field titles are the forms'
Dutch labels; a description states a format in Dutch. ``*_checks`` functions
add what one field cannot see alone, by the rules of ``riec.compliance.rules``.

Persons are references (pseudonyms such as ``P-1``), never names; findings are
references and short summaries, never police data content.
"""
from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator
from pydantic.alias_generators import to_camel

from riec.compliance.models import (
    CompatibleAim,
    DataCategory,
    PersonCategory,
    PersonInProvision,
    Phenomenon,
    Purpose,
    Refusal,
    RefusalGround,
)
from riec.compliance.rules import r_3_1_phenomenon_stated, r_4_1_refusal
from riec.formcheck import FormModel

REF_FORMAT = "Een referentie: letters, cijfers en . _ : - (zonder spaties), bijv. P-1 of gem-groningen."


def json_text(value: Any) -> Any:
    """A list may arrive as Json text (a form field or a REST caller): read it."""
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _blank_is_missing(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80,
                                             pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@/-]*$")]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=120)]
Summary = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Motivation = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]
Judgement = Annotated[str, StringConstraints(strip_whitespace=True, min_length=20, max_length=4000)]
Remarks = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]


#: Free texts that may arrive as one JSON list (the handlers' lists of reasons, remarks and names).
Texts = Annotated[list[str], BeforeValidator(json_text)]
FindingList = Annotated[list["Finding"], BeforeValidator(json_text), Field(min_length=1)]
References = Annotated[list[Reference], BeforeValidator(json_text), Field(min_length=1, description=REF_FORMAT)]
Aims = Annotated[list[CompatibleAim], BeforeValidator(json_text), Field(min_length=1)]
Categories = Annotated[list[DataCategory], BeforeValidator(json_text), Field(min_length=1)]


# --------------------------------------------------------------------------- phase 4: tiered gathering


class Finding(FormModel):
    """What one source said, as a reference or a short summary; no police data content."""

    source: Short = Field(title="Bron")
    reference: Reference = Field(title="Referentie", description=REF_FORMAT)
    summary: Summary = Field(title="Korte samenvatting")


class HalfOpenSources(FormModel):
    """``Task_HalfOpenSources``: half-open sources (mainly the municipality) first. R-4.1."""

    half_open_findings: FindingList = Field(title="Bevindingen uit half open bronnen")


class ClosedSources(FormModel):
    """``Task_ClosedSources``: closed sources (police data under art. 8 and 13 Wpg), after the half-open ones. R-4.1."""

    closed_findings: FindingList = Field(title="Bevindingen uit gesloten bronnen")


class OpenSource(FormModel):
    """``Task_OpenSources``: one open source, addable at any point of the gathering. R-4.1."""

    open_source_name: Short = Field(title="Open bron")
    open_source_reference: Reference = Field(title="Referentie", description=REF_FORMAT)
    open_source_summary: Summary = Field(title="Korte samenvatting")


# --------------------------------------------------------------------------- the case


class CasePerson(FormModel):
    """A person of the case by reference, with category a/b/c (or another) and a motivation (R-4.2)."""

    ref: Reference = Field(title="Referentie", description=REF_FORMAT)
    category: PersonCategory = Field(title="Categorie")
    motivation: Motivation = Field(title="Motivering", description="Ten minste 10 tekens: waarom deze categorie?")

    def for_rules(self) -> PersonInProvision:
        return PersonInProvision(ref=self.ref, category=self.category, motivation=self.motivation)


def _unique_refs(persons: list[CasePerson]) -> list[CasePerson]:
    refs = [p.ref for p in persons]
    doubles = sorted({r for r in refs if refs.count(r) > 1})
    if doubles:
        raise ValueError("Elke persoon komt één keer voor; dubbele referentie(s): " + ", ".join(doubles) + ".")
    return persons


Persons = Annotated[list[CasePerson], BeforeValidator(json_text), AfterValidator(_unique_refs),
                    Field(title="Personen", description="Per persoon een referentie, categorie en motivering.", min_length=1)]


class WorkUp(FormModel):
    """``Task_WorkUp``: the signal worked up into a case. R-3.1, R-4.2, R-4.1."""

    phenomenon: Phenomenon = Field(title="Verschijningsvorm")
    phenomenon_description: Annotated[str, BeforeValidator(lambda v: v or "")] = Field(
        "", title="Omschrijving verschijningsvorm", max_length=500)
    persons: Persons
    partner_ids: References = Field(title="Betrokken partners")
    case_summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=20, max_length=4000)] = Field(
        title="Samenvatting van de casus", description="Ten minste 20 tekens; geen politiegegevens.")


def work_up_checks(form: WorkUp) -> list[str]:
    """R-3.1 by the compliance rule (an 'other' phenomenon needs its description)."""
    decision = r_3_1_phenomenon_stated(form.phenomenon, form.phenomenon_description, "case")
    return [] if decision.allowed else [decision.reason_nl]


class CaseDecisionChoice(StrEnum):
    CLOSED = "closed"  # no organised-crime indications
    WITHOUT_POLICE_DATA = "without_police_data"  # indications, no need for art. 9/10 data
    REQUEST = "request"  # ask the regional police unit


class CaseDecision(FormModel):
    """``Task_CaseDecision``: close, analyse without police data, or request them. R-4.1."""

    case_decision: CaseDecisionChoice = Field(title="Besluit")
    case_decision_motivation: Motivation = Field(title="Motivering van het besluit",
                                                 description="Ten minste 10 tekens.")


# --------------------------------------------------------------------------- the request (R-3.2, R-2, R-5.1a, R-1)


class NecessityFields(FormModel):
    """The written necessity assessment (R-5.1a): stored in its register, only its reference travels on."""

    necessity: Judgement = Field(title="Noodzakelijkheid", description="Ten minste 20 tekens.")
    proportionality: Judgement = Field(title="Proportionaliteit", description="Ten minste 20 tekens.")
    subsidiarity: Judgement = Field(title="Subsidiariteit", description="Ten minste 20 tekens.")
    necessity_conclusion: bool = Field(title="Conclusie: verstrekking is noodzakelijk, proportioneel en subsidiair")


class RequestForm(NecessityFields):
    """``Task_Request``: the request to the regional police unit. R-3.2, R-2, R-5.1a, R-1.

    Every data category is offered; R-2 refuses the ones outside the decree at the
    police's automated checks, with its reason.
    """

    purpose: Purpose = Field(title="Doel")
    compatible_aims: Aims = Field(title="Verenigbaar met")
    data_categories: Categories = Field(title="Gevraagde politiegegevens")
    recipient_ids: References = Field(title="Ontvangers")


class OwnInitiativeDetails(NecessityFields):
    """``Task_OwnInitiativeDetails``: what the police unit offers on its own initiative. R-4.1-own, R-4.2, R-5.1a."""

    data_categories: Categories = Field(title="Te verstrekken politiegegevens")
    persons: Persons
    recipient_ids: References = Field(title="Ontvangers")


# --------------------------------------------------------------------------- the police side (R-4.1-refuse, R-5.1e)


class YesNo(StrEnum):
    YES = "yes"
    NO = "no"


class OpposingInterest(StrEnum):
    NONE = "none"
    INVESTIGATIVE_INTEREST = RefusalGround.INVESTIGATIVE_INTEREST.value
    NATIONAL_SECURITY = RefusalGround.NATIONAL_SECURITY.value
    SAFETY_OF_PERSONS = RefusalGround.SAFETY_OF_PERSONS.value


OptionalText = Annotated[str, BeforeValidator(lambda v: v or ""), StringConstraints(strip_whitespace=True, max_length=4000)]


class PoliceJudgement(FormModel):
    """``Task_Judgement``: relevant data? an opposing interest? R-4.1-refuse."""

    relevant_data_exist: YesNo = Field(title="Zijn er relevante gegevens?")
    opposing_interest: OpposingInterest = Field(title="Verzet een belang zich tegen verstrekking?")
    refusal_explanation: OptionalText = Field("", title="Toelichting op de weigering")
    explanation_impossible: Annotated[bool, BeforeValidator(lambda v: False if v is None else v)] = Field(
        False, title="Toelichting is niet mogelijk")
    explanation_impossible_reason: OptionalText = Field("", title="Waarom een toelichting niet mogelijk is")

    def refusal(self) -> Refusal | None:
        """The refusal this judgement amounts to when an interest opposes (R-4.1-refuse)."""
        if self.opposing_interest is OpposingInterest.NONE:
            return None
        return Refusal(ground=RefusalGround(self.opposing_interest.value), explanation=self.refusal_explanation,
                       explanation_impossible_reason=self.explanation_impossible_reason if self.explanation_impossible else "")


def judgement_checks(form: PoliceJudgement) -> list[str]:
    """R-4.1-refuse: a refusal on an opposing interest is explained, or records why it cannot be."""
    refusal = form.refusal()
    if refusal is None:
        return []
    decision = r_4_1_refusal(refusal)
    return [] if decision.allowed else [decision.reason_nl]


class Advice(StrEnum):
    IN_FAVOUR = "in_favour"
    AGAINST = "against"


class ConsentChoice(StrEnum):
    GIVEN = "given"
    WITHHELD = "withheld"


class Consultation210(FormModel):
    """``Task_Consult210``: the art. 2:10 Bpg officer's advice and remarks. R-5.1e."""

    officer210_advice: Advice = Field(title="Advies")
    officer210_remarks: OptionalText = Field("", title="Opmerkingen")

    @model_validator(mode="after")
    def _remarks_with_advice_against(self) -> Consultation210:
        if self.officer210_advice is Advice.AGAINST and len(self.officer210_remarks) < 10:
            raise ValueError("Licht een negatief advies toe bij 'Opmerkingen' (ten minste 10 tekens).")
        return self


class ConsentCaseProsecutor(FormModel):
    """``Task_ConsentCaseProsecutor``: the case prosecutor's consent for art. 9 data. R-5.1e."""

    case_prosecutor_consent: ConsentChoice = Field(title="Instemming")
    case_prosecutor_remarks: OptionalText = Field("", title="Opmerkingen")

    @model_validator(mode="after")
    def _remarks_when_withheld(self) -> ConsentCaseProsecutor:
        if self.case_prosecutor_consent is ConsentChoice.WITHHELD and len(self.case_prosecutor_remarks) < 10:
            raise ValueError("Licht toe waarom u niet instemt, bij 'Opmerkingen' (ten minste 10 tekens).")
        return self


class ConsentCieProsecutor(FormModel):
    """``Task_ConsentCieProsecutor``: the CIE prosecutor's consent for art. 10(1)(a) data. R-5.1e."""

    cie_prosecutor_consent: ConsentChoice = Field(title="Instemming")
    cie_prosecutor_remarks: OptionalText = Field("", title="Opmerkingen")

    @model_validator(mode="after")
    def _remarks_when_withheld(self) -> ConsentCieProsecutor:
        if self.cie_prosecutor_consent is ConsentChoice.WITHHELD and len(self.cie_prosecutor_remarks) < 10:
            raise ValueError("Licht toe waarom u niet instemt, bij 'Opmerkingen' (ten minste 10 tekens).")
        return self


# --------------------------------------------------------------------------- due dates (configuration)


class DuePeriods(BaseModel):
    """ISO-8601 due periods per role (settings ``RIEC_DUE_*``); the diagrams' due dates and overdue timers read them."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    due_riec_analyst: str
    due_police_unit: str
    due_police_data_officer: str
    due_case_prosecutor: str
    due_cie_prosecutor: str

    @classmethod
    def from_settings(cls, settings: Any) -> DuePeriods:
        return cls(**{name: getattr(settings, name) for name in cls.model_fields})


# --------------------------------------------------------------------------- checks against the region's registers


def _partner_problems(database: Any, region: str | None, partner_ids: list[str]) -> list[str]:
    from riec.compliance import authorisation

    problems = []
    for partner_id in partner_ids:
        partner = authorisation.get_partner(database, partner_id)
        if partner is None or not partner.active or (region and partner.region != region):
            problems.append(f"Partner {partner_id} is geen deelnemende partner van dit RIEC; kies uit de aangeboden partners.")
    return problems


def _recipient_problems(database: Any, region: str | None, recipient_ids: list[str]) -> list[str]:
    """R-1, R-6.1: recipients are designated persons of participating partners of this RIEC."""
    from riec.compliance import authorisation
    from riec.compliance.rules import r_1_designated_recipient

    problems = []
    for person_id in recipient_ids:
        person = authorisation.get_person(database, person_id)
        partner = authorisation.get_partner(database, person.partner_id) if person else None
        decision = r_1_designated_recipient(person, partner)
        if not decision.allowed:
            problems.append(f"Ontvanger {person_id}: {decision.reason_nl}")
        elif region and partner is not None and partner.region != region:
            problems.append(f"Ontvanger {person_id} hoort bij een partner van een ander RIEC (R-6.1).")
    return problems


def work_up_region_checks(form: WorkUp, database: Any, region: str | None) -> list[str]:
    """R-4.1, R-6.1: the partners involved are partners of this region's RIEC."""
    return _partner_problems(database, region, form.partner_ids)


def request_checks(form: RequestForm) -> list[str]:
    """R-3.2 by the compliance rule: the decree's purpose, compatible with art. 3(2)."""
    from riec.compliance.rules import r_3_2_purpose

    decision = r_3_2_purpose(form.purpose, set(form.compatible_aims))
    return [] if decision.allowed else [decision.reason_nl]


def recipient_region_checks(form: RequestForm | OwnInitiativeDetails, database: Any, region: str | None) -> list[str]:
    """R-1, R-6.1: every recipient is a designated person of a partner of this RIEC."""
    return _recipient_problems(database, region, form.recipient_ids)
