"""Partner registers behind one small interface: does partner P know this digest?

A real deployment connects each partner's own lookup service (one adapter
routing by partner id); the default here is a local SQLite file that stands in
for all partners, seeded with demo data. Which partners exist, and their names
and regions, is not kept here: that is the authorisation register's partner
table, read through :class:`riec.hit_no_hit.catalogue.PartnerCatalogue`.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path
from typing import Protocol

from riec.hit_no_hit.matching import subject_digest
from riec.signals import Subject

DEMO_FILE = Path(__file__).with_name("demo_partners.json")


class PartnerRegisters(Protocol):
    def knows(self, partner_id: str, digest: str) -> bool:
        """Whether the partner's register holds ``digest``; the only question a partner is ever asked."""
        ...


class LocalRegisters:
    """All partners' registers in one SQLite file: (partner id, digest) pairs, never names."""

    def __init__(self, path: Path):
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path)
        db.execute(
            "CREATE TABLE IF NOT EXISTS known_subject (partner_id TEXT NOT NULL, digest TEXT NOT NULL, PRIMARY KEY (partner_id, digest))"
        )
        return db

    def knows(self, partner_id: str, digest: str) -> bool:
        with closing(self._connect()) as db:
            row = db.execute("SELECT 1 FROM known_subject WHERE partner_id = ? AND digest = ?", (partner_id, digest)).fetchone()
        return row is not None

    def partner_ids(self) -> list[str]:
        """Partners with at least one known subject (a check of the seed, not the catalogue)."""
        with closing(self._connect()) as db:
            return [pid for (pid,) in db.execute("SELECT DISTINCT partner_id FROM known_subject ORDER BY partner_id")]

    def add(self, partner_id: str, subjects: Iterable[Subject], key: str) -> None:
        with closing(self._connect()) as db, db:
            db.executemany(
                "INSERT OR IGNORE INTO known_subject VALUES (?, ?)",
                [(partner_id, subject_digest(s, key)) for s in subjects],
            )

    def seed(self, key: str, source: Path = DEMO_FILE) -> int:
        """Load the partners' (fictional) subjects from JSON; names are hashed on the way in.

        Partner ids are the authorisation register's (riec.compliance.demo seeds those partners)."""
        partners = json.loads(source.read_text(encoding="utf-8"))["partners"]
        for partner in partners:
            self.add(partner["id"], [Subject.model_validate(s) for s in partner["subjects"]], key)
        return len(partners)
