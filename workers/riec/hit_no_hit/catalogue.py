"""The one list of partners, as hit/no-hit sees it.

The authorisation register's ``partner`` table (region, designated persons,
authorisation; riec.compliance.authorisation) is the only catalogue of
partners. Hit/no-hit asks the register of each *active* partner in it, by its
id, and names partners by those ids, so phase 4's recipient checks (R-4.1,
R-5.1b) find the same partners. A register that knows a partner the catalogue
does not is never asked about it.
"""
from __future__ import annotations

from sqlalchemy.engine import Engine

from riec.compliance import authorisation
from riec.compliance.models import Partner
from riec.hit_no_hit.registers import PartnerRegisters


class PartnerCatalogue:
    def __init__(self, database: Engine, registers: PartnerRegisters):
        self.database = database
        self.registers = registers

    def partners(self, region: str | None = None) -> list[Partner]:
        """Active partners (of ``region`` when given: a tenant id such as riec-noord), ordered by id."""
        return sorted((p for p in authorisation.list_partners(self.database, region) if p.active), key=lambda p: p.id)

    def ids(self) -> frozenset[str]:
        return frozenset(p.id for p in self.partners())

    def knowing(self, digest: str, *, reporter: str | None = None, region: str | None = None) -> list[Partner]:
        """The partners whose register knows ``digest``, the reporter excluded (R-4.1: hit/no-hit
        asks whether *other* partners know the subject; the reporter knows it by definition).
        With ``region``, only that region's partners are asked (R-6.1: a signal is the business of
        its own RIEC and its partners; another region's partner learns nothing of it)."""
        return [p for p in self.partners(region) if p.id != reporter and self.registers.knows(p.id, digest)]
