"""Builders of valid rule inputs; each test varies one thing to make it fail."""
from __future__ import annotations

import time
from datetime import UTC, date, datetime

from riec.compliance import db
from riec.compliance import provision_register as pr
from riec.compliance.legal_basis import DECREE_2013
from riec.compliance.models import (
    CaseContext,
    CompatibleAim,
    Consent,
    ConsentRole,
    DataCategory,
    DesignatedPerson,
    NecessityAssessment,
    Partner,
    PersonCategory,
    PersonInProvision,
    Phenomenon,
    ProvisionRequest,
    Purpose,
)

ON = date(2014, 6, 2)  # inside the 2013 decree's window
AT = datetime(2014, 5, 20, 10, 0, tzinfo=UTC)
REGION = "Noord-Nederland"
ART9, ART10 = DataCategory.ART_9, DataCategory.ART_10_1A


def partner(**kw) -> Partner:
    return Partner(**({"id": "gem-groningen", "name": "Gemeente Groningen", "region": REGION, "kind": "municipality"} | kw))


def person(**kw) -> DesignatedPerson:
    return DesignatedPerson(**({
        "id": "analist-1", "partner_id": "gem-groningen", "name": "A. Analist", "scopes": frozenset({ART9, ART10}),
        "screening_date": date(2013, 1, 1), "screening_valid_until": date(2015, 12, 31)} | kw))


def case(**kw) -> CaseContext:
    return CaseContext(**({
        "case_id": "C-2014-001", "region": REGION, "partner_ids": frozenset({"gem-groningen", "bd-noord"}),
        "phenomenon": Phenomenon.HUMAN_TRAFFICKING, "hit_checked": True, "hit_found": True,
        "half_open_gathered": True, "closed_gathered": True, "oc_indications": True} | kw))


def subject(ref: str = "P-1", category: PersonCategory | None = PersonCategory.A, motivation: str = "redelijk vermoeden") -> PersonInProvision:
    return PersonInProvision(ref=ref, category=category, motivation=motivation)


def request(**kw) -> ProvisionRequest:
    return ProvisionRequest(**({
        "case": case(), "on": ON, "purpose": Purpose.CASE_ANALYSIS, "compatible_aims": frozenset({CompatibleAim.CRIME}),
        "data_categories": frozenset({ART9, ART10}), "persons": (subject("P-1"), subject("P-2", PersonCategory.C, "transactie")),
        "recipient_id": "analist-1", "providing_unit_region": REGION} | kw))


def assessment(**kw) -> NecessityAssessment:
    return NecessityAssessment(**({
        "case_id": "C-2014-001", "author": "analist-riec", "assessed_at": AT, "necessity": "nodig voor de analyse",
        "proportionality": "beperkt tot twee personen", "subsidiarity": "half open bronnen volstaan niet", "necessary": True,
        "data_categories": frozenset({ART9, ART10}), "person_refs": frozenset({"P-1", "P-2"})} | kw))


def consents(*roles: ConsentRole, given: bool = True, at: datetime = AT) -> tuple[Consent, ...]:
    roles = roles or (ConsentRole.OFFICER_2_10, ConsentRole.CASE_PROSECUTOR, ConsentRole.CIE_PROSECUTOR)
    return tuple(Consent(role=r, by=f"{r.value}-1", given=given, at=at) for r in roles)


def all_inputs(**kw) -> dict:
    """Keyword arguments of decide_provision that make a request allowed."""
    return {"recipient": person(), "recipient_partner": partner(), "legal_bases": [DECREE_2013],
            "assessment": assessment(), "consents": consents(), "acknowledged_at": AT} | kw


def append_from_process(url: str, name: str, count: int, barrier, times, pause_s: float = 0.0) -> None:  # noqa: ANN001
    """Child process of the concurrency test: connect, wait at the barrier for the other writer,
    then append ``count`` entries, pausing ``pause_s`` between them as a worker does between tasks."""
    database = db.open_database(url)
    pr.head(database)  # connected and warm before the start, so neither writer starts late
    barrier.wait(timeout=120)
    began = time.monotonic()
    for i in range(count):
        pr.append(database, pr.RegisterEntry(
            kind=pr.EntryKind.PROVISION, occurred_at=datetime.now(UTC), actor=name, case_id=f"C-{name}",
            person_refs=(f"{name}-P-{i}",), references={"n": str(i)}))
        if pause_s:
            time.sleep(pause_s)
    times.put((name, began, time.monotonic()))
    database.dispose()
