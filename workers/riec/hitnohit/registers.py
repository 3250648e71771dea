"""Partner registers behind one small interface.

A real deployment connects each partner's own lookup service; the default here
is a local SQLite file that stands in for all partners, seeded with demo data.
Either way a register is asked one thing: is this digest known to you?
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Protocol

from riec.hitnohit.matching import subject_digest
from riec.signals import Subject

DEMO_FILE = Path(__file__).with_name("demo_partners.json")


class PartnerRegister(Protocol):
    partner_id: str
    partner_name: str

    def knows(self, digest: str) -> bool: ...


@dataclass(frozen=True)
class LocalRegister:
    partner_id: str
    partner_name: str
    path: Path

    def knows(self, digest: str) -> bool:
        with closing(sqlite3.connect(self.path)) as db:
            row = db.execute("SELECT 1 FROM known_subject WHERE partner_id = ? AND digest = ?", (self.partner_id, digest)).fetchone()
        return row is not None


class LocalRegisters:
    """All partners' registers in one SQLite file (digests only, never names)."""

    def __init__(self, path: Path):
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path)
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS partner (partner_id TEXT PRIMARY KEY, partner_name TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS known_subject (
                partner_id TEXT NOT NULL REFERENCES partner(partner_id),
                digest TEXT NOT NULL,
                PRIMARY KEY (partner_id, digest)
            );
            """
        )
        return db

    def registers(self) -> list[LocalRegister]:
        with closing(self._connect()) as db:
            rows = db.execute("SELECT partner_id, partner_name FROM partner ORDER BY partner_id").fetchall()
        return [LocalRegister(pid, name, self.path) for pid, name in rows]

    def add(self, partner_id: str, partner_name: str, subjects: Iterable[Subject], key: str) -> None:
        with closing(self._connect()) as db, db:
            db.execute("INSERT OR REPLACE INTO partner VALUES (?, ?)", (partner_id, partner_name))
            db.executemany(
                "INSERT OR IGNORE INTO known_subject VALUES (?, ?)",
                [(partner_id, subject_digest(s, key)) for s in subjects],
            )

    def seed(self, key: str, source: Path = DEMO_FILE) -> int:
        """Load partners and their (fictional) subjects from JSON; names are hashed on the way in."""
        partners = json.loads(source.read_text(encoding="utf-8"))["partners"]
        for partner in partners:
            self.add(partner["id"], partner["name"], [Subject.model_validate(s) for s in partner["subjects"]], key)
        return len(partners)
