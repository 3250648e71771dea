"""One test per way each rule of DOMAIN.md allows or refuses. Names carry the rule ID."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from compliance_factories import (
    ART9, ART10, AT, ON, REGION, all_inputs, assessment, case, consents, partner, person, request, subject,
)
from riec.compliance.decisions import Decision, Outcome, combine
from riec.compliance.legal_basis import DECREE_2013, WGS_2025
from riec.compliance.models import (
    CompatibleAim, ConsentRole, DataCategory, LegalBasis, OnwardGround, PersonCategory, Phenomenon, Purpose,
    Refusal, RefusalGround,
)
from riec.compliance import rules as r


def codes(d: Decision) -> set[str]:
    return set(d.codes)


# --------------------------------------------------------------------------- Decision


def test_combine_refused_beats_needs_step_beats_allowed():
    a = Decision.allow("R-1", "ok", "ok")
    s = Decision.step("R-5.1e", "stap", "step", steps=("x",))
    f = Decision.refuse("R-2", "nee", "no", codes=("R-2:x",))
    assert combine(a, s).outcome is Outcome.NEEDS_STEP
    assert combine(a, s, f).outcome is Outcome.REFUSED
    assert combine(a, a).outcome is Outcome.ALLOWED
    d = combine(a, s, f)
    assert d.rule_ids == ("R-1", "R-5.1e", "R-2") and d.reason_nl == "nee" and "R-2:x" in d.codes


def test_decision_needs_rule_ids_and_both_reasons():
    with pytest.raises(ValidationError):
        Decision(outcome=Outcome.ALLOWED, rule_ids=(), reason_nl="x", reason_en="x")
    with pytest.raises(ValidationError):
        Decision(outcome=Outcome.ALLOWED, rule_ids=("R-1",), reason_nl="", reason_en="x")


# ---------------------------------------------------------------------------


def test_r_8_inside_2013_window_allowed_and_names_basis():
    for day in (date(2013, 3, 15), ON, date(2014, 12, 31)):
        d = r.r_8_legal_basis(day, [DECREE_2013])
        assert d.allowed and d.rule_ids == ("R-8",) and d.legal_basis_id == DECREE_2013.id


@pytest.mark.parametrize("day", [date(2013, 3, 14), date(2015, 1, 1), date(2026, 1, 1)])
def test_r_8_outside_2013_window_refused(day):
    d = r.r_8_legal_basis(day, [DECREE_2013])
    assert d.refused and "R-8:no_valid_legal_basis" in d.codes and d.legal_basis_id is None
    assert "geen geregistreerde wettelijke grondslag" in d.reason_nl and "2014-12-31" in d.reason_nl


def test_r_8_no_bases_registered_refused():
    assert r.r_8_legal_basis(ON, []).refused


def test_r_8_successor_basis_allows_and_is_named():
    d = r.r_8_legal_basis(date(2025, 3, 1), [DECREE_2013, WGS_2025])
    assert d.allowed and d.legal_basis_id == "wgs-2025"
    assert r.r_8_legal_basis(date(2025, 2, 28), [DECREE_2013, WGS_2025]).refused  # the gap stays a gap


def test_r_8_overlapping_bases_use_the_later_one():
    newer = LegalBasis(id="newer", name="n", citation="c", valid_from=date(2014, 1, 1))
    assert r.r_8_legal_basis(ON, [DECREE_2013, newer]).legal_basis_id == "newer"
    assert r.r_8_legal_basis(date(2013, 6, 1), [DECREE_2013, newer]).legal_basis_id == DECREE_2013.id


def test_r_8_basis_window_validated():
    with pytest.raises(ValidationError):
        LegalBasis(id="x", name="x", citation="x", valid_from=date(2014, 1, 2), valid_until=date(2014, 1, 1))


# --------------------------------------------------------------------------- R-1, R-5.1b, R-5.1c


def test_r_1_designated_person_of_participating_partner_allowed():
    assert r.r_1_designated_recipient(person(), partner()).allowed


def test_r_1_not_designated_refused():
    d = r.r_1_designated_recipient(None, partner())
    assert d.refused and codes(d) == {"R-1:not_designated"}


def test_r_1_withdrawn_designation_refused():
    assert codes(r.r_1_designated_recipient(person(active=False), partner())) == {"R-1:not_designated"}


def test_r_1_partner_not_participating_refused():
    assert codes(r.r_1_designated_recipient(person(), partner(active=False))) == {"R-1:partner_not_participating"}
    assert codes(r.r_1_designated_recipient(person(), None)) == {"R-1:partner_not_participating"}
    assert codes(r.r_1_designated_recipient(person(partner_id="other"), partner())) == {"R-1:partner_not_participating"}


def test_r_5_1b_within_scope_allowed():
    assert r.r_5_1b_authorised_scope(person(scopes=frozenset({ART9})), [ART9]).allowed


def test_r_5_1b_outside_scope_refused_naming_category():
    d = r.r_5_1b_authorised_scope(person(scopes=frozenset({ART9})), [ART9, ART10])
    assert d.refused and codes(d) == {"R-5.1b:outside_scope:art10_1a"}
    assert "criminele inlichtingen" in d.reason_nl


def test_r_5_1b_no_authorisation_refused():
    assert r.r_5_1b_authorised_scope(None, [ART9]).refused
    assert r.r_5_1b_authorised_scope(person(scopes=frozenset()), [ART9]).refused


def test_r_5_1c_valid_screening_allowed_up_to_last_day():
    assert r.r_5_1c_screening(person(), ON).allowed
    assert r.r_5_1c_screening(person(screening_valid_until=ON), ON).allowed


def test_r_5_1c_expired_screening_refused():
    d = r.r_5_1c_screening(person(screening_valid_until=ON - timedelta(days=1)), ON)
    assert d.refused and codes(d) == {"R-5.1c:screening_expired"} and "verlopen" in d.reason_nl


def test_r_5_1c_missing_screening_refused():
    d = r.r_5_1c_screening(person(screening_date=None, screening_valid_until=None), ON)
    assert d.refused and codes(d) == {"R-5.1c:screening_missing"}


def test_r_5_1c_screening_not_yet_valid_refused():
    d = r.r_5_1c_screening(person(screening_date=ON + timedelta(days=1)), ON)
    assert d.refused and codes(d) == {"R-5.1c:screening_not_yet_valid"}


def test_r_5_1c_half_a_screening_is_invalid_input():
    with pytest.raises(ValidationError):
        person(screening_date=date(2013, 1, 1), screening_valid_until=None)


def test_r_1_r_5_1b_r_5_1c_check_recipient_names_every_failing_ground():
    ok = r.check_recipient(person(), partner(), [ART9, ART10], ON)
    assert ok.allowed and set(ok.rule_ids) == {"R-1", "R-5.1b", "R-5.1c"}
    bad = r.check_recipient(person(scopes=frozenset({ART9}), screening_valid_until=date(2014, 1, 1)), partner(),
                            [ART9, ART10], ON)
    assert bad.refused and codes(bad) == {"R-5.1b:outside_scope:art10_1a", "R-5.1c:screening_expired"}
    none = r.check_recipient(None, None, [ART9], ON)
    assert {"R-1:not_designated", "R-5.1b:not_authorised", "R-5.1c:screening_missing"} <= codes(none)


# ---------------------------------------------------------------------------


@pytest.mark.parametrize("cats", [{ART9}, {ART10}, {ART9, ART10}])
def test_r_2_art_9_and_10_1a_allowed(cats):
    assert r.r_2_data_categories(cats).allowed


@pytest.mark.parametrize("other", [c for c in DataCategory if c not in (ART9, ART10)])
def test_r_2_other_category_refused(other):
    d = r.r_2_data_categories({ART9, other})
    assert d.refused and codes(d) == {f"R-2:out_of_scope:{other}"}


def test_r_2_no_category_refused():
    assert r.r_2_data_categories(set()).refused


# ---------------------------------------------------------------------------


def test_r_3_1_phenomenon_named_allowed():
    assert r.r_3_1_phenomenon(case()).allowed
    assert r.r_3_1_phenomenon(case(phenomenon=Phenomenon.OTHER, phenomenon_description="ondermijning haven")).allowed


def test_r_3_1_no_phenomenon_refused():
    d = r.r_3_1_phenomenon(case(phenomenon=None))
    assert d.refused and codes(d) == {"R-3.1:no_phenomenon"}


def test_r_3_1_other_without_description_refused():
    assert codes(r.r_3_1_phenomenon(case(phenomenon=Phenomenon.OTHER))) == {"R-3.1:phenomenon_undescribed"}


@pytest.mark.parametrize("purpose", [Purpose.CASE_ANALYSIS, Purpose.INTERVENTION])
def test_r_3_2_case_analysis_purposes_allowed(purpose):
    assert r.r_3_2_purpose(purpose, {CompatibleAim.PUBLIC_ORDER}).allowed


def test_r_3_2_bibob_refused_and_pointed_to_its_regime():
    d = r.r_3_2_purpose(Purpose.BIBOB, {CompatibleAim.CRIME})
    assert d.refused and codes(d) == {"R-3.2:purpose_bibob"} and "Wet Bibob" in d.reason_nl


def test_r_3_2_b_cba_refused_and_pointed_to_its_regime():
    d = r.r_3_2_purpose(Purpose.B_CBA, {CompatibleAim.CRIME})
    assert d.refused and "art. 20 Wpg" in d.reason_nl


def test_r_3_2_other_purpose_refused():
    assert codes(r.r_3_2_purpose(Purpose.OTHER, {CompatibleAim.CRIME})) == {"R-3.2:purpose_other"}


def test_r_3_2_without_compatible_aim_refused():
    assert codes(r.r_3_2_purpose(Purpose.CASE_ANALYSIS, set())) == {"R-3.2:no_compatible_aim"}


# ---------------------------------------------------------------------------


def test_r_4_1_phase_order_complete_allowed():
    assert r.r_4_1_phase_order(case()).allowed


@pytest.mark.parametrize("change, outcome, code", [
    ({"hit_checked": False, "hit_found": False}, Outcome.NEEDS_STEP, "R-4.1:hit_no_hit_pending"),
    ({"hit_found": False}, Outcome.REFUSED, "R-4.1:no_hit"),
    ({"half_open_gathered": False}, Outcome.NEEDS_STEP, "R-4.1:half_open_pending"),
    ({"half_open_gathered": False, "closed_gathered": False}, Outcome.NEEDS_STEP, "R-4.1:half_open_pending"),
    ({"closed_gathered": False}, Outcome.NEEDS_STEP, "R-4.1:closed_pending"),
    ({"oc_indications": False}, Outcome.REFUSED, "R-4.1:no_oc_indications"),
])
def test_r_4_1_phase_order_violations_refused_or_stepped(change, outcome, code):
    d = r.r_4_1_phase_order(case(**change))
    assert d.outcome is outcome and codes(d) == {code}


def test_r_4_1_partner_of_case_allowed():
    assert r.r_4_1_case_partner(case(), "gem-groningen").allowed


def test_r_4_1_partner_outside_case_refused():
    assert codes(r.r_4_1_case_partner(case(), "gem-enschede")) == {"R-4.1:partner_not_in_case"}
    assert r.r_4_1_case_partner(case(), None).refused


def test_r_4_1_own_initiative_on_existing_case_allowed():
    assert r.r_4_1_own_initiative(case(), REGION).allowed


def test_r_4_1_own_initiative_without_case_refused():
    assert codes(r.r_4_1_own_initiative(None, REGION)) == {"R-4.1-own:no_case"}


def test_r_4_1_own_initiative_case_of_other_region_refused():
    assert codes(r.r_4_1_own_initiative(case(), "Oost-Nederland")) == {"R-4.1-own:case_other_region"}


def test_r_4_1_own_initiative_skips_phase_order_but_not_other_rules():
    req = request(own_initiative=True, case=case(hit_checked=False, hit_found=False))
    d = r.decide_provision(req, **all_inputs())
    assert d.decision.allowed and "R-4.1-own" in d.decision.rule_ids
    assert r.decide_provision(request(case=case(hit_checked=False)), **all_inputs()).decision.needs_step


@pytest.mark.parametrize("ground", list(RefusalGround))
def test_r_4_1_refuse_with_ground_and_explanation_allowed(ground):
    d = r.r_4_1_refusal(Refusal(ground=ground, explanation="lopend onderzoek"))
    assert d.allowed and d.rule_ids == ("R-4.1-refuse",)
    assert d.reason_nl.startswith("De politie verstrekt de gevraagde gegevens niet") and "lopend onderzoek" in d.reason_nl


def test_r_4_1_refuse_explanation_impossible_recorded_allowed_without_leaking_it():
    d = r.r_4_1_refusal(Refusal(ground=RefusalGround.NATIONAL_SECURITY, explanation_impossible_reason="bronbescherming"))
    assert d.allowed and "R-4.1-refuse:explanation_impossible" in d.codes
    assert "bronbescherming" not in d.reason_nl and "niet mogelijk" in d.reason_nl


def test_r_4_1_refuse_without_ground_refused():
    assert codes(r.r_4_1_refusal(Refusal(explanation="liever niet"))) == {"R-4.1-refuse:no_ground"}


def test_r_4_1_refuse_without_explanation_needs_step():
    d = r.r_4_1_refusal(Refusal(ground=RefusalGround.INVESTIGATIVE_INTEREST))
    assert d.needs_step and d.steps == ("explain_refusal",)


# ---------------------------------------------------------------------------


@pytest.mark.parametrize("cat", [PersonCategory.A, PersonCategory.B, PersonCategory.C])
def test_r_4_2_category_a_b_c_with_motivation_allowed(cat):
    assert r.r_4_2_person(subject(category=cat)).allowed


@pytest.mark.parametrize("cat", [PersonCategory.VICTIM, PersonCategory.WITNESS, PersonCategory.INFORMANT, PersonCategory.OTHER])
def test_r_4_2_other_categories_refused(cat):
    assert codes(r.r_4_2_person(subject(category=cat))) == {"R-4.2:outside_categories:P-1"}


def test_r_4_2_no_category_refused():
    assert codes(r.r_4_2_person(subject(category=None))) == {"R-4.2:no_category:P-1"}


def test_r_4_2_category_without_motivation_refused():
    assert codes(r.r_4_2_person(subject(motivation="  "))) == {"R-4.2:no_motivation:P-1"}


def test_r_4_2_filtering_is_recorded_and_others_kept():
    sel = r.r_4_2_persons([subject("P-1"), subject("P-9", PersonCategory.WITNESS)])
    assert [p.ref for p in sel.included] == ["P-1"] and [p.ref for p, _ in sel.excluded] == ["P-9"]
    assert sel.decision.allowed and "R-4.2:outside_categories:P-9" in sel.decision.codes


def test_r_4_2_nobody_left_refused():
    assert r.r_4_2_persons([subject(category=PersonCategory.VICTIM)]).decision.refused


def test_r_4_2_filtered_person_is_not_provided_or_assessed():
    req = request(persons=(subject("P-1"), subject("P-2", PersonCategory.C, "transactie"), subject("P-3", None)))
    d = r.decide_provision(req, **all_inputs())
    assert d.decision.allowed and [p.ref for p in d.persons.included] == ["P-1", "P-2"]
    assert "R-4.2:no_category:P-3" in d.decision.codes


# --------------------------------------------------------------------------- R-5.1a


def test_r_5_1a_positive_assessment_covering_the_data_allowed():
    assert r.r_5_1a_necessity(assessment(), "C-2014-001", [ART9], ["P-1"], ON).allowed


def test_r_5_1a_missing_assessment_needs_step():
    d = r.r_5_1a_necessity(None, "C-2014-001", [ART9], ["P-1"], ON)
    assert d.needs_step and d.steps == ("assess_necessity",)


def test_r_5_1a_assessment_of_other_case_needs_step():
    assert codes(r.r_5_1a_necessity(assessment(case_id="C-9"), "C-2014-001", [ART9], ["P-1"], ON)) == {"R-5.1a:assessment_missing"}


def test_r_5_1a_assessment_after_provision_needs_step():
    late = assessment(assessed_at=datetime(2014, 6, 3, tzinfo=UTC))
    assert codes(r.r_5_1a_necessity(late, "C-2014-001", [ART9], ["P-1"], ON)) == {"R-5.1a:assessment_after_provision"}


def test_r_5_1a_negative_assessment_refused():
    d = r.r_5_1a_necessity(assessment(necessary=False), "C-2014-001", [ART9], ["P-1"], ON)
    assert d.refused and codes(d) == {"R-5.1a:not_necessary"}


def test_r_5_1a_more_data_than_assessed_needs_step():
    a = assessment(data_categories=frozenset({ART9}), person_refs=frozenset({"P-1"}))
    d = r.r_5_1a_necessity(a, "C-2014-001", [ART9, ART10], ["P-1", "P-2"], ON)
    assert d.needs_step and codes(d) == {"R-5.1a:category_not_assessed:art10_1a", "R-5.1a:person_not_assessed:P-2"}


def test_r_5_1a_assessment_needs_all_three_judgements():
    with pytest.raises(ValidationError):
        assessment(subsidiarity="")
    with pytest.raises(ValidationError):
        assessment(assessed_at=datetime(2014, 5, 20))  # naive: when exactly?


# --------------------------------------------------------------------------- R-5.1d


def test_r_5_1d_notice_and_acknowledgement_allowed():
    assert r.r_5_1d_confidentiality(True, AT).allowed
    assert "artikel 7, tweede lid" in r.CONFIDENTIALITY_NOTICE_NL


def test_r_5_1d_no_acknowledgement_needs_step():
    assert r.r_5_1d_confidentiality(True, None).needs_step


def test_r_5_1d_no_notice_refused():
    assert codes(r.r_5_1d_confidentiality(False, AT)) == {"R-5.1d:notice_missing"}


# --------------------------------------------------------------------------- R-5.1e


def test_r_5_1e_art_9_needs_case_prosecutor_and_officer():
    assert r.r_5_1e_required_consents([ART9]) == {ConsentRole.OFFICER_2_10, ConsentRole.CASE_PROSECUTOR}


def test_r_5_1e_art_10_1a_needs_cie_prosecutor_and_officer():
    assert r.r_5_1e_required_consents([ART10]) == {ConsentRole.OFFICER_2_10, ConsentRole.CIE_PROSECUTOR}


def test_r_5_1e_both_categories_need_both_prosecutors():
    assert r.r_5_1e_required_consents([ART9, ART10]) == set(ConsentRole)


def test_r_5_1e_all_consents_present_allowed():
    assert r.r_5_1e_consents([ART9, ART10], consents(), ON).allowed


def test_r_5_1e_missing_consultation_needs_step():
    d = r.r_5_1e_consents([ART9], consents(ConsentRole.CASE_PROSECUTOR), ON)
    assert d.needs_step and codes(d) == {"R-5.1e:missing:officer_2_10"} and "overleg met" in d.reason_nl


def test_r_5_1e_missing_cie_prosecutor_needs_step():
    d = r.r_5_1e_consents([ART9, ART10], consents(ConsentRole.OFFICER_2_10, ConsentRole.CASE_PROSECUTOR), ON)
    assert codes(d) == {"R-5.1e:missing:cie_prosecutor"}


def test_r_5_1e_prosecutor_refusal_refused():
    c = consents(ConsentRole.OFFICER_2_10) + consents(ConsentRole.CASE_PROSECUTOR, given=False)
    d = r.r_5_1e_consents([ART9], c, ON)
    assert d.refused and codes(d) == {"R-5.1e:consent_refused:case_prosecutor"} and "zaaksofficier" in d.reason_nl


def test_r_5_1e_officer_is_consulted_not_asked_for_consent():
    c = consents(ConsentRole.OFFICER_2_10, given=False) + consents(ConsentRole.CASE_PROSECUTOR)
    assert r.r_5_1e_consents([ART9], c, ON).allowed


def test_r_5_1e_consent_after_provision_does_not_count():
    late = consents(at=datetime(2014, 6, 3, tzinfo=UTC))
    assert r.r_5_1e_consents([ART9], late, ON).needs_step


def test_r_5_1e_latest_outcome_counts():
    c = (consents(ConsentRole.OFFICER_2_10) + consents(ConsentRole.CASE_PROSECUTOR, given=False)
         + consents(ConsentRole.CASE_PROSECUTOR, at=AT + timedelta(hours=1)))
    assert r.r_5_1e_consents([ART9], c, ON).allowed


# ---------------------------------------------------------------------------


def test_r_5_2_access_request_with_verified_identity_allowed():
    assert r.r_5_2_access_request("P-1", True).allowed


def test_r_5_2_access_request_unverified_needs_step():
    assert r.r_5_2_access_request("P-1", False).steps == ("verify_identity",)


# ---------------------------------------------------------------------------


def test_r_6_1_same_region_allowed():
    assert r.r_6_1_region(case(), REGION, partner()).allowed


def test_r_6_1_unit_of_other_region_refused():
    assert codes(r.r_6_1_region(case(), "Oost-Nederland", partner())) == {"R-6.1:case_other_region"}


def test_r_6_1_recipient_of_other_region_refused():
    assert codes(r.r_6_1_region(case(), REGION, partner(region="Oost-Nederland"))) == {"R-6.1:recipient_other_region"}


def test_r_6_1_users_of_other_regions_cannot_view():
    assert r.r_6_1_can_view(REGION, REGION).allowed
    assert r.r_6_1_can_view("Oost-Nederland", REGION).refused


# ---------------------------------------------------------------------------

EAST = partner(id="gem-enschede", name="Gemeente Enschede", region="Oost-Nederland")


def onward(**kw) -> r.OnwardProvision:
    return r.OnwardProvision(**({"on": ON, "from_partner": partner(), "data_categories": frozenset({ART9}),
                                 "consents": consents(ConsentRole.OFFICER_2_10, ConsentRole.CASE_PROSECUTOR)} | kw))


def test_r_6_2_other_region_with_prior_consent_allowed():
    d = r.r_6_onward(onward(to_partner=EAST))
    assert d.allowed and d.rule_ids == ("R-6.2",)


def test_r_6_2_other_region_without_consent_refused():
    d = r.r_6_onward(onward(to_partner=EAST, consents=()))
    assert d.refused and {"R-6.2:consent_missing:officer_2_10", "R-6.2:consent_missing:case_prosecutor"} == codes(d)


def test_r_6_2_consent_refused_or_too_late_refused():
    assert r.r_6_onward(onward(to_partner=EAST, consents=consents(ConsentRole.OFFICER_2_10, ConsentRole.CASE_PROSECUTOR, given=False))).refused
    late = consents(ConsentRole.OFFICER_2_10, ConsentRole.CASE_PROSECUTOR, at=datetime(2014, 7, 1, tzinfo=UTC))
    assert r.r_6_onward(onward(to_partner=EAST, consents=late)).refused


def test_r_6_2_art_10_data_need_cie_prosecutor_consent():
    d = r.r_6_onward(onward(to_partner=EAST, data_categories=frozenset({ART10})))
    assert codes(d) == {"R-6.2:consent_missing:cie_prosecutor"}


def test_r_6_2_same_region_is_not_onward_refused():
    assert codes(r.r_6_onward(onward(to_partner=partner(id="bd-noord")))) == {"R-6.2:same_region"}


def third_party(**kw) -> r.OnwardProvision:
    return onward(**({"third_party": "uwv", "ground": OnwardGround.LEGAL_OBLIGATION, "compatible_with_original_purpose": True,
                      "compatibility_motivation": "zelfde interventie", "riec_partner_ids": frozenset({"gem-groningen", "bd-noord", "om-nn"}),
                      "informed_partner_ids": frozenset({"bd-noord", "om-nn"})} | kw))


def test_r_6_3_third_party_with_ground_compatibility_consent_and_informed_partners_allowed():
    d = r.r_6_onward(third_party())
    assert d.allowed and d.rule_ids == ("R-6.3",)


def test_r_6_3_no_ground_refused():
    assert "R-6.3:no_ground" in codes(r.r_6_onward(third_party(ground=None)))


def test_r_6_3_third_party_task_needs_administrative_body():
    assert codes(r.r_6_onward(third_party(ground=OnwardGround.THIRD_PARTY_TASK))) == {"R-6.3:third_party_not_administrative_body"}
    assert r.r_6_onward(third_party(ground=OnwardGround.THIRD_PARTY_TASK, third_party_is_administrative_body=True)).allowed


def test_r_6_3_incompatible_purpose_refused():
    assert codes(r.r_6_onward(third_party(compatible_with_original_purpose=False))) == {"R-6.3:not_compatible"}
    assert codes(r.r_6_onward(third_party(compatibility_motivation=""))) == {"R-6.3:not_compatible"}


def test_r_6_3_without_prior_consent_refused():
    assert "R-6.3:consent_missing:case_prosecutor" in codes(r.r_6_onward(third_party(consents=consents(ConsentRole.OFFICER_2_10))))


def test_r_6_3_partners_not_informed_needs_step():
    d = r.r_6_onward(third_party(informed_partner_ids=frozenset({"bd-noord"})))
    assert d.needs_step and codes(d) == {"R-6.3:not_informed:om-nn"}


def test_r_6_onward_needs_exactly_one_destination():
    with pytest.raises(ValueError):
        r.r_6_onward(onward())
    with pytest.raises(ValueError):
        r.r_6_onward(onward(to_partner=EAST, third_party="uwv"))


# ---------------------------------------------------------------------------


def test_r_7_1_destruction_due_after_grace_period():
    assert r.r_7_1_destruction_due(date(2014, 6, 1), 30) == date(2014, 7, 1)
    assert r.r_7_1_destruction_due(date(2014, 6, 1), 0) == date(2014, 6, 1)
    with pytest.raises(ValueError):
        r.r_7_1_destruction_due(date(2014, 6, 1), -1)


def test_r_7_1_keep_before_intervention_and_until_due_allowed():
    assert r.r_7_1_retention(None, ON).allowed
    assert r.r_7_1_retention(date(2014, 6, 1), date(2014, 7, 1), 30).allowed


def test_r_7_1_overdue_refused_means_destroy():
    d = r.r_7_1_retention(date(2014, 6, 1), date(2014, 7, 2), 30)
    assert d.refused and codes(d) == {"R-7.1:destruction_overdue"}


def test_r_7_2_deadline_lies_before_destruction():
    assert r.r_7_2_anonymisation_deadline(date(2014, 7, 1), 14) == date(2014, 6, 17)
    assert r.r_7_2_anonymisation_deadline(date(2014, 7, 1), 0) < date(2014, 7, 1)


def test_r_7_2_timely_anonymised_decision_with_unit_allowed():
    assert r.r_7_2_keep_anonymised(date(2014, 7, 1), date(2014, 6, 20), True, True).allowed


@pytest.mark.parametrize("decided_on, anonymised, consulted, code", [
    (None, True, True, "R-7.2:no_decision"),
    (date(2014, 7, 1), True, True, "R-7.2:decision_too_late"),
    (date(2014, 6, 20), True, False, "R-7.2:unit_not_consulted"),
    (date(2014, 6, 20), False, True, "R-7.2:not_anonymised"),
])
def test_r_7_2_keeping_refused(decided_on, anonymised, consulted, code):
    assert codes(r.r_7_2_keep_anonymised(date(2014, 7, 1), decided_on, anonymised, consulted)) == {code}


# --------------------------------------------------------------------------- the moment of provision


def test_decide_provision_all_conditions_met_allowed_with_every_rule_applied():
    d = r.decide_provision(request(), **all_inputs())
    assert d.decision.allowed, d.decision.reason_en
    assert d.decision.legal_basis_id == DECREE_2013.id
    assert {"R-8", "R-2", "R-3.1", "R-3.2", "R-4.1", "R-4.2", "R-1", "R-5.1b", "R-5.1c", "R-6.1",
            "R-5.1a", "R-5.1e", "R-5.1d"} <= set(d.decision.rule_ids)
    assert d.required_consents == set(ConsentRole)


@pytest.mark.parametrize("change, code", [
    ({"legal_bases": []}, "R-8:no_valid_legal_basis"),
    ({"recipient": None}, "R-1:not_designated"),
    ({"recipient": person(screening_valid_until=date(2014, 6, 1))}, "R-5.1c:screening_expired"),
    ({"assessment": assessment(necessary=False)}, "R-5.1a:not_necessary"),
    ({"recipient_partner": partner(region="Oost-Nederland")}, "R-6.1:recipient_other_region"),
])
def test_decide_provision_each_register_failure_refuses(change, code):
    d = r.decide_provision(request(), **all_inputs(**change))
    assert d.decision.refused and code in d.decision.codes


@pytest.mark.parametrize("change, code", [
    ({"data_categories": frozenset({ART9, DataCategory.ART_8})}, "R-2:out_of_scope:art8"),
    ({"purpose": Purpose.BIBOB}, "R-3.2:purpose_bibob"),
    ({"case": case(phenomenon=None)}, "R-3.1:no_phenomenon"),
    ({"case": case(partner_ids=frozenset({"bd-noord"}))}, "R-4.1:partner_not_in_case"),
    ({"on": date(2015, 1, 1)}, "R-8:no_valid_legal_basis"),
])
def test_decide_provision_each_request_failure_refuses(change, code):
    d = r.decide_provision(request(**change), **all_inputs())
    assert d.decision.refused and code in d.decision.codes


def test_decide_provision_open_steps_are_listed():
    d = r.decide_provision(request(), **all_inputs(assessment=None, consents=(), acknowledged_at=None))
    assert d.decision.needs_step
    assert {"assess_necessity", "acknowledge_confidentiality", "consent:officer_2_10"} <= set(d.decision.steps)
