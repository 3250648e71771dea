"""Validated input models of the compliance rules and the registers.

Everything a rule needs is passed in as one of these models; nothing is read from
the clock or from a database inside a rule. The register modules load and store
these same models.
"""
from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

# Identifiers (case ids, person references, partner and person ids) are short
# tokens: they must never carry police data content into a register.
Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@/-]*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Region = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=80)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DataCategory(StrEnum):
    """Police data by the Wpg article they are processed under."""

    ART_8 = "art8"  # daily police task
    ART_9 = "art9"  # a specific investigation
    ART_10_1A = "art10_1a"  # criminal intelligence (CIE)
    ART_10_1B = "art10_1b"
    ART_10_1C = "art10_1c"
    ART_10_1D = "art10_1d"
    ART_11 = "art11"  # automated comparison
    ART_12 = "art12"  # informants
    ART_13 = "art13"  # support tasks


#: R-2: the only categories the 2013 decree covers.
DECREE_CATEGORIES = frozenset({DataCategory.ART_9, DataCategory.ART_10_1A})


class PersonCategory(StrEnum):
    """Art. 4(2): a, b, c are providable; anything else is not."""

    A = "a"  # reasonable suspicion of planning/committing art. 10(1)(a) crimes
    B = "b"  # indications, data processed for an art. 9 investigation
    C = "c"  # indications of involvement with a/b persons
    VICTIM = "victim"
    WITNESS = "witness"
    INFORMANT = "informant"
    OTHER = "other"


PROVIDABLE_PERSON_CATEGORIES = frozenset({PersonCategory.A, PersonCategory.B, PersonCategory.C})


class Phenomenon(StrEnum):
    """Organised-crime phenomena (Bestuurlijk Akkoord / Convenant art. 2.1 and 2.2)."""

    DRUGS = "drugs"
    HUMAN_TRAFFICKING = "human_trafficking"
    HUMAN_SMUGGLING = "human_smuggling"
    MONEY_LAUNDERING = "money_laundering"
    FRAUD = "fraud"
    REAL_ESTATE_FRAUD = "real_estate_fraud"
    OUTLAW_MOTORCYCLE_GANGS = "outlaw_motorcycle_gangs"
    ENVIRONMENTAL_CRIME = "environmental_crime"
    ILLEGAL_GAMBLING = "illegal_gambling"
    ARMS_TRAFFICKING = "arms_trafficking"
    RISK_SECTOR_INFILTRATION = "risk_sector_infiltration"
    OTHER = "other"  # needs a description


#: What an officer reads for each phenomenon (forms, letters). Same order as the enum.
PHENOMENON_LABELS_NL: dict[Phenomenon, str] = {
    Phenomenon.DRUGS: "Drugscriminaliteit (productie, handel, hennepteelt)",
    Phenomenon.HUMAN_TRAFFICKING: "Mensenhandel en uitbuiting",
    Phenomenon.HUMAN_SMUGGLING: "Mensensmokkel",
    Phenomenon.MONEY_LAUNDERING: "Witwassen",
    Phenomenon.FRAUD: "Georganiseerde fraude (o.a. identiteitsfraude)",
    Phenomenon.REAL_ESTATE_FRAUD: "Misbruik van vastgoed",
    Phenomenon.OUTLAW_MOTORCYCLE_GANGS: "Criminele motorbendes",
    Phenomenon.ENVIRONMENTAL_CRIME: "Georganiseerde milieucriminaliteit",
    Phenomenon.ILLEGAL_GAMBLING: "Illegaal gokken",
    Phenomenon.ARMS_TRAFFICKING: "Illegale wapenhandel",
    Phenomenon.RISK_SECTOR_INFILTRATION: "Criminele infiltratie in risicobranches (horeca, autobranche, recreatieparken)",
    Phenomenon.OTHER: "Andere verschijningsvorm (omschrijven)",
}


class Purpose(StrEnum):
    """Why data are asked for (R-3.2). Only the first two are this decree's."""

    CASE_ANALYSIS = "case_analysis"  # integral case analysis to determine a joint intervention strategy
    INTERVENTION = "intervention"  # carrying out that strategy, where the law allows
    BIBOB = "bibob"  # integrity assessment: Wet Bibob regime
    B_CBA = "b_cba"  # bestuurlijke criminaliteitsbeeldanalyse: art. 18(1), 20 Wpg
    OTHER = "other"


DECREE_PURPOSES = frozenset({Purpose.CASE_ANALYSIS, Purpose.INTERVENTION})


class CompatibleAim(StrEnum):
    """Art. 3(2): the aims the purpose must be compatible with."""

    CRIME = "crime"  # preventing, detecting, prosecuting criminal offences
    PUBLIC_ORDER = "public_order"  # maintaining public order and national security


class RefusalGround(StrEnum):
    """Art. 4(1) bullet 4: the interests that may oppose a provision."""

    INVESTIGATIVE_INTEREST = "investigative_interest"  # zwaarwegend opsporingsbelang
    NATIONAL_SECURITY = "national_security"
    SAFETY_OF_PERSONS = "safety_of_persons"


class ConsentRole(StrEnum):
    """The officers of art. 5(1)(e)."""

    OFFICER_2_10 = "officer_2_10"  # functionaris art. 2:10 Bpg: consulted
    CASE_PROSECUTOR = "case_prosecutor"  # zaaksofficier: consents for art. 9 data
    CIE_PROSECUTOR = "cie_prosecutor"  # CIE-officier: consents for art. 10(1)(a) data


class OnwardGround(StrEnum):
    """Art. 6, third sentence: why a third party may receive data onward."""

    LEGAL_OBLIGATION = "legal_obligation"  # of the partner
    PARTNER_TASK = "partner_task"  # proper performance of the partner's task
    THIRD_PARTY_TASK = "third_party_task"  # of the third party, an administrative body


# --------------------------------------------------------------------------- registers


class LegalBasis(_Model):
    """A legal basis with a validity window (R-8). ``valid_until`` is the last valid day."""

    id: Ref
    name: Text
    citation: Text
    valid_from: date
    valid_until: date | None = None
    note: str = ""

    @model_validator(mode="after")
    def _window(self) -> "LegalBasis":
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until lies before valid_from")
        return self

    def valid_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)


class Partner(_Model):
    """A partner organisation participating in one region's RIEC."""

    id: Ref
    name: Text
    region: Region
    kind: str = Field("other", max_length=40, description="municipality, tax, kmar, om, police, ...")
    active: bool = True


class DesignatedPerson(_Model):
    """A person a partner designated to receive police data (R-1, R-5.1b, R-5.1c).

    ``scopes`` are the data categories the person is authorised to receive;
    ``screening_valid_until`` is the last day the security screening is valid.
    """

    id: Ref
    partner_id: Ref
    name: Text
    scopes: frozenset[DataCategory] = frozenset()
    screening_date: date | None = None
    screening_valid_until: date | None = None
    active: bool = True

    @model_validator(mode="after")
    def _screening(self) -> "DesignatedPerson":
        if (self.screening_date is None) != (self.screening_valid_until is None):
            raise ValueError("give both screening_date and screening_valid_until, or neither")
        if self.screening_date and self.screening_valid_until and self.screening_valid_until < self.screening_date:
            raise ValueError("screening_valid_until lies before screening_date")
        return self


class NecessityAssessment(_Model):
    """The written judgement of R-5.1a, per case."""

    case_id: Ref
    author: Ref
    assessed_at: AwareDatetime
    necessity: Text
    proportionality: Text
    subsidiarity: Text
    necessary: bool = Field(description="The conclusion: provision is necessary, proportionate and subsidiary.")
    data_categories: frozenset[DataCategory] = Field(min_length=1)
    person_refs: frozenset[Ref] = Field(min_length=1)
    id: Ref | None = None


# --------------------------------------------------------------------------- rule inputs


class PersonInProvision(_Model):
    """A person whose data would be provided, by reference (pseudonym), with category (R-4.2)."""

    ref: Ref
    category: PersonCategory | None = None
    motivation: str = Field("", max_length=2000)


class CaseContext(_Model):
    """What the rules need to know about a case."""

    case_id: Ref
    region: Region
    partner_ids: frozenset[Ref] = Field(min_length=1, description="Partners involved in this case (R-4.1).")
    phenomenon: Phenomenon | None = None
    phenomenon_description: str = Field("", max_length=500)
    hit_checked: bool = False
    hit_found: bool = False
    half_open_gathered: bool = False
    closed_gathered: bool = False
    oc_indications: bool = Field(False, description="The case shows indications of organised crime.")


class Consent(_Model):
    """An outcome of the R-5.1e / R-6.2 officers."""

    role: ConsentRole
    by: Ref
    given: bool
    at: AwareDatetime


class Refusal(_Model):
    """A police unit's refusal (R-4.1-refuse)."""

    ground: RefusalGround | None = None
    explanation: str = Field("", max_length=4000)
    explanation_impossible_reason: str = Field("", max_length=2000)


class ProvisionRequest(_Model):
    """Everything decided at the moment of provision. ``on`` is the provision date."""

    case: CaseContext
    on: date
    purpose: Purpose
    compatible_aims: frozenset[CompatibleAim] = frozenset()
    data_categories: frozenset[DataCategory] = Field(min_length=1)
    persons: tuple[PersonInProvision, ...] = Field(min_length=1)
    recipient_id: Ref
    providing_unit_region: Region
    own_initiative: bool = False

    @field_validator("persons")
    @classmethod
    def _unique_persons(cls, v: tuple[PersonInProvision, ...]) -> tuple[PersonInProvision, ...]:
        refs = [p.ref for p in v]
        if len(refs) != len(set(refs)):
            raise ValueError("a person reference occurs twice")
        return v
