"""The decree's rules (``shared/DOMAIN.md``) as pure functions.

Every function takes validated models and plain values (dates are always
arguments, never read from the clock) and returns a :class:`Decision` naming the
rule IDs it applied, a Dutch reason for officers and letters and an English
reason for logs. Nothing here touches a database: the register modules load the
inputs, :func:`decide_provision` combines the rules for the moment of provision.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from .decisions import Decision, combine
from .models import (
    DECREE_CATEGORIES,
    DECREE_PURPOSES,
    PROVIDABLE_PERSON_CATEGORIES,
    CaseContext,
    CompatibleAim,
    Consent,
    ConsentRole,
    DataCategory,
    DesignatedPerson,
    LegalBasis,
    NecessityAssessment,
    OnwardGround,
    Partner,
    PersonInProvision,
    Phenomenon,
    ProvisionRequest,
    Purpose,
    Ref,
    Refusal,
    RefusalGround,
)

CATEGORY_NL = {
    DataCategory.ART_8: "art. 8 Wpg (dagelijkse politietaak)",
    DataCategory.ART_9: "art. 9 Wpg (gericht onderzoek)",
    DataCategory.ART_10_1A: "art. 10, eerste lid, onder a, Wpg (criminele inlichtingen)",
    DataCategory.ART_10_1B: "art. 10, eerste lid, onder b, Wpg",
    DataCategory.ART_10_1C: "art. 10, eerste lid, onder c, Wpg",
    DataCategory.ART_10_1D: "art. 10, eerste lid, onder d, Wpg",
    DataCategory.ART_11: "art. 11 Wpg (geautomatiseerde vergelijking)",
    DataCategory.ART_12: "art. 12 Wpg (informanten)",
    DataCategory.ART_13: "art. 13 Wpg (ondersteunende taken)",
}

ROLE_NL = {
    ConsentRole.OFFICER_2_10: "de functionaris ex art. 2:10 Besluit politiegegevens",
    ConsentRole.CASE_PROSECUTOR: "de zaaksofficier van justitie",
    ConsentRole.CIE_PROSECUTOR: "de CIE-officier van justitie",
}

ROLE_EN = {
    ConsentRole.OFFICER_2_10: "the art. 2:10 Bpg officer",
    ConsentRole.CASE_PROSECUTOR: "the case prosecutor",
    ConsentRole.CIE_PROSECUTOR: "the CIE prosecutor",
}

GROUND_NL = {
    RefusalGround.INVESTIGATIVE_INTEREST: "een zwaarwegend opsporingsbelang",
    RefusalGround.NATIONAL_SECURITY: "de nationale veiligheid",
    RefusalGround.SAFETY_OF_PERSONS: "het belang van de bescherming van de veiligheid van personen",
}

#: R-5.1d: the notice every provision carries (art. 7(2) Wpg).
CONFIDENTIALITY_NOTICE_NL = (
    "Op deze gegevens rust de geheimhoudingsplicht van artikel 7, tweede lid, van de Wet politiegegevens. "
    "U mag ze uitsluitend gebruiken voor de integrale casusanalyse en de gezamenlijke interventiestrategie "
    "waarvoor ze zijn verstrekt, en ze niet verder verstrekken dan het Wpg-machtigingsbesluit RIEC's toestaat."
)

#: R-7.1: days between the recorded execution of the intervention and destruction.
DEFAULT_DESTRUCTION_GRACE_DAYS = 30
#: R-7.2: the anonymisation decision is due this many days before destruction.
DEFAULT_ANONYMISATION_LEAD_DAYS = 14


def _cats(cats: Iterable[DataCategory]) -> list[DataCategory]:
    return sorted(set(cats), key=lambda c: list(DataCategory).index(c))


def _nl_list(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]


# ---------------------------------------------------------------------------


def r_8_legal_basis(on: date, bases: Iterable[LegalBasis]) -> Decision:
    """R-8: a provision needs a legal basis valid on its date.

    When several are valid the one that started last (the successor) is used;
    the decision names it in ``legal_basis_id``.
    """
    bases = list(bases)
    valid = [b for b in bases if b.valid_on(on)]
    if not valid:
        known = "; ".join(
            f"{b.name} ({b.valid_from.isoformat()} t/m {b.valid_until.isoformat() if b.valid_until else 'onbepaald'})"
            for b in sorted(bases, key=lambda b: b.valid_from)
        ) or "geen"
        return Decision.refuse(
            "R-8",
            f"Op {on.isoformat()} gold geen geregistreerde wettelijke grondslag voor deze verstrekking "
            f"(bekende grondslagen: {known}). Zonder geldige grondslag wordt niet verstrekt.",
            f"No registered legal basis is valid on {on.isoformat()} (known: {', '.join(b.id for b in bases) or 'none'}).",
            codes=("R-8:no_valid_legal_basis",),
        )
    basis = max(valid, key=lambda b: (b.valid_from, b.id))
    return Decision.allow(
        "R-8",
        f"Grondslag: {basis.name} ({basis.citation}).",
        f"Legal basis {basis.id} is valid on {on.isoformat()}.",
        legal_basis_id=basis.id,
    )


# --------------------------------------------------------------------------- R-1, R-5.1b, R-5.1c


def r_1_designated_recipient(person: DesignatedPerson | None, partner: Partner | None) -> Decision:
    """R-1: only designated representatives of partners participating in a RIEC."""
    if person is None or not person.active:
        return Decision.refuse(
            "R-1",
            "De ontvanger is geen aangewezen vertegenwoordiger van een RIEC-partner.",
            "Recipient is not a designated person (absent from or withdrawn in the authorisation register).",
            codes=("R-1:not_designated",),
        )
    if partner is None or partner.id != person.partner_id or not partner.active:
        return Decision.refuse(
            "R-1",
            "De organisatie van de ontvanger neemt niet (meer) deel aan een RIEC.",
            f"Recipient {person.id} belongs to no participating partner organisation.",
            codes=("R-1:partner_not_participating",),
        )
    return Decision.allow(
        "R-1",
        f"De ontvanger is aangewezen door {partner.name}, partner van het RIEC {partner.region}.",
        f"Recipient {person.id} is designated by partner {partner.id} ({partner.region}).",
    )


def r_5_1b_authorised_scope(person: DesignatedPerson | None, categories: Iterable[DataCategory]) -> Decision:
    """R-5.1b: only within the scope of the recipient's authorisation."""
    wanted = _cats(categories)
    if person is None:
        return Decision.refuse(
            "R-5.1b",
            "De ontvanger is niet geautoriseerd.",
            "Recipient has no authorisation.",
            codes=("R-5.1b:not_authorised",),
        )
    outside = [c for c in wanted if c not in person.scopes]
    if outside:
        return Decision.refuse(
            "R-5.1b",
            "De autorisatie van de ontvanger strekt zich niet uit tot " + _nl_list([CATEGORY_NL[c] for c in outside]) + ".",
            f"Recipient {person.id} is not authorised for: {', '.join(outside)}.",
            codes=tuple(f"R-5.1b:outside_scope:{c}" for c in outside),
        )
    return Decision.allow(
        "R-5.1b",
        "De ontvanger is geautoriseerd voor de gevraagde gegevens.",
        f"Recipient {person.id} is authorised for {', '.join(wanted)}.",
    )


def r_5_1c_screening(person: DesignatedPerson | None, on: date) -> Decision:
    """R-5.1c: authorisation only with a valid, unexpired security screening on ``on``."""
    if person is None or person.screening_date is None or person.screening_valid_until is None:
        return Decision.refuse(
            "R-5.1c",
            "Van de ontvanger is geen veiligheidsscreening geregistreerd.",
            "Recipient has no security screening on record.",
            codes=("R-5.1c:screening_missing",),
        )
    if person.screening_date > on:
        return Decision.refuse(
            "R-5.1c",
            f"De veiligheidsscreening van de ontvanger gaat pas in op {person.screening_date.isoformat()}.",
            f"Screening of {person.id} only starts on {person.screening_date.isoformat()}.",
            codes=("R-5.1c:screening_not_yet_valid",),
        )
    if person.screening_valid_until < on:
        return Decision.refuse(
            "R-5.1c",
            f"De veiligheidsscreening van de ontvanger is verlopen op {person.screening_valid_until.isoformat()}.",
            f"Screening of {person.id} expired after {person.screening_valid_until.isoformat()}.",
            codes=("R-5.1c:screening_expired",),
        )
    return Decision.allow(
        "R-5.1c",
        f"De veiligheidsscreening van de ontvanger is geldig tot en met {person.screening_valid_until.isoformat()}.",
        f"Screening of {person.id} valid until {person.screening_valid_until.isoformat()}.",
    )


def check_recipient(
    person: DesignatedPerson | None,
    partner: Partner | None,
    categories: Iterable[DataCategory],
    on: date,
) -> Decision:
    """R-1, R-5.1b and R-5.1c together: the check at the moment of provision.

    A refusal names every failing ground (not designated, outside scope,
    screening missing / not yet valid / expired).
    """
    categories = list(categories)
    return combine(
        r_1_designated_recipient(person, partner),
        r_5_1b_authorised_scope(person, categories),
        r_5_1c_screening(person, on),
    )


# ---------------------------------------------------------------------------


def r_2_data_categories(categories: Iterable[DataCategory]) -> Decision:
    """R-2: only art. 9 and art. 10(1)(a) Wpg data fall under the decree."""
    cats = _cats(categories)
    if not cats:
        return Decision.refuse(
            "R-2", "Er is niet aangegeven welke politiegegevens worden gevraagd.",
            "No data category given.", codes=("R-2:no_category",),
        )
    outside = [c for c in cats if c not in DECREE_CATEGORIES]
    if outside:
        return Decision.refuse(
            "R-2",
            "Dit besluit staat alleen verstrekking toe van gegevens verwerkt op grond van art. 9 en art. 10, "
            "eerste lid, onder a, Wpg. Buiten deze grondslag gevraagd: "
            + _nl_list([CATEGORY_NL[c] for c in outside]) + ". Daarvoor geldt een eigen regeling.",
            f"Data categories outside the decree (art. 9, art. 10(1)(a) Wpg): {', '.join(outside)}.",
            codes=tuple(f"R-2:out_of_scope:{c}" for c in outside),
        )
    return Decision.allow(
        "R-2", "De gevraagde gegevens vallen onder art. 9 en/of art. 10, eerste lid, onder a, Wpg.",
        f"Data categories within the decree: {', '.join(cats)}.",
    )


# ---------------------------------------------------------------------------


def r_3_1_phenomenon_stated(phenomenon: Phenomenon | None, description: str = "", ref: str = "-") -> Decision:
    """R-3.1: the organised-crime phenomenon must be named (a signal at registration, a case at provision)."""
    if phenomenon is None:
        return Decision.refuse(
            "R-3.1",
            "Er is niet vermeld op welke verschijningsvorm van georganiseerde criminaliteit "
            "(Bestuurlijk Akkoord en Convenant, art. 2.1 en 2.2) het betrekking heeft. "
            "Zonder verschijningsvorm is dit werkproces niet van toepassing.",
            f"{ref} names no organised-crime phenomenon.",
            codes=("R-3.1:no_phenomenon",),
        )
    if phenomenon is Phenomenon.OTHER and not description.strip():
        return Decision.refuse(
            "R-3.1",
            "Er is 'andere' georganiseerde criminaliteit gekozen zonder die te omschrijven.",
            f"{ref}: phenomenon 'other' without a description.",
            codes=("R-3.1:phenomenon_undescribed",),
        )
    return Decision.allow(
        "R-3.1", "Het betreft georganiseerde criminaliteit in de zin van het Convenant.",
        f"{ref} concerns phenomenon {phenomenon}.",
    )


def r_3_1_phenomenon(case: CaseContext) -> Decision:
    """R-3.1: the case must name the organised-crime phenomenon it concerns."""
    return r_3_1_phenomenon_stated(case.phenomenon, case.phenomenon_description, f"Case {case.case_id}")


def r_3_2_purpose_in_scope(purpose: Purpose | None) -> Decision:
    """R-3.2, first half: the purpose is this decree's; Bibob and B-CBA are pointed to their own regime."""
    if purpose is Purpose.BIBOB:
        return Decision.refuse(
            "R-3.2",
            "Dit besluit ziet niet op integriteitsbeoordelingen op grond van de Wet Bibob. Politiegegevens "
            "daarvoor lopen via het eigen regime van de Wet Bibob (Landelijk Bureau Bibob).",
            "Purpose Bibob integrity assessment is outside this decree; use the Wet Bibob regime.",
            codes=("R-3.2:purpose_bibob",),
        )
    if purpose is Purpose.B_CBA:
        return Decision.refuse(
            "R-3.2",
            "Dit besluit ziet niet op een bestuurlijke criminaliteitsbeeldanalyse (ondermijningsbeeld). "
            "Daarvoor gelden art. 18, eerste lid, en art. 20 Wpg met art. 4:1 tot en met 4:5 Besluit politiegegevens.",
            "Purpose B-CBA is outside this decree; art. 18(1) and 20 Wpg with art. 4:1-4:5 Bpg apply.",
            codes=("R-3.2:purpose_b_cba",),
        )
    if purpose is None or purpose not in DECREE_PURPOSES:
        return Decision.refuse(
            "R-3.2",
            "Verstrekking op grond van dit besluit is alleen mogelijk voor een integrale casusanalyse ter bepaling "
            "van een gezamenlijke interventiestrategie en de uitvoering daarvan.",
            f"Purpose {purpose} is not an integral case analysis or its intervention.",
            codes=("R-3.2:purpose_other",),
        )
    return Decision.allow("R-3.2", "Het doel is een integrale casusanalyse of de uitvoering van de interventiestrategie.",
                          f"Purpose {purpose} is this decree's.")


def r_3_2_purpose(purpose: Purpose, compatible_aims: Iterable[CompatibleAim]) -> Decision:
    """R-3.2: only for the integral case analysis / joint intervention strategy, compatible with art. 3(2)'s aims."""
    in_scope = r_3_2_purpose_in_scope(purpose)
    if not in_scope.allowed:
        return in_scope
    if not set(compatible_aims):
        return Decision.refuse(
            "R-3.2",
            "Het doel is niet verbonden met het voorkomen, opsporen en vervolgen van strafbare feiten of het "
            "handhaven van de openbare orde en nationale veiligheid.",
            "Purpose recorded without a compatible aim (crime, public order / national security).",
            codes=("R-3.2:no_compatible_aim",),
        )
    return Decision.allow(
        "R-3.2", "Het doel past binnen artikel 3, tweede lid, van het besluit.",
        f"Purpose {purpose} with aims {', '.join(sorted(compatible_aims))}.",
    )


# --------------------------------------------------------------------------- and friends


def r_4_1_phase_order(case: CaseContext) -> Decision:
    """R-4.1: no police request before hit/no-hit and tiered gathering (half-open, then closed)."""
    rid = "R-4.1"
    if not case.hit_checked:
        return Decision.step(rid, "Eerst moet de hit/no-hit-bevraging plaatsvinden.",
                             "Hit/no-hit check not done yet.", steps=("hit_no_hit",), codes=("R-4.1:hit_no_hit_pending",))
    if not case.hit_found:
        return Decision.refuse(rid, "De hit/no-hit-bevraging leverde geen hit op; het signaal stopt hier.",
                               "No hit: the signal stops.", codes=("R-4.1:no_hit",))
    if not case.half_open_gathered:
        return Decision.step(rid, "Eerst moet informatie uit half open bronnen (met name de gemeente) worden verzameld.",
                             "Half-open sources not gathered yet.", steps=("gather_half_open",),
                             codes=("R-4.1:half_open_pending",))
    if not case.closed_gathered:
        return Decision.step(rid, "Eerst moet informatie uit gesloten bronnen (waaronder art. 8 en 13 Wpg) worden verzameld.",
                             "Closed sources not gathered yet.", steps=("gather_closed",), codes=("R-4.1:closed_pending",))
    if not case.oc_indications:
        return Decision.refuse(rid, "De casus bevat geen aanwijzingen van georganiseerde criminaliteit; "
                                    "een verzoek om art. 9/10-gegevens is dan niet aan de orde.",
                               "Case shows no indications of organised crime.", codes=("R-4.1:no_oc_indications",))
    return Decision.allow(rid, "De fasering van artikel 4, eerste lid, is gevolgd.",
                          f"Phase order respected for case {case.case_id}.")


def r_4_1_case_partner(case: CaseContext, partner_id: str | None) -> Decision:
    """R-4.1: provision only to the partner(s) involved in that case."""
    if partner_id is None or partner_id not in case.partner_ids:
        return Decision.refuse(
            "R-4.1", "De ontvangende partner is niet betrokken bij deze casus.",
            f"Partner {partner_id} is not involved in case {case.case_id}.", codes=("R-4.1:partner_not_in_case",),
        )
    return Decision.allow("R-4.1", "De ontvangende partner is betrokken bij deze casus.",
                          f"Partner {partner_id} is involved in case {case.case_id}.")


def r_4_1_own_initiative(case: CaseContext | None, providing_unit_region: str) -> Decision:
    """R-4.1-own: a police unit may provide on its own initiative, correlated to an existing case of its region."""
    if case is None:
        return Decision.refuse(
            "R-4.1-own", "Verstrekking op eigen initiatief moet betrekking hebben op een bestaande casus.",
            "Own-initiative provision refers to no existing case.", codes=("R-4.1-own:no_case",),
        )
    if case.region != providing_unit_region:
        return Decision.refuse(
            "R-4.1-own", "De casus hoort niet bij het RIEC in de regio van de verstrekkende eenheid.",
            f"Case {case.case_id} ({case.region}) is not of unit region {providing_unit_region}.",
            codes=("R-4.1-own:case_other_region",),
        )
    return Decision.allow("R-4.1-own", f"Verstrekking op eigen initiatief bij casus {case.case_id}.",
                          f"Own-initiative provision correlated to case {case.case_id}.")


def r_4_1_refusal(refusal: Refusal) -> Decision:
    """R-4.1-refuse: may this refusal be sent as it stands?

    Allowed when it names one of the three grounds and either explains itself or
    records why explaining is not possible; ``reason_nl`` is then the text for the
    requester. Refused without a ground (other reasons do not justify refusing once
    all criteria are met); needs a step when the explanation is missing.
    """
    rid = "R-4.1-refuse"
    if refusal.ground is None:
        return Decision.refuse(
            rid,
            "Een weigering vereist een grond: zwaarwegend opsporingsbelang, nationale veiligheid of "
            "de veiligheid van personen.",
            "Refusal has no ground among investigative interest, national security, safety of persons.",
            codes=("R-4.1-refuse:no_ground",),
        )
    letter = f"De politie verstrekt de gevraagde gegevens niet, omdat {GROUND_NL[refusal.ground]} zich daartegen verzet."
    if refusal.explanation.strip():
        return Decision.allow(rid, f"{letter} Toelichting: {refusal.explanation.strip()}",
                              f"Refusal on ground {refusal.ground}, explained.", codes=(f"R-4.1-refuse:{refusal.ground}",))
    if refusal.explanation_impossible_reason.strip():
        return Decision.allow(rid, f"{letter} Een nadere toelichting is in dit geval niet mogelijk.",
                              f"Refusal on ground {refusal.ground}; explanation not possible (reason recorded).",
                              codes=(f"R-4.1-refuse:{refusal.ground}", "R-4.1-refuse:explanation_impossible"))
    return Decision.step(
        rid, "Licht de weigering toe, of leg vast waarom een toelichting niet mogelijk is.",
        "Refusal needs an explanation or a recorded reason why none is possible.",
        steps=("explain_refusal",), codes=("R-4.1-refuse:explanation_missing",),
    )


# ---------------------------------------------------------------------------


class PersonSelection(BaseModel):
    """R-4.2 result: who may be included, who is filtered out and why."""

    model_config = ConfigDict(frozen=True)

    included: tuple[PersonInProvision, ...]
    excluded: tuple[tuple[PersonInProvision, Decision], ...]
    decision: Decision


def r_4_2_person(person: PersonInProvision) -> Decision:
    """R-4.2 for one person: category a, b or c with a motivation."""
    if person.category is None:
        return Decision.refuse("R-4.2", f"Persoon {person.ref} heeft geen categorie a, b of c.",
                               f"Person {person.ref} has no category.", codes=(f"R-4.2:no_category:{person.ref}",))
    if person.category not in PROVIDABLE_PERSON_CATEGORIES:
        return Decision.refuse("R-4.2", f"Persoon {person.ref} valt niet onder categorie a, b of c van artikel 4, tweede lid.",
                               f"Person {person.ref} is category {person.category}, outside a-c.",
                               codes=(f"R-4.2:outside_categories:{person.ref}",))
    if not person.motivation.strip():
        return Decision.refuse("R-4.2", f"Bij persoon {person.ref} ontbreekt de motivering van categorie {person.category}.",
                               f"Person {person.ref}: category {person.category} without motivation.",
                               codes=(f"R-4.2:no_motivation:{person.ref}",))
    return Decision.allow("R-4.2", f"Persoon {person.ref} valt onder categorie {person.category}.",
                          f"Person {person.ref} is category {person.category}.")


def r_4_2_persons(persons: Iterable[PersonInProvision]) -> PersonSelection:
    """R-4.2: filter persons; the filtering itself is part of the result (to be recorded)."""
    included, excluded = [], []
    for p in persons:
        d = r_4_2_person(p)
        (included.append(p) if d.allowed else excluded.append((p, d)))
    codes = tuple(c for _, d in excluded for c in d.codes)
    if not included:
        decision = Decision.refuse("R-4.2", "Geen van de personen valt onder categorie a, b of c; er wordt niets verstrekt.",
                                   "No person in categories a-c.", codes=codes or ("R-4.2:no_persons",))
    elif excluded:
        decision = Decision.allow(
            "R-4.2", f"{len(excluded)} perso(o)n(en) buiten categorie a, b of c zijn uit de verstrekking gefilterd.",
            f"{len(included)} person(s) included, {len(excluded)} filtered out.", codes=codes)
    else:
        decision = Decision.allow("R-4.2", "Alle personen vallen onder categorie a, b of c.",
                                  f"All {len(included)} person(s) in categories a-c.")
    return PersonSelection(included=tuple(included), excluded=tuple(excluded), decision=decision)


# --------------------------------------------------------------------------- R-5.1a, R-5.1d, R-5.1e


def r_5_1a_necessity(
    assessment: NecessityAssessment | None,
    case_id: str,
    categories: Iterable[DataCategory],
    person_refs: Iterable[str],
    on: date,
) -> Decision:
    """R-5.1a: a written, positive necessity assessment for this case, made before provision, covering the data."""
    rid = "R-5.1a"
    if assessment is None or assessment.case_id != case_id:
        return Decision.step(rid, "Er is nog geen schriftelijke noodzakelijkheidsbeoordeling voor deze casus.",
                             f"No necessity assessment recorded for case {case_id}.",
                             steps=("assess_necessity",), codes=("R-5.1a:assessment_missing",))
    if assessment.assessed_at.date() > on:
        return Decision.step(rid, "De noodzakelijkheidsbeoordeling dateert van na de verstrekking; zij moet eraan voorafgaan.",
                             "Necessity assessment is dated after the provision.",
                             steps=("assess_necessity",), codes=("R-5.1a:assessment_after_provision",))
    if not assessment.necessary:
        return Decision.refuse(rid, "Volgens de noodzakelijkheidsbeoordeling is verstrekking niet noodzakelijk, "
                                    "proportioneel of subsidiair.",
                               "Necessity assessment concluded provision is not necessary.",
                               codes=("R-5.1a:not_necessary",))
    extra_cats = [c for c in _cats(categories) if c not in assessment.data_categories]
    extra_persons = sorted(set(person_refs) - set(assessment.person_refs))
    if extra_cats or extra_persons:
        return Decision.step(
            rid, "Er worden meer gegevens gevraagd dan in de noodzakelijkheidsbeoordeling zijn afgewogen; "
                 "vul de beoordeling aan of beperk de verstrekking.",
            f"Assessment does not cover categories {extra_cats} / persons {extra_persons}.",
            steps=("assess_necessity",),
            codes=tuple([f"R-5.1a:category_not_assessed:{c}" for c in extra_cats]
                        + [f"R-5.1a:person_not_assessed:{p}" for p in extra_persons]),
        )
    return Decision.allow(rid, "De noodzakelijkheid, proportionaliteit en subsidiariteit zijn schriftelijk beoordeeld.",
                          f"Necessity assessment by {assessment.author} covers the provision.")


def r_5_1d_confidentiality(notice_attached: bool, acknowledged_at: datetime | None) -> Decision:
    """R-5.1d: the provision carries the art. 7(2) Wpg notice and the recipient acknowledged it."""
    if not notice_attached:
        return Decision.refuse("R-5.1d", "De verstrekking bevat niet de mededeling over de geheimhoudingsplicht.",
                               "Confidentiality notice not attached.", codes=("R-5.1d:notice_missing",))
    if acknowledged_at is None:
        return Decision.step("R-5.1d", "De ontvanger moet de geheimhoudingsplicht (art. 7, tweede lid, Wpg) bevestigen.",
                             "Recipient has not acknowledged the confidentiality duty.",
                             steps=("acknowledge_confidentiality",), codes=("R-5.1d:acknowledgement_missing",))
    return Decision.allow("R-5.1d", "De ontvanger heeft de geheimhoudingsplicht bevestigd.",
                          f"Confidentiality acknowledged at {acknowledged_at.isoformat()}.")


def r_5_1e_required_consents(categories: Iterable[DataCategory]) -> frozenset[ConsentRole]:
    """R-5.1e: which officers a provision needs.

    Always the art. 2:10 officer (consultation); the case prosecutor for art. 9
    data; the CIE prosecutor for art. 10(1)(a) data; both when both are asked.
    """
    cats = set(categories)
    roles = {ConsentRole.OFFICER_2_10}
    if DataCategory.ART_9 in cats:
        roles.add(ConsentRole.CASE_PROSECUTOR)
    if DataCategory.ART_10_1A in cats:
        roles.add(ConsentRole.CIE_PROSECUTOR)
    return frozenset(roles)


def _latest_prior(consents: Iterable[Consent], role: ConsentRole, on: date) -> Consent | None:
    prior = [c for c in consents if c.role is role and c.at.date() <= on]
    return max(prior, key=lambda c: c.at) if prior else None


def r_5_1e_consents(categories: Iterable[DataCategory], consents: Iterable[Consent], on: date) -> Decision:
    """R-5.1e: consultation of the art. 2:10 officer and consent of the prosecutor(s), before ``on``.

    The art. 2:10 officer is consulted (the decree asks for consultation, not
    consent): any recorded outcome counts, and it is stored with the decision. A
    prosecutor's latest outcome must be consent.
    """
    consents = list(consents)
    needed = r_5_1e_required_consents(categories)
    missing, refused = [], []
    for role in sorted(needed, key=lambda r: list(ConsentRole).index(r)):
        c = _latest_prior(consents, role, on)
        if c is None:
            missing.append(role)
        elif role is not ConsentRole.OFFICER_2_10 and not c.given:
            refused.append(role)
    if refused:
        return Decision.refuse(
            "R-5.1e", "Geen instemming van " + _nl_list([ROLE_NL[r] for r in refused]) + "; er wordt niet verstrekt.",
            "Consent withheld by " + ", ".join(ROLE_EN[r] for r in refused) + ".",
            codes=tuple(f"R-5.1e:consent_refused:{r}" for r in refused),
        )
    if missing:
        return Decision.step(
            "R-5.1e", "Nog nodig: " + _nl_list([("overleg met " if r is ConsentRole.OFFICER_2_10 else "instemming van ") + ROLE_NL[r] for r in missing]) + ".",
            "Still needed: " + ", ".join(ROLE_EN[r] for r in missing) + ".",
            steps=tuple(f"consent:{r}" for r in missing),
            codes=tuple(f"R-5.1e:missing:{r}" for r in missing),
        )
    return Decision.allow("R-5.1e", "Het overleg met de functionaris art. 2:10 Bpg en de vereiste instemming zijn vastgelegd.",
                          "Consultation and consents recorded: " + ", ".join(sorted(needed)) + ".")


# ---------------------------------------------------------------------------


def r_5_2_access_request(subject_ref: str, identity_verified: bool) -> Decision:
    """R-5.2 (privacy protocol 16.2): an access request is answered from the register once the requester is identified."""
    if not identity_verified:
        return Decision.step("R-5.2", "De identiteit van de verzoeker moet eerst worden vastgesteld.",
                             f"Identity of the requester for {subject_ref} not verified.",
                             steps=("verify_identity",), codes=("R-5.2:identity_unverified",))
    return Decision.allow("R-5.2", "Het inzageverzoek wordt beantwoord uit het verstrekkingenregister.",
                          f"Access request for {subject_ref} answered from the provision register.")


# ---------------------------------------------------------------------------


def r_6_1_region(case: CaseContext, providing_unit_region: str, recipient_partner: Partner | None) -> Decision:
    """R-6.1: the regional unit provides to partners of the RIEC in its own region, for a case of that region."""
    if case.region != providing_unit_region:
        return Decision.refuse("R-6.1", "De casus hoort niet bij het RIEC in de regio van de verstrekkende eenheid.",
                               f"Case region {case.region} differs from unit region {providing_unit_region}.",
                               codes=("R-6.1:case_other_region",))
    if recipient_partner is None or recipient_partner.region != case.region:
        return Decision.refuse("R-6.1", "De ontvanger is geen partner van het RIEC in deze regio; "
                                        "doorverstrekking naar een andere regio vraagt voorafgaande toestemming (art. 6).",
                               f"Recipient partner is not of region {case.region}.", codes=("R-6.1:recipient_other_region",))
    return Decision.allow("R-6.1", f"Verstrekking binnen de regio {case.region}.", f"Provision within region {case.region}.")


def r_6_1_can_view(user_region: str, case_region: str) -> Decision:
    """R-6.1: users of other regions cannot see a region's cases and provisions."""
    if user_region != case_region:
        return Decision.refuse("R-6.1", "Deze casus hoort bij een ander RIEC.", f"User of {user_region} may not see a case of {case_region}.",
                               codes=("R-6.1:other_region",))
    return Decision.allow("R-6.1", "Casus van de eigen regio.", f"Same region {case_region}.")


class OnwardProvision(BaseModel):
    """A partner passing provided data on (R-6.2 to another region's partner, R-6.3 to a third party)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    on: date
    from_partner: Partner
    data_categories: frozenset[DataCategory] = Field(min_length=1)
    consents: tuple[Consent, ...] = ()
    to_partner: Partner | None = None  # a convenant partner ...
    third_party: Ref | None = None  # ... or a third party
    third_party_is_administrative_body: bool = False
    ground: OnwardGround | None = None
    compatible_with_original_purpose: bool = False
    compatibility_motivation: str = Field("", max_length=4000)
    riec_partner_ids: frozenset[Ref] = frozenset()
    informed_partner_ids: frozenset[Ref] = frozenset()


def _prior_consent_of_unit(req: OnwardProvision, rid: str) -> Decision:
    needed = r_5_1e_required_consents(req.data_categories)
    missing = [r for r in needed if (c := _latest_prior(req.consents, r, req.on)) is None or not c.given]
    if missing:
        missing.sort(key=lambda r: list(ConsentRole).index(r))
        return Decision.refuse(
            rid, "Doorverstrekking vraagt uitdrukkelijke voorafgaande toestemming van de verstrekkende politie-eenheid; "
                 "die ontbreekt van " + _nl_list([ROLE_NL[r] for r in missing]) + ".",
            "Prior consent of the providing unit missing: " + ", ".join(ROLE_EN[r] for r in missing) + ".",
            codes=tuple(f"{rid}:consent_missing:{r}" for r in missing),
        )
    return Decision.allow(rid, "De verstrekkende politie-eenheid heeft vooraf toestemming gegeven.",
                          "Prior consent of the providing unit recorded.")


def r_6_onward(req: OnwardProvision) -> Decision:
    """R-6.2 / R-6.3: onward provision to another region's partner or to a third party."""
    if (req.to_partner is None) == (req.third_party is None):
        raise ValueError("an onward provision goes either to a partner or to a third party")
    if req.to_partner is not None:
        if req.to_partner.region == req.from_partner.region:
            return Decision.refuse(
                "R-6.2", "Doorverstrekking binnen de eigen regio is geen doorverstrekking naar een ander RIEC; "
                         "verstrekking gaat alleen naar de bij de casus betrokken partners (art. 4).",
                "Onward provision within the same region is not an R-6.2 case; use the case's partners (R-4.1).",
                codes=("R-6.2:same_region",))
        consent = _prior_consent_of_unit(req, "R-6.2")
        if consent.refused:
            return consent
        return Decision.allow("R-6.2", f"Doorverstrekking aan {req.to_partner.name} (RIEC {req.to_partner.region}) "
                                       "met voorafgaande toestemming van de verstrekkende eenheid.",
                              f"Onward provision to {req.to_partner.id} ({req.to_partner.region}) with prior consent.")
    rid = "R-6.3"
    findings: list[Decision] = []
    if req.ground is None:
        findings.append(Decision.refuse(rid, "Er is geen grond voor doorverstrekking aan een derde gekozen "
                                             "(wettelijke verplichting of goede taakvervulling).",
                                        "No legal ground for onward provision to a third party.", codes=("R-6.3:no_ground",)))
    elif req.ground is OnwardGround.THIRD_PARTY_TASK and not req.third_party_is_administrative_body:
        findings.append(Decision.refuse(rid, "De taak van een derde is alleen een grond als die derde een bestuursorgaan is.",
                                        "Third-party task ground requires an administrative body.",
                                        codes=("R-6.3:third_party_not_administrative_body",)))
    if not req.compatible_with_original_purpose or not req.compatibility_motivation.strip():
        findings.append(Decision.refuse(rid, "Niet gemotiveerd is dat doorverstrekking verenigbaar is met het oorspronkelijke doel.",
                                        "Compatibility with the original purpose not established.",
                                        codes=("R-6.3:not_compatible",)))
    consent = _prior_consent_of_unit(req, rid)
    if consent.refused:
        findings.append(consent)
    if findings:
        return combine(*findings)
    uninformed = sorted(req.riec_partner_ids - req.informed_partner_ids - {req.from_partner.id})
    if uninformed:
        return Decision.step(rid, "De overige partners van het RIEC moeten over de doorverstrekking worden geïnformeerd.",
                             f"Partners not yet informed: {', '.join(uninformed)}.",
                             steps=("inform_riec_partners",), codes=tuple(f"R-6.3:not_informed:{p}" for p in uninformed))
    return Decision.allow(rid, f"Doorverstrekking aan derde {req.third_party} op grond van {req.ground}, "
                               "met toestemming van de verstrekkende eenheid; de partners zijn geïnformeerd.",
                          f"Onward provision to third party {req.third_party} allowed.")


# ---------------------------------------------------------------------------


def r_7_1_destruction_due(intervention_executed_on: date, grace_days: int = DEFAULT_DESTRUCTION_GRACE_DAYS) -> date:
    """R-7.1: the date by which provided data must be destroyed."""
    if grace_days < 0:
        raise ValueError("grace_days must not be negative")
    return intervention_executed_on + timedelta(days=grace_days)


def r_7_1_retention(intervention_executed_on: date | None, on: date,
                    grace_days: int = DEFAULT_DESTRUCTION_GRACE_DAYS) -> Decision:
    """R-7.1: may provided data still be kept on ``on``? Refused means: destroy now."""
    if intervention_executed_on is None:
        return Decision.allow("R-7.1", "De interventiestrategie is nog niet uitgevoerd; bewaren is toegestaan.",
                              "Intervention not executed yet: keep.")
    due = r_7_1_destruction_due(intervention_executed_on, grace_days)
    if on > due:
        return Decision.refuse("R-7.1", f"De bewaartermijn is verstreken op {due.isoformat()}; de gegevens moeten worden vernietigd.",
                               f"Retention ended {due.isoformat()}: destroy.", codes=("R-7.1:destruction_overdue",))
    return Decision.allow("R-7.1", f"Bewaren is toegestaan tot en met {due.isoformat()}.",
                          f"Keep until {due.isoformat()}; destruction scheduled.")


def r_7_2_anonymisation_deadline(destruction_due: date, lead_days: int = DEFAULT_ANONYMISATION_LEAD_DAYS) -> date:
    """R-7.2: the anonymisation decision must be taken before the term ends; this is its deadline."""
    return destruction_due - timedelta(days=max(lead_days, 1))


def r_7_2_keep_anonymised(destruction_due: date, decided_on: date | None, anonymised: bool,
                          providing_unit_consulted: bool) -> Decision:
    """R-7.2: data survive the term only anonymised, by a timely decision taken in consultation with the unit."""
    rid = "R-7.2"
    if decided_on is None:
        return Decision.refuse(rid, "Er is geen besluit tot anonimisering genomen; de gegevens worden vernietigd.",
                               "No anonymisation decision: destroy.", codes=("R-7.2:no_decision",))
    if decided_on >= destruction_due:
        return Decision.refuse(rid, "Het besluit tot anonimisering is niet vóór afloop van de bewaartermijn genomen.",
                               f"Anonymisation decided {decided_on.isoformat()}, not before {destruction_due.isoformat()}.",
                               codes=("R-7.2:decision_too_late",))
    if not providing_unit_consulted:
        return Decision.refuse(rid, "Het besluit tot anonimisering is niet in overleg met de verstrekkende politie-eenheid genomen.",
                               "Providing unit not consulted on anonymisation.", codes=("R-7.2:unit_not_consulted",))
    if not anonymised:
        return Decision.refuse(rid, "Alleen geanonimiseerde gegevens mogen na de bewaartermijn blijven bestaan.",
                               "Data are not anonymised: destroy.", codes=("R-7.2:not_anonymised",))
    return Decision.allow(rid, "Geanonimiseerde gegevens mogen voor statistiek en wetenschap bewaard blijven.",
                          "Anonymised data may be kept for statistics and science.")


# --------------------------------------------------------------------------- the moment of provision


class ProvisionDecision(BaseModel):
    """All rules applied at the moment of provision, with the R-4.2 person selection."""

    model_config = ConfigDict(frozen=True)

    decision: Decision
    parts: tuple[Decision, ...]
    persons: PersonSelection
    required_consents: frozenset[ConsentRole]


def decide_provision(
    request: ProvisionRequest,
    *,
    recipient: DesignatedPerson | None,
    recipient_partner: Partner | None,
    legal_bases: Iterable[LegalBasis],
    assessment: NecessityAssessment | None,
    consents: Iterable[Consent] = (),
    notice_attached: bool = True,
    acknowledged_at: datetime | None = None,
) -> ProvisionDecision:
    """Every rule that applies when the regional unit provides data to a recipient.

    R-8, R-2, R-3.1, R-3.2, R-4.1 (phase order, or R-4.1-own for an own-initiative
    provision; the case's partners), R-4.2, R-1, R-5.1b, R-5.1c, R-6.1, R-5.1a,
    R-5.1e and R-5.1d. Outcome: refused if any rule refuses, else needs_step if
    any step is open, else allowed.
    """
    consents = list(consents)
    persons = r_4_2_persons(request.persons)
    phase = (r_4_1_own_initiative(request.case, request.providing_unit_region)
             if request.own_initiative else r_4_1_phase_order(request.case))
    parts = (
        r_8_legal_basis(request.on, legal_bases),
        r_2_data_categories(request.data_categories),
        r_3_1_phenomenon(request.case),
        r_3_2_purpose(request.purpose, request.compatible_aims),
        phase,
        r_4_1_case_partner(request.case, recipient_partner.id if recipient_partner else None),
        persons.decision,
        check_recipient(recipient, recipient_partner, request.data_categories, request.on),
        r_6_1_region(request.case, request.providing_unit_region, recipient_partner),
        r_5_1a_necessity(assessment, request.case.case_id, request.data_categories,
                         [p.ref for p in persons.included], request.on),
        r_5_1e_consents(request.data_categories, consents, request.on),
        r_5_1d_confidentiality(notice_attached, acknowledged_at),
    )
    return ProvisionDecision(decision=combine(*parts), parts=parts, persons=persons,
                             required_consents=r_5_1e_required_consents(request.data_categories))


__all__ = [name for name in dir() if name.startswith(("r_", "decide_", "check_"))] + [
    "CONFIDENTIALITY_NOTICE_NL", "OnwardProvision", "PersonSelection", "ProvisionDecision",
]
