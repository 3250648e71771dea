"""Hit/no-hit stays inside the signal's region (R-6.1): only that region's partners are asked.

A signal is the business of its own RIEC and that RIEC's partners; a partner of another
region learns nothing of it, not even that it was asked. The record names the region.
"""
from __future__ import annotations

from sqlalchemy import select

from riec.compliance import authorisation, db
from riec.handlers.hit_no_hit import HitNoHitInput, HitNoHitOutcome, hit_no_hit
from riec.hit_no_hit.registers import PartnerRegisters

SUBJECT = {"subjectName": "Jan de Vries", "street": "Herestraat", "houseNumber": "12", "houseNumberSuffix": "a", "city": "Groningen"}


class CountingRegisters(PartnerRegisters):
    """The demo registers, remembering which partners were asked."""

    def __init__(self, inner: PartnerRegisters):
        self.inner, self.asked = inner, []

    def knows(self, partner_id: str, digest: str) -> bool:
        self.asked.append(partner_id)
        return self.inner.knows(partner_id, digest)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def check(app, region: str | None, task_key: str) -> HitNoHitOutcome:
    data = HitNoHitInput.model_validate({**SUBJECT, "task_key": task_key, "business_key": "BK-1", "tenant_id": region})
    return hit_no_hit(data, partners=app.partners, hit_checks=app.hit_checks, hit_key=app.hit_key)


def region_of(app) -> dict[str, str]:
    return {p.id: p.region for p in authorisation.list_partners(app.database)}


def test_r_6_1_hit_no_hit_asks_only_the_partners_of_the_signals_region(seeded_app):
    # Positive control: Jan de Vries is known at two riec-noord partners.
    assert check(seeded_app, "riec-noord", "pi-1/ai-1").hit_partners == ["bd-noord", "gem-groningen"]
    # The same subject known to a Limburg partner too: a riec-noord signal does not reach it ...
    seeded_app.partner_registers.add("gem-maastricht", [HitNoHitInput.model_validate({**SUBJECT, "task_key": "x"})], seeded_app.hit_key)
    counting = CountingRegisters(seeded_app.partners.registers)
    seeded_app.partners.registers = counting
    assert check(seeded_app, "riec-noord", "pi-2/ai-1").hit_partners == ["bd-noord", "gem-groningen"]
    regions = region_of(seeded_app)
    assert counting.asked and {regions[p] for p in counting.asked} == {"riec-noord"}, "no partner of another region is even asked"
    # ... and a riec-limburg signal reaches only it.
    counting.asked.clear()
    assert check(seeded_app, "riec-limburg", "pi-3/ai-1").hit_partners == ["gem-maastricht"]
    assert {regions[p] for p in counting.asked} == {"riec-limburg"}


def test_r_6_1_the_hit_check_record_names_the_region(seeded_app):
    check(seeded_app, "riec-limburg", "pi-4/ai-1")
    with seeded_app.database.connect() as conn:
        region = conn.execute(select(db.hit_check.c.region).where(db.hit_check.c.task_key == "pi-4/ai-1")).scalar_one()
    assert region == "riec-limburg"
