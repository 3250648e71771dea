"""Property-based tests (hypothesis): no combination of inputs yields "allowed" for data outside
art. 9 / 10(1)(a) (R-2), for a person outside categories a-c (R-4.2), for a recipient without a
valid screening (R-5.1c) or for a date outside every registered legal basis (R-8).

Two kinds of test per property: fully random inputs (the implication must hold whatever else
is true), and a valid baseline with only that one dimension random (so "allowed" is really
reachable and the property is not vacuously true).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, example, find, given, settings, strategies as st

from compliance_factories import (
    ART9, ART10, AT, ON, REGION, all_inputs, assessment, case, consents, partner, person, request,
)
from riec.compliance import rules as r
from riec.compliance.legal_basis import DECREE_2013
from riec.compliance.models import (
    CaseContext, CompatibleAim, Consent, ConsentRole, DataCategory,
    DesignatedPerson, LegalBasis, NecessityAssessment, Partner, PersonCategory, PersonInProvision, Phenomenon,
    ProvisionRequest, Purpose,
)

# The oracle is written out here, not imported from the code under test.
DECREE_CATEGORIES = frozenset({DataCategory("art9"), DataCategory("art10_1a")})
PROVIDABLE_PERSON_CATEGORIES = frozenset({PersonCategory("a"), PersonCategory("b"), PersonCategory("c")})

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

dates = st.dates(min_value=date(2010, 1, 1), max_value=date(2030, 12, 31))
refs = st.sampled_from(["P-1", "P-2", "P-3", "P-4", "P-5"])
regions = st.sampled_from([REGION, "Oost-Nederland"])
partner_ids = st.sampled_from(["gem-groningen", "bd-noord", "gem-enschede"])
categories = st.frozensets(st.sampled_from(list(DataCategory)), min_size=1)
person_categories = st.one_of(st.none(), st.sampled_from(list(PersonCategory)))
motivations = st.sampled_from(["", "  ", "redelijk vermoeden", "transactie onroerend goed"])


@st.composite
def windows(draw):
    start = draw(dates)
    end = draw(st.one_of(st.none(), st.dates(min_value=start, max_value=date(2031, 1, 1))))
    return start, end


@st.composite
def legal_bases(draw):
    bases = []
    for i in range(draw(st.integers(0, 3))):
        start, end = draw(windows())
        bases.append(LegalBasis(id=f"basis-{i}", name=f"Basis {i}", citation="Stb.", valid_from=start, valid_until=end))
    if draw(st.booleans()):
        bases.append(DECREE_2013)
    return bases


@st.composite
def screenings(draw):
    if draw(st.booleans()):
        return {"screening_date": None, "screening_valid_until": None}
    start, end = draw(windows())
    return {"screening_date": start, "screening_valid_until": end or date(2031, 1, 1)}


@st.composite
def designated(draw):
    return DesignatedPerson(id="analist-1", partner_id=draw(partner_ids), name="A", active=draw(st.booleans()),
                            scopes=draw(st.frozensets(st.sampled_from(list(DataCategory)))), **draw(screenings()))


persons_in_provision = st.lists(
    st.builds(PersonInProvision, ref=refs, category=person_categories, motivation=motivations),
    min_size=1, max_size=5, unique_by=lambda p: p.ref,
)


@st.composite
def cases(draw):
    return CaseContext(case_id="C-1", region=draw(regions), partner_ids=draw(st.frozensets(partner_ids, min_size=1)),
                       phenomenon=draw(st.one_of(st.none(), st.sampled_from(list(Phenomenon)))),
                       phenomenon_description=draw(st.sampled_from(["", "haven"])),
                       hit_checked=draw(st.booleans()), hit_found=draw(st.booleans()),
                       half_open_gathered=draw(st.booleans()), closed_gathered=draw(st.booleans()),
                       oc_indications=draw(st.booleans()))


@st.composite
def consent_sets(draw):
    return tuple(Consent(role=draw(st.sampled_from(list(ConsentRole))), by="x", given=draw(st.booleans()),
                         at=datetime.combine(draw(dates), time(12), tzinfo=UTC))
                 for _ in range(draw(st.integers(0, 4))))


DIMENSIONS = ("on", "case", "purpose", "aims", "categories", "persons", "unit_region", "own_initiative",
              "recipient", "recipient_partner", "legal_bases", "assessment", "consents", "notice", "acknowledged")


@st.composite
def scenarios(draw):
    """Inputs of decide_provision: a valid baseline with a random subset of dimensions drawn at random
    (from none to all), so that allowed, needs-step and refused outcomes all occur."""
    randomised = draw(st.one_of(st.frozensets(st.sampled_from(DIMENSIONS), max_size=4), st.just(frozenset(DIMENSIONS))))

    def pick(name, valid, strategy):  # noqa: ANN001
        return draw(strategy) if name in randomised else valid

    on = pick("on", ON, dates)
    req = ProvisionRequest(
        case=pick("case", case(), cases()), on=on, purpose=pick("purpose", Purpose.CASE_ANALYSIS, st.sampled_from(list(Purpose))),
        compatible_aims=pick("aims", frozenset({CompatibleAim.CRIME}), st.frozensets(st.sampled_from(list(CompatibleAim)))),
        data_categories=pick("categories", frozenset({ART9, ART10}), categories),
        persons=tuple(pick("persons", list(request().persons), persons_in_provision)), recipient_id="analist-1",
        providing_unit_region=pick("unit_region", REGION, regions), own_initiative=pick("own_initiative", False, st.booleans()),
    )
    valid = all_inputs()
    rand_assessment = st.one_of(st.none(), st.builds(
        NecessityAssessment, case_id=st.just("C-2014-001"), author=st.just("a"), necessity=st.just("n"),
        proportionality=st.just("p"), subsidiarity=st.just("s"), necessary=st.booleans(),
        assessed_at=dates.map(lambda d: datetime.combine(d, time(9), tzinfo=UTC)),
        data_categories=categories, person_refs=st.frozensets(refs, min_size=1)))
    inputs = dict(
        recipient=pick("recipient", valid["recipient"], st.one_of(st.none(), designated())),
        recipient_partner=pick("recipient_partner", valid["recipient_partner"], st.one_of(st.none(), st.builds(
            Partner, id=partner_ids, name=st.just("P"), region=regions, active=st.booleans()))),
        legal_bases=pick("legal_bases", valid["legal_bases"], legal_bases()),
        assessment=pick("assessment", valid["assessment"], rand_assessment),
        consents=pick("consents", valid["consents"], consent_sets()),
        notice_attached=pick("notice", True, st.booleans()),
        acknowledged_at=pick("acknowledged", AT, st.one_of(st.none(), st.just(AT))),
    )
    return req, inputs


# Oracles written out here, independently of the code under test (not LegalBasis.valid_on):
# a window includes its first and its last day (valid_until / screening_valid_until is the
# last valid day), and an open end never closes.
def in_window(start: date, last: date | None, on: date) -> bool:
    return not on < start and (last is None or not on > last)


def basis_in_force(b: LegalBasis, on: date) -> bool:
    return in_window(b.valid_from, b.valid_until, on)


def screening_valid(p: DesignatedPerson | None, on: date) -> bool:
    return bool(p and p.screening_date and p.screening_valid_until and in_window(p.screening_date, p.screening_valid_until, on))


ONE_DAY = timedelta(days=1)


def edges(start: date, last: date | None) -> list[date]:
    """The days a rule off by one gets wrong: the day before, the first day, the last day, the day after."""
    days = [start - ONE_DAY, start]
    if last is not None:
        days += [last, last + ONE_DAY]
    return days


@st.composite
def bases_and_days(draw):
    """Legal bases, and a day that is half of the time one of their window edges."""
    bases = draw(legal_bases())
    candidates = [d for b in bases for d in edges(b.valid_from, b.valid_until)]
    on = draw(st.sampled_from(candidates)) if candidates and draw(st.booleans()) else draw(dates)
    return bases, on


@st.composite
def screenings_and_days(draw):
    """A screening, and a day that is half of the time one of its window edges."""
    screening = draw(screenings())
    if screening["screening_date"] and draw(st.booleans()):
        return screening, draw(st.sampled_from(edges(screening["screening_date"], screening["screening_valid_until"])))
    return screening, draw(dates)


# --------------------------------------------------------------------------- fully random


@SETTINGS
@given(scenarios())
def test_r_2_r_4_2_r_5_1c_r_8_random_inputs_never_allowed_outside_the_decree(scenario):
    req, inputs = scenario
    d = r.decide_provision(req, **inputs)
    if not d.decision.allowed:
        return
    assert req.data_categories <= DECREE_CATEGORIES
    assert all(p.category in PROVIDABLE_PERSON_CATEGORIES and p.motivation.strip() for p in d.persons.included)
    assert screening_valid(inputs["recipient"], req.on)  # R-5.1c
    assert any(basis_in_force(b, req.on) for b in inputs["legal_bases"])
    assert d.decision.legal_basis_id in {b.id for b in inputs["legal_bases"] if basis_in_force(b, req.on)}


def test_random_scenarios_can_be_allowed_and_refused():
    """The scenario generator reaches every outcome, so the property above is not vacuous."""
    allowed = find(scenarios(), lambda sc: r.decide_provision(sc[0], **sc[1]).decision.allowed)
    assert r.decide_provision(allowed[0], **allowed[1]).decision.allowed
    find(scenarios(), lambda sc: r.decide_provision(sc[0], **sc[1]).decision.refused)
    find(scenarios(), lambda sc: r.decide_provision(sc[0], **sc[1]).decision.needs_step)


# --------------------------------------------------------------------------- one dimension random


@SETTINGS
@given(categories)
def test_r_2_property_only_art_9_and_10_1a_can_be_allowed(cats):
    d = r.decide_provision(request(data_categories=cats), **all_inputs())
    assert d.decision.allowed == (cats <= DECREE_CATEGORIES)
    assert r.r_2_data_categories(cats).allowed == (cats <= DECREE_CATEGORIES)


@SETTINGS
@given(persons_in_provision)
def test_r_4_2_property_no_person_outside_a_b_c_is_ever_provided(persons):
    def providable(p: PersonInProvision) -> bool:
        return p.category in PROVIDABLE_PERSON_CATEGORIES and bool(p.motivation.strip())

    for p in persons:
        assert r.r_4_2_person(p).allowed == providable(p)
    covering = assessment(person_refs=frozenset(p.ref for p in persons))
    d = r.decide_provision(request(persons=tuple(persons)), **all_inputs(assessment=covering))
    assert {p.ref for p in d.persons.included} == {p.ref for p in persons if providable(p)}
    assert d.decision.allowed == any(providable(p) for p in persons)
    assert {p.ref for p, _ in d.persons.excluded} == {p.ref for p in persons if not providable(p)}


@SETTINGS
@given(screenings_and_days())
def test_r_5_1c_property_recipient_without_valid_screening_never_allowed(screening_and_day):
    screening, on = screening_and_day
    recipient = person(**screening)
    base = request(on=ON)
    d = r.decide_provision(base, **all_inputs(recipient=recipient))
    assert d.decision.allowed == screening_valid(recipient, ON)
    assert r.check_recipient(recipient, partner(), [ART9, ART10], on).allowed == screening_valid(recipient, on)


@SETTINGS
@given(bases_and_days())
def test_r_8_property_date_outside_every_basis_never_allowed(bases_and_day):
    bases, on = bases_and_day
    inside = any(basis_in_force(b, on) for b in bases)
    decision = r.r_8_legal_basis(on, bases)
    assert decision.allowed == inside
    # Through the whole provision: everything else valid, dated `on` (consents and assessment a day before).
    before = datetime.combine(on - timedelta(days=1), time(12), tzinfo=UTC)
    recipient = person(screening_date=date(2009, 1, 1), screening_valid_until=date(2032, 1, 1))
    d = r.decide_provision(request(on=on), **all_inputs(legal_bases=bases, recipient=recipient,
                                                         assessment=assessment(assessed_at=before), consents=consents(at=before)))
    assert d.decision.allowed == inside


@SETTINGS
@given(dates)
@example(date(2013, 3, 14)).via("the day before the decree")
@example(date(2013, 3, 15)).via("its first day")
@example(date(2014, 12, 31)).via("its last day")
@example(date(2015, 1, 1)).via("the day after")
def test_r_8_property_2013_window_exactly(on):
    assert r.r_8_legal_basis(on, [DECREE_2013]).allowed == (date(2013, 3, 15) <= on <= date(2014, 12, 31))


# --------------------------------------------------------------------------- explicit boundary days


WINDOW = LegalBasis(id="w", name="W", citation="Stb.", valid_from=date(2020, 3, 1), valid_until=date(2020, 3, 31))
OPEN = LegalBasis(id="o", name="O", citation="Stb.", valid_from=date(2025, 3, 1))


@pytest.mark.parametrize(("basis", "on", "allowed"), [
    (WINDOW, date(2020, 2, 29), False),  # the day before the first day
    (WINDOW, date(2020, 3, 1), True),  # the first day
    (WINDOW, date(2020, 3, 31), True),  # the last day
    (WINDOW, date(2020, 4, 1), False),  # the day after the last day
    (DECREE_2013, date(2013, 3, 14), False),
    (DECREE_2013, date(2013, 3, 15), True),
    (DECREE_2013, date(2014, 12, 31), True),
    (DECREE_2013, date(2015, 1, 1), False),
    (OPEN, date(2025, 2, 28), False),
    (OPEN, date(2025, 3, 1), True),
    (OPEN, date(2099, 12, 31), True),  # an open end never closes
], ids=["window-day-before", "window-first-day", "window-last-day", "window-day-after",
        "2013-day-before", "2013-first-day", "2013-last-day", "2013-day-after",
        "open-day-before", "open-first-day", "open-far-future"])
def test_r_8_boundary_days(basis, on, allowed):
    assert r.r_8_legal_basis(on, [basis]).allowed is allowed
    recipient = person(screening_date=date(2009, 1, 1), screening_valid_until=date(2100, 1, 1))
    before = datetime.combine(on - ONE_DAY, time(12), tzinfo=UTC)
    d = r.decide_provision(request(on=on), **all_inputs(legal_bases=[basis], recipient=recipient,
                                                         assessment=assessment(assessed_at=before), consents=consents(at=before)))
    assert d.decision.allowed is allowed


@pytest.mark.parametrize(("on", "allowed"), [
    (date(2024, 5, 31), False),  # the day before the screening
    (date(2024, 6, 1), True),  # the screening day
    (date(2026, 5, 31), True),  # the last valid day
    (date(2026, 6, 1), False),  # the day after: expired
], ids=["day-before-screening", "screening-day", "last-valid-day", "day-after-expiry"])
def test_r_5_1c_boundary_days(on, allowed):
    recipient = person(screening_date=date(2024, 6, 1), screening_valid_until=date(2026, 5, 31))
    assert r.r_5_1c_screening(recipient, on).allowed is allowed
    assert r.check_recipient(recipient, partner(), [ART9, ART10], on).allowed is allowed
