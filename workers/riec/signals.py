"""Phase 1 of art. 4(1): what a signal must contain before anyone looks it up.

``check_signal`` is pure: it returns the problems in Dutch (for the analyst's
correction form and for the command line) and never reads the clock.
Rules: R-3.1 (an organised-crime phenomenon), R-3.2 (the purpose), decided by
``riec.compliance.rules`` like every other rule.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from riec.compliance.models import PHENOMENON_LABELS_NL, Phenomenon, Purpose
from riec.compliance.rules import r_3_1_phenomenon_stated, r_3_2_purpose_in_scope

#: The choices the forms offer, with the labels an officer reads. The rules decide (R-3.1, R-3.2).
PHENOMENA: dict[str, str] = {p.value: label for p, label in PHENOMENON_LABELS_NL.items()}
PURPOSES: dict[str, str] = {
    Purpose.CASE_ANALYSIS.value: "Integrale casusanalyse voor een gezamenlijke interventiestrategie",
    Purpose.BIBOB.value: "Integriteitsbeoordeling (Wet Bibob)",
    Purpose.B_CBA.value: "Bestuurlijke criminaliteitsbeeldanalyse (B-CBA / ondermijningsbeeld)",
}
CASE_ANALYSIS = Purpose.CASE_ANALYSIS.value
E = TypeVar("E", bound=StrEnum)

SUBJECT_TYPES = {"natuurlijk_persoon": "natuurlijk persoon", "rechtspersoon": "rechtspersoon"}
POSTCODE = re.compile(r"^[1-9][0-9]{3} ?(?!SA|SD|SS)[A-Z]{2}$")
KVK = re.compile(r"^[0-9]{8}$")
HOUSE_NUMBER = re.compile(r"^[1-9][0-9]{0,4}$")
SUFFIX = re.compile(r"^[A-Za-z0-9 -]{1,8}$")


class SignalVariables(BaseModel):
    """A signal as the process holds it (flat variables from the form or the message).

    Deliberately lenient: every field may be missing or malformed here, so that
    ``check_signal`` can say in Dutch what is wrong instead of the runtime
    rejecting the task.
    """

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    reporting_partner: str | None = None
    subject_type: str | None = None
    subject_name: str | None = None
    date_of_birth: str | None = None
    kvk_number: str | None = None
    street: str | None = None
    house_number: str | None = None
    house_number_suffix: str | None = None
    postcode: str | None = None
    city: str | None = None
    phenomenon: str | None = None
    phenomenon_description: str | None = None
    purpose: str | None = None
    signal_description: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_missing(cls, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(int(value)) if float(value).is_integer() else str(value)
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value


def _present(value: str | None, minimum: int = 2) -> bool:
    return value is not None and len(value) >= minimum


def _member(enum: type[E], value: str | None) -> E | None:
    if value is None:
        return None
    try:
        return enum(value)
    except ValueError:
        return None


def check_signal(signal: SignalVariables, today: dt.date, partner_ids: Collection[str] | None = None) -> list[str]:
    """Every problem with the signal, in Dutch; empty when it may proceed to hit/no-hit.

    ``partner_ids`` is the partner catalogue (the authorisation register's active partners);
    when given, the reporting partner must be one of them, so hit/no-hit can leave it out (R-4.1).
    """
    problems: list[str] = []
    if not _present(signal.reporting_partner):
        problems.append("Vul de melder in: de partnerorganisatie die het signaal afgeeft.")
    elif partner_ids is not None and signal.reporting_partner not in partner_ids:
        problems.append(f"De melder '{signal.reporting_partner}' is geen bekende partner van het RIEC: kies de partnerorganisatie uit de lijst.")
    if signal.subject_type not in SUBJECT_TYPES:
        problems.append("Geef aan of het signaal over een natuurlijk persoon of een rechtspersoon gaat.")
    if not _present(signal.subject_name):
        problems.append("Vul de naam van de persoon of rechtspersoon in.")
    if not _present(signal.street) or not _present(signal.city) or signal.house_number is None:
        problems.append("Vul het adres volledig in: straat, huisnummer en plaats.")
    if signal.house_number is not None and not HOUSE_NUMBER.match(signal.house_number):
        problems.append("Het huisnummer moet een getal van 1 tot en met 99999 zijn.")
    if signal.house_number_suffix is not None and not SUFFIX.match(signal.house_number_suffix):
        problems.append("De huisnummertoevoeging mag alleen letters, cijfers, spaties of een streepje bevatten (maximaal 8 tekens).")
    if signal.postcode is not None and not POSTCODE.match(signal.postcode.upper()):
        problems.append(f"De postcode '{signal.postcode}' is ongeldig: gebruik vier cijfers en twee letters, bijvoorbeeld 9711 AB.")
    if signal.kvk_number is not None:
        if signal.subject_type == "natuurlijk_persoon":
            problems.append("Een KvK-nummer hoort bij een rechtspersoon, niet bij een natuurlijk persoon.")
        elif not KVK.match(signal.kvk_number):
            problems.append(f"Het KvK-nummer '{signal.kvk_number}' is ongeldig: een KvK-nummer bestaat uit precies acht cijfers.")
    if signal.date_of_birth is not None:
        if signal.subject_type == "rechtspersoon":
            problems.append("Een geboortedatum hoort bij een natuurlijk persoon, niet bij een rechtspersoon.")
        else:
            try:
                born = dt.date.fromisoformat(signal.date_of_birth[:10])
            except ValueError:
                problems.append("De geboortedatum is ongeldig: gebruik de vorm JJJJ-MM-DD.")
            else:
                if not dt.date(1900, 1, 1) <= born <= today:
                    problems.append("De geboortedatum moet tussen 1900 en vandaag liggen.")
    # are decided by the compliance rules, as they are again at provision.
    for decision in (
        r_3_1_phenomenon_stated(_member(Phenomenon, signal.phenomenon), signal.phenomenon_description or "", "signal"),
        r_3_2_purpose_in_scope(_member(Purpose, signal.purpose)),
    ):
        if not decision.allowed:
            problems.append(decision.reason_nl)
    if not _present(signal.signal_description, 20):
        problems.append("Omschrijf het signaal in ten minste 20 tekens: welke gedragingen of situaties wijzen op georganiseerde criminaliteit?")
    return problems


class Subject(BaseModel):
    """The person a signal is about, as far as hit/no-hit needs it (name and address only)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    subject_name: str = Field(min_length=1)
    street: str = Field(min_length=1)
    house_number: str = Field(min_length=1)
    house_number_suffix: str | None = None
    city: str = Field(min_length=1)

    @field_validator("house_number", mode="before")
    @classmethod
    def _number_as_text(cls, value: Any) -> Any:
        return str(int(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
