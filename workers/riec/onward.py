"""Onward provision (issue 12; process ``riec-onward-provision``, bpmn/onward.bpmn). Rules: R-6.2, R-6.3.

A recipient partner passes provided data on: to a named partner of another
region's RIEC (R-6.2) or to a third party (R-6.3). Either needs the explicit
prior consent of the unit that provided the data -- the same R-5.1e officers as
the original provision (``rules._prior_consent_of_unit``); a third party also a
legal ground and a purpose compatible with the original one, and then every
partner of the RIEC is told. The forms ``onward-request`` and
``onward-consent-*`` mirror the models below; ``riec.handlers.onward`` checks
them again on the server, decides with ``rules.r_6_onward`` and records.
"""
from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, Field, StringConstraints, model_validator

from riec.casework import ConsentChoice, OptionalText
from riec.compliance.models import DECREE_PURPOSES, OnwardGround, Purpose
from riec.formcheck import FormModel

PROCESS = "riec-onward-provision"


class OnwardKind(StrEnum):
    PARTNER = "partner"  # a partner of another region's RIEC
    THIRD_PARTY = "third_party"  # not a partner of any RIEC


KIND_NL = {OnwardKind.PARTNER: "Partner van een ander RIEC (art. 6, tweede zin)",
           OnwardKind.THIRD_PARTY: "Derde, geen RIEC-partner (art. 6, derde zin)"}
GROUND_NL = {
    OnwardGround.LEGAL_OBLIGATION: "Wettelijke verplichting van de partner",
    OnwardGround.PARTNER_TASK: "Goede vervulling van de taak van de partner",
    OnwardGround.THIRD_PARTY_TASK: "Goede vervulling van de taak van de derde (een bestuursorgaan)",
}
PURPOSE_NL = {
    Purpose.CASE_ANALYSIS: "Integrale casusanalyse (bepalen van een gezamenlijke interventiestrategie)",
    Purpose.INTERVENTION: "Uitvoeren van de interventiestrategie",
    Purpose.BIBOB: "Integriteitsbeoordeling (Wet Bibob)",
    Purpose.B_CBA: "Bestuurlijke criminaliteitsbeeldanalyse",
    Purpose.OTHER: "Ander doel",
}

PackageRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=36, pattern=r"^[A-Za-z0-9-]+$")]
PartnerId = Annotated[str, BeforeValidator(lambda v: v or ""), StringConstraints(strip_whitespace=True, max_length=80,
                                                                                  pattern=r"^([a-z0-9][a-z0-9-]*)?$")]
ShortText = Annotated[str, BeforeValidator(lambda v: v or ""), StringConstraints(strip_whitespace=True, max_length=200)]
Flag = Annotated[bool, BeforeValidator(lambda v: False if v is None else v)]


class OnwardRequest(FormModel):
    """The start form ``onward-request`` (and ``Task_CorrectOnwardRequest``): what is passed on, to whom, why. R-6.2, R-6.3."""

    package_ref: PackageRef = Field(title="Pakketkenmerk", description="Het kenmerk van het pakket zoals de datakluis het toont, "
                                                                       "bijv. 3f2a9c1e-…")
    onward_kind: OnwardKind = Field(title="Doorverstrekken aan")
    to_partner_id: PartnerId = Field("", title="Partner van het andere RIEC",
                                     description="Kenmerk van de partner in het autorisatieregister, bijv. gem-maastricht.")
    third_party_name: ShortText = Field("", title="Derde", description="Naam van de organisatie, hooguit 200 tekens.")
    third_party_is_administrative_body: Flag = Field(False, title="De derde is een bestuursorgaan")
    onward_ground: OnwardGround | None = Field(None, title="Grond voor doorverstrekking aan een derde")
    onward_purpose: Purpose | None = Field(None, title="Doel bij de derde")
    compatibility_motivation: OptionalText = Field("", title="Waarom dit doel verenigbaar is met het oorspronkelijke doel",
                                                   description="Verplicht bij een derde; ten minste 20 tekens.")

    @model_validator(mode="after")
    def _by_kind(self) -> OnwardRequest:
        problems = []
        if self.onward_kind is OnwardKind.PARTNER and not self.to_partner_id:
            problems.append("Vul 'Partner van het andere RIEC' in.")
        if self.onward_kind is OnwardKind.THIRD_PARTY:
            if not self.third_party_name:
                problems.append("Vul 'Derde' in.")
            if self.onward_ground is None:
                problems.append("Kies de 'Grond voor doorverstrekking aan een derde'.")
            if self.onward_purpose is None:
                problems.append("Kies het 'Doel bij de derde'.")
            if len(self.compatibility_motivation) < 20:
                problems.append("Motiveer in ten minste 20 tekens waarom het doel verenigbaar is met het oorspronkelijke doel.")
        if problems:
            raise ValueError(" ".join(problems))
        return self

    def third_party_ref(self) -> str:
        """A register reference for the third party (the register takes references, not free text)."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.third_party_name.lower()).strip("-")[:70]
        return f"derde:{slug or 'onbekend'}"


#: What provided data were provided for: police-checks refuses any other purpose (R-3.2), so every package in the
#: vault was provided for the integral case analysis or the intervention that follows it.
ORIGINAL_PURPOSES_NL = "de integrale casusanalyse en de interventie die daaruit volgt (art. 3)"


def compatibility_problems(onward: Purpose, motivation: str) -> list[str]:
    """R-6.3: the onward purpose must be compatible with the purpose the data were provided for.

    That purpose is always one of this decree's (R-3.2 is checked before anything is provided): the case analysis
    or the intervention that follows it. An onward purpose among those is compatible, with a motivation; anything
    else (a Bibob assessment, a b-CBA, another purpose) has its own regime and is not."""
    if onward not in DECREE_PURPOSES:
        return [f"Het doel bij de derde ({PURPOSE_NL[onward]}) is niet verenigbaar met het doel waarvoor de gegevens "
                f"zijn verstrekt: {ORIGINAL_PURPOSES_NL}."]
    if len((motivation or "").strip()) < 20:
        return ["Niet gemotiveerd is waarom het doel verenigbaar is met het oorspronkelijke doel."]
    return []


def _remarks_required(choice: ConsentChoice, remarks: str) -> None:
    if choice is ConsentChoice.WITHHELD and len(remarks) < 10:
        raise ValueError("Licht toe waarom u niet instemt, bij 'Opmerkingen' (ten minste 10 tekens).")


class OnwardConsent210(FormModel):
    """``Task_OnwardConsent210``: the art. 2:10 Bpg officer of the providing unit. R-6.2, R-6.3 (via R-5.1e)."""

    onward_officer210_consent: ConsentChoice = Field(title="Toestemming")
    onward_officer210_remarks: OptionalText = Field("", title="Opmerkingen")

    @model_validator(mode="after")
    def _remarks(self) -> OnwardConsent210:
        _remarks_required(self.onward_officer210_consent, self.onward_officer210_remarks)
        return self


class OnwardConsentCaseProsecutor(FormModel):
    """``Task_OnwardConsentCaseProsecutor``: the case prosecutor, for art. 9 data. R-6.2, R-6.3."""

    onward_case_prosecutor_consent: ConsentChoice = Field(title="Toestemming")
    onward_case_prosecutor_remarks: OptionalText = Field("", title="Opmerkingen")

    @model_validator(mode="after")
    def _remarks(self) -> OnwardConsentCaseProsecutor:
        _remarks_required(self.onward_case_prosecutor_consent, self.onward_case_prosecutor_remarks)
        return self


class OnwardConsentCieProsecutor(FormModel):
    """``Task_OnwardConsentCieProsecutor``: the CIE prosecutor, for art. 10(1)(a) data. R-6.2, R-6.3."""

    onward_cie_prosecutor_consent: ConsentChoice = Field(title="Toestemming")
    onward_cie_prosecutor_remarks: OptionalText = Field("", title="Opmerkingen")

    @model_validator(mode="after")
    def _remarks(self) -> OnwardConsentCieProsecutor:
        _remarks_required(self.onward_cie_prosecutor_consent, self.onward_cie_prosecutor_remarks)
        return self
