"""Tier 1: ``check_signal`` (phase 1 of art. 4(1)), rules R-3.1 and R-3.2, Dutch messages."""
from __future__ import annotations

import datetime as dt

import pytest

from riec.compliance.models import Purpose
from riec.compliance.rules import r_3_2_purpose_in_scope
from riec.signals import CASE_ANALYSIS, PHENOMENA, SignalVariables, Subject, check_signal

TODAY = dt.date(2024, 6, 1)

# The signal check and the provision decision speak with one voice: the rule's own reasons.
GENERIC_PURPOSE = r_3_2_purpose_in_scope(None).reason_nl
OTHER_REGIMES = {p.value: r_3_2_purpose_in_scope(p).reason_nl for p in (Purpose.BIBOB, Purpose.B_CBA)}


def valid(**changes) -> SignalVariables:
    """A complete, valid signal as camelCase process variables, with ``changes`` applied."""
    variables = {
        "reportingPartner": "gemeente-groningen",
        "subjectType": "natuurlijk_persoon",
        "subjectName": "Jan de Vries",
        "dateOfBirth": "1980-02-29",
        "street": "Herestraat",
        "houseNumber": "12",
        "houseNumberSuffix": "A",
        "postcode": "9711 LM",
        "city": "Groningen",
        "phenomenon": "drugs",
        "purpose": CASE_ANALYSIS,
        "signalDescription": "Contante aankopen van panden via wisselende stromannen.",
    }
    variables.update(changes)
    return SignalVariables.model_validate(variables)


def problems(**changes) -> list[str]:
    return check_signal(valid(**changes), today=TODAY)


def test_complete_signal_has_no_problems():
    assert problems() == []


def test_legal_person_with_kvk_number_has_no_problems():
    assert problems(subjectType="rechtspersoon", subjectName="Holding Noorderzon B.V.", kvkNumber="12345678", dateOfBirth=None) == []


# ---------------------------------------------------------------------------


def test_r_3_1_signal_without_phenomenon_rejected():
    found = problems(phenomenon=None)
    assert len(found) == 1
    assert "verschijningsvorm van georganiseerde criminaliteit" in found[0]
    assert "niet van toepassing" in found[0]


def test_r_3_1_blank_phenomenon_counts_as_missing():
    assert problems(phenomenon="   ") == problems(phenomenon=None)


@pytest.mark.parametrize("phenomenon", ["zakkenrollerij", "Drugscriminaliteit", "overig"])
def test_r_3_1_phenomenon_outside_the_covenant_rejected(phenomenon):
    found = problems(phenomenon=phenomenon)
    assert len(found) == 1 and "verschijningsvorm" in found[0]


@pytest.mark.parametrize("phenomenon", sorted(set(PHENOMENA) - {"other"}))
def test_r_3_1_every_covenant_phenomenon_accepted(phenomenon):
    assert problems(phenomenon=phenomenon) == []


def test_r_3_1_other_phenomenon_needs_a_description():
    found = problems(phenomenon="other")
    assert len(found) == 1 and "omschrijven" in found[0]
    assert problems(phenomenon="other", phenomenon_description="ondermijning in de haven") == []


# ---------------------------------------------------------------------------


def test_r_3_2_bibob_purpose_pointed_to_own_regime():
    found = problems(purpose="bibob")
    assert found == [OTHER_REGIMES["bibob"]]
    assert "Wet Bibob" in found[0]


def test_r_3_2_b_cba_purpose_pointed_to_own_regime():
    found = problems(purpose="b_cba")
    assert found == [OTHER_REGIMES["b_cba"]]
    assert "criminaliteitsbeeldanalyse" in found[0] and "art. 18, eerste lid, en art. 20 Wpg" in found[0]


@pytest.mark.parametrize("purpose", [None, "opsporing", "statistiek", "Integrale_Casusanalyse"])
def test_r_3_2_purpose_other_than_case_analysis_rejected(purpose):
    assert problems(purpose=purpose) == [GENERIC_PURPOSE]


def test_r_3_2_integral_case_analysis_is_the_only_accepted_purpose():
    assert problems(purpose=CASE_ANALYSIS) == []


def test_r_3_1_and_r_3_2_problems_are_reported_together():
    found = problems(phenomenon=None, purpose="bibob")
    assert len(found) == 2
    assert any("verschijningsvorm" in p for p in found)
    assert OTHER_REGIMES["bibob"] in found


# --------------------------------------------------------------------------- the subject and the rest


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"reportingPartner": None}, "Vul de melder in"),
        ({"reportingPartner": "x"}, "Vul de melder in"),
        ({"subjectType": "bedrijf"}, "natuurlijk persoon of een rechtspersoon"),
        ({"subjectType": None}, "natuurlijk persoon of een rechtspersoon"),
        ({"subjectName": ""}, "Vul de naam"),
        ({"street": None}, "Vul het adres volledig in"),
        ({"city": " "}, "Vul het adres volledig in"),
        ({"houseNumber": None}, "Vul het adres volledig in"),
        ({"houseNumber": "0"}, "huisnummer moet een getal van 1 tot en met 99999"),
        ({"houseNumber": "100000"}, "huisnummer moet een getal van 1 tot en met 99999"),
        ({"houseNumber": "12a"}, "huisnummer moet een getal van 1 tot en met 99999"),
        ({"houseNumberSuffix": "A/B"}, "huisnummertoevoeging"),
        ({"houseNumberSuffix": "ABCDEFGHI"}, "huisnummertoevoeging"),
        ({"postcode": "0711 AB"}, "De postcode '0711 AB' is ongeldig"),
        ({"postcode": "9711 SA"}, "De postcode '9711 SA' is ongeldig"),
        ({"postcode": "97111"}, "ongeldig"),
        ({"kvkNumber": "12345678"}, "KvK-nummer hoort bij een rechtspersoon"),
        ({"dateOfBirth": "29-02-1980"}, "gebruik de vorm JJJJ-MM-DD"),
        ({"dateOfBirth": "1981-02-29"}, "gebruik de vorm JJJJ-MM-DD"),
        ({"dateOfBirth": "1899-12-31"}, "tussen 1900 en vandaag"),
        ({"signalDescription": "te kort"}, "ten minste 20 tekens"),
    ],
)
def test_one_defect_gives_one_dutch_problem(changes, expected):
    found = problems(**changes)
    assert len(found) == 1, found
    assert expected in found[0]


def test_kvk_number_must_have_eight_digits():
    found = problems(subjectType="rechtspersoon", dateOfBirth=None, kvkNumber="1234567")
    assert found == ["Het KvK-nummer '1234567' is ongeldig: een KvK-nummer bestaat uit precies acht cijfers."]


def test_date_of_birth_does_not_belong_to_a_legal_person():
    found = problems(subjectType="rechtspersoon", dateOfBirth="1980-01-01")
    assert found == ["Een geboortedatum hoort bij een natuurlijk persoon, niet bij een rechtspersoon."]


def test_postcode_is_case_insensitive_and_space_optional():
    assert problems(postcode="9711lm") == []


def test_date_of_birth_may_carry_a_time_part():
    assert problems(dateOfBirth="1980-02-29T00:00:00") == []


def test_date_of_birth_is_judged_against_the_given_day_not_the_clock():
    assert check_signal(valid(dateOfBirth="2024-06-01"), today=TODAY) == []
    assert check_signal(valid(dateOfBirth="2024-06-02"), today=TODAY) != []
    # the same date is fine once that day has come
    assert check_signal(valid(dateOfBirth="2024-06-02"), today=dt.date(2024, 6, 2)) == []


def test_empty_signal_lists_every_missing_part():
    found = check_signal(SignalVariables(), today=TODAY)
    assert len(found) == 7
    assert GENERIC_PURPOSE in found


def test_lenient_model_turns_blanks_into_missing_and_numbers_into_text():
    signal = SignalVariables.model_validate({"subjectName": "  ", "houseNumber": 12, "kvkNumber": 12345678.0, "city": " Groningen "})
    assert signal.subject_name is None
    assert signal.house_number == "12"
    assert signal.kvk_number == "12345678"
    assert signal.city == "Groningen"


def test_subject_accepts_a_numeric_house_number():
    subject = Subject.model_validate({"subjectName": "Jan de Vries", "street": "Herestraat", "houseNumber": 12, "city": "Groningen"})
    assert subject.house_number == "12"
