"""Demo set-up of the registers: legal bases, partners and designated persons.

Idempotent: it creates what is missing and never changes what exists, so it can
run at every start. Registers the 2013 decree, the WGS as its successor from
2025-03-01 (so a case started today can proceed), and partners with designated
persons in the regions ``riec-noord``, ``riec-oost`` and ``riec-limburg`` (the
Camunda tenant ids, R-6.1) -- including one person whose screening expired, one
without a screening and one authorised for art. 9 data only, so the demo can show
each refusal of R-1 / R-5.1b / R-5.1c.

These partners are the one partner catalogue: hit/no-hit asks their registers by
these ids (riec.hit_no_hit.catalogue; demo digests in riec/hit_no_hit/demo_partners.json).
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine

from . import authorisation, legal_basis
from .models import DataCategory, DesignatedPerson, Partner

ART9, ART10 = DataCategory.ART_9, DataCategory.ART_10_1A
DEMO_ACTOR = "demo-seed"
#: Region ids are the Camunda tenant ids (R-6.1).
NOORD, OOST, LIMBURG = "riec-noord", "riec-oost", "riec-limburg"


def demo_partners() -> list[Partner]:
    return [
        Partner(id="gem-groningen", name="Gemeente Groningen", region=NOORD, kind="municipality"),
        Partner(id="gem-leeuwarden", name="Gemeente Leeuwarden", region=NOORD, kind="municipality"),
        Partner(id="bd-noord", name="Belastingdienst regio Noord", region=NOORD, kind="tax"),
        Partner(id="om-noord-nederland", name="Openbaar Ministerie arrondissement Noord-Nederland", region=NOORD, kind="om"),
        Partner(id="politie-noord-nederland", name="Politie Eenheid Noord-Nederland", region=NOORD, kind="police"),
        Partner(id="gem-enschede", name="Gemeente Enschede", region=OOST, kind="municipality"),
        Partner(id="kmar-oost", name="Koninklijke Marechaussee district Oost", region=OOST, kind="kmar"),
        Partner(id="gem-maastricht", name="Gemeente Maastricht", region=LIMBURG, kind="municipality"),
    ]


def demo_persons(today: date) -> list[DesignatedPerson]:
    def screened(years_ago: int, valid_days_left: int) -> dict:
        return {"screening_date": today - timedelta(days=365 * years_ago),
                "screening_valid_until": today + timedelta(days=valid_days_left)}

    return [
        DesignatedPerson(id="nn-groningen-analist", partner_id="gem-groningen", name="A. de Vries (demo)",
                         scopes=frozenset({ART9, ART10}), **screened(1, 730)),
        DesignatedPerson(id="nn-bd-medewerker", partner_id="bd-noord", name="B. Bakker (demo)",
                         scopes=frozenset({ART9}), **screened(1, 730)),
        DesignatedPerson(id="nn-om-officier", partner_id="om-noord-nederland", name="C. Visser (demo)",
                         scopes=frozenset({ART9, ART10}), **screened(2, 365)),
        # Refusal demos: expired screening (R-5.1c), no screening (R-5.1c), withdrawn designation.
        DesignatedPerson(id="nn-groningen-verlopen", partner_id="gem-groningen", name="D. Smit (demo, screening verlopen)",
                         scopes=frozenset({ART9, ART10}), **screened(5, -30)),
        DesignatedPerson(id="nn-leeuwarden-ongescreend", partner_id="gem-leeuwarden", name="E. Mulder (demo, geen screening)",
                         scopes=frozenset({ART9})),
        DesignatedPerson(id="nn-leeuwarden-ingetrokken", partner_id="gem-leeuwarden", name="F. de Boer (demo, ingetrokken)",
                         scopes=frozenset({ART9}), active=False, **screened(1, 365)),
        DesignatedPerson(id="on-enschede-analist", partner_id="gem-enschede", name="G. Jansen (demo)",
                         scopes=frozenset({ART9, ART10}), **screened(1, 730)),
        DesignatedPerson(id="on-kmar-rechercheur", partner_id="kmar-oost", name="H. Meijer (demo)",
                         scopes=frozenset({ART9, ART10}), **screened(1, 730)),
        DesignatedPerson(id="li-maastricht-analist", partner_id="gem-maastricht", name="I. Hendriks (demo)",
                         scopes=frozenset({ART9, ART10}), **screened(1, 730)),
        # The demo logins `partner` / `partner-limburg` (riec.identity): a designated person's id is their Camunda
        # user id, so these two open provided packages in the data vault (riec.vault; R-1, R-5.1b, R-5.1c).
        DesignatedPerson(id="partner", partner_id="gem-groningen", name="P. Partner (demo, login partner)",
                         scopes=frozenset({ART9, ART10}), **screened(1, 730)),
        DesignatedPerson(id="partner-limburg", partner_id="gem-maastricht", name="P. Partner (demo, login partner-limburg)",
                         scopes=frozenset({ART9, ART10}), **screened(1, 730)),
    ]


def seed(database: Engine, today: date) -> dict[str, int]:
    """Create the demo content that is missing; returns how many records were added per kind."""
    added = {"legal_bases": 0, "partners": 0, "persons": 0}
    legal_basis.ensure_builtin(database, actor=DEMO_ACTOR)
    if legal_basis.get_basis(database, legal_basis.WGS_2025.id) is None:
        legal_basis.add_basis(database, legal_basis.WGS_2025, actor=DEMO_ACTOR, source="demo")
        added["legal_bases"] += 1
    for p in demo_partners():
        if authorisation.get_partner(database, p.id) is None:
            authorisation.upsert_partner(database, p, actor=DEMO_ACTOR)
            added["partners"] += 1
    for person in demo_persons(today):
        if authorisation.get_person(database, person.id) is None:
            authorisation.upsert_person(database, person, actor=DEMO_ACTOR)
            added["persons"] += 1
    return added
