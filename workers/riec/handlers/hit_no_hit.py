"""Topic ``hit-no-hit``: which *other* partners know the subject? Rule: R-4.1 (phase 2 before any gathering)."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from riec.handlers import registry
from riec.hit_no_hit.catalogue import PartnerCatalogue
from riec.hit_no_hit.checks import HitChecks
from riec.hit_no_hit.matching import subject_digest
from riec.signals import Subject


class HitNoHitInput(Subject):
    reporting_partner: str | None = None
    task_key: str
    business_key: str | None = None
    #: The signal's region (the task's tenant, R-6.1); the engine gives every instance one.
    tenant_id: str | None = None


class HitNoHitOutcome(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    hit: bool
    hit_partners: list[str]
    hit_partners_text: str
    outcome: str


@registry.topic("hit-no-hit")
def hit_no_hit(subject: HitNoHitInput, *, partners: PartnerCatalogue, hit_checks: HitChecks, hit_key: str) -> HitNoHitOutcome:
    """Reads the subject's name and address and the reporting partner. Sets ``hit``,
    ``hitPartners`` (partner ids of the catalogue), ``hitPartnersText`` (names, for
    the analyst) and ``outcome`` (``hit`` or ``geen_hit``). R-4.1: the reporting
    partner is never counted as a hit on its own signal; it is recorded as the
    reporter. R-6.1: only the partners of the signal's region are asked, and the
    record names the region. Only a digest leaves this function; only partner ids are kept."""
    digest = subject_digest(subject, hit_key)
    known = partners.knowing(digest, reporter=subject.reporting_partner, region=subject.tenant_id)
    names = {p.id: p.name for p in partners.partners()}
    found, _ = hit_checks.record_once(subject.task_key, subject.business_key, [p.id for p in known],
                                      dt.datetime.now(dt.timezone.utc), reporting_partner=subject.reporting_partner,
                                      region=subject.tenant_id)
    return HitNoHitOutcome(
        hit=bool(found),
        hit_partners=found,
        hit_partners_text=", ".join(names.get(p, p) for p in found) or "geen",
        outcome="hit" if found else "geen_hit",
    )
