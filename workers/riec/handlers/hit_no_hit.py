"""Topic ``hit-no-hit``: which partners know the subject? Rule: R-4.1 (phase 2 before any gathering)."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from riec.handlers import registry, services
from riec.hitnohit.matching import subject_digest
from riec.settings import get_settings
from riec.signals import Subject


class HitNoHitInput(Subject):
    task_key: str
    business_key: str | None = None


class HitNoHitOutcome(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    hit: bool
    hit_partners: list[str]
    hit_partners_text: str
    outcome: str


@registry.topic("hit-no-hit")
def hit_no_hit(subject: HitNoHitInput) -> HitNoHitOutcome:
    """Reads the subject's name and address. Sets ``hit``, ``hitPartners`` (partner
    ids), ``hitPartnersText`` (names, for the analyst) and ``outcome`` (``hit`` or
    ``geen_hit``). Only a digest leaves this function; only partner ids are kept."""
    digest = subject_digest(subject, get_settings().hit_key)
    registers = services.partner_registers().registers()
    names = {r.partner_id: r.partner_name for r in registers}
    found = [r.partner_id for r in registers if r.knows(digest)]
    partners, _ = services.hit_checks().record_once(subject.task_key, subject.business_key, found, dt.datetime.now(dt.timezone.utc))
    return HitNoHitOutcome(
        hit=bool(partners),
        hit_partners=partners,
        hit_partners_text=", ".join(names.get(p, p) for p in partners) or "geen",
        outcome="hit" if partners else "geen_hit",
    )
