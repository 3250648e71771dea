"""Tier 1: the partner registers (digests only) and the idempotent record of hit/no-hit checks."""
from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing

import pytest
from sqlalchemy.exc import NoResultFound

from riec.compliance import db
from riec.hit_no_hit.checks import HitChecks
from riec.hit_no_hit.matching import subject_digest
from riec.hit_no_hit.registers import LocalRegisters
from riec.signals import Subject

KEY = "test-hit-key"
JAN = Subject(subject_name="Jan de Vries", street="Herestraat", house_number="12", house_number_suffix="A", city="Groningen")
HOLDING = Subject(subject_name="Holding Noorderzon B.V.", street="Oude Ebbingestraat", house_number="3", city="Groningen")
NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def registers(tmp_path) -> LocalRegisters:
    store = LocalRegisters(tmp_path / "registers" / "partners.sqlite")
    store.seed(KEY)
    return store


PARTNERS = ["bd-noord", "gem-groningen", "gem-maastricht", "kmar-oost", "politie-noord-nederland"]


def known_at(store: LocalRegisters, subject: Subject, key: str = KEY) -> list[str]:
    digest = subject_digest(subject, key)
    return [p for p in PARTNERS if store.knows(p, digest)]


def all_bytes(folder) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


# --------------------------------------------------------------------------- registers


def test_seed_loads_the_demo_partners(tmp_path):
    store = LocalRegisters(tmp_path / "new" / "partners.sqlite")  # folder does not exist yet
    assert store.seed(KEY) == 5
    # Partners without known subjects (kmar-oost) have nothing stored; names live in the catalogue.
    assert store.partner_ids() == ["bd-noord", "gem-groningen", "gem-maastricht", "politie-noord-nederland"]


def test_seeded_subjects_are_known_at_their_partners_only(registers):
    assert known_at(registers, JAN) == ["bd-noord", "gem-groningen"]
    assert known_at(registers, HOLDING) == ["gem-groningen", "politie-noord-nederland"]


def test_an_unknown_subject_is_known_nowhere(registers):
    stranger = Subject(subject_name="Piet Jansen", street="Vismarkt", house_number="1", city="Groningen")
    assert known_at(registers, stranger) == []


def test_registers_seeded_under_another_key_know_nothing(registers):
    assert known_at(registers, JAN, key="another-key") == []


def test_registers_store_digests_never_names_or_addresses(registers, tmp_path):
    stored = all_bytes(tmp_path / "registers")
    assert subject_digest(JAN, KEY).encode() in stored  # positive control: the content is really read
    for secret in ("Jan de Vries", "jan de vries", "Vries", "Herestraat", "herestraat", "Noorderzon", "noorderzon", "Ebbingestraat"):
        assert secret.encode() not in stored, secret
        assert secret.encode("utf-16-le") not in stored, secret


def test_adding_the_same_subject_twice_keeps_one_row(tmp_path):
    store = LocalRegisters(tmp_path / "partners.sqlite")
    store.add("kmar-oost", [JAN], KEY)
    store.add("kmar-oost", [JAN, JAN], KEY)
    with closing(sqlite3.connect(tmp_path / "partners.sqlite")) as conn:
        assert conn.execute("SELECT count(*) FROM known_subject").fetchone() == (1,)
    assert store.partner_ids() == ["kmar-oost"]


def test_reseeding_is_harmless(registers):
    registers.seed(KEY)
    assert known_at(registers, JAN) == ["bd-noord", "gem-groningen"]
    assert len(registers.partner_ids()) == 4


# --------------------------------------------------------------------------- the record of checks


def migrated(url: str):
    database = db.open_database(url)
    db.migrate(database)
    return database


@pytest.fixture
def checks(tmp_path) -> HitChecks:
    yield HitChecks(migrated(f"sqlite:///{tmp_path / 'riec.sqlite'}"))
    db.close_databases()


def test_record_once_stores_the_first_outcome(checks):
    assert checks.record_once("pi-1/ai-1", "BK-1", ["gemeente-groningen"], NOW) == (["gemeente-groningen"], True)
    assert checks.get("pi-1/ai-1") == ["gemeente-groningen"]
    assert checks.count("pi-1/ai-1") == 1


def test_record_once_is_idempotent_on_the_task_key(checks):
    checks.record_once("pi-1/ai-1", "BK-1", ["gemeente-groningen", "belastingdienst"], NOW)
    # Redelivery of the same task after the registers changed: the first answer stands.
    again = checks.record_once("pi-1/ai-1", "BK-1", ["kmar"], NOW + dt.timedelta(minutes=5))
    assert again == (["gemeente-groningen", "belastingdienst"], False)
    assert checks.count("pi-1/ai-1") == 1


def test_an_empty_outcome_is_stored_and_kept(checks):
    assert checks.record_once("pi-1/ai-1", None, [], NOW) == ([], True)
    assert checks.record_once("pi-1/ai-1", None, ["kmar"], NOW) == ([], False)


def test_another_task_key_is_a_new_check(checks):
    checks.record_once("pi-1/ai-1", "BK-1", [], NOW)
    assert checks.record_once("pi-1/ai-2", "BK-1", ["kmar"], NOW) == (["kmar"], True)
    assert checks.get("pi-1/ai-1") == [] and checks.get("pi-1/ai-2") == ["kmar"]


def test_record_survives_a_new_process(tmp_path):
    url = f"sqlite:///{tmp_path / 'riec.sqlite'}"
    HitChecks(migrated(url)).record_once("pi-1/ai-1", "BK-1", ["kmar"], NOW)
    db.close_databases()
    assert HitChecks(migrated(url)).record_once("pi-1/ai-1", "BK-1", [], NOW) == (["kmar"], False)
    db.close_databases()


def test_r_4_1_the_reporter_is_recorded_with_the_check(checks):
    checks.record_once("pi-1/ai-1", "BK-1", ["bd-noord"], NOW, reporting_partner="gem-groningen")
    assert checks.reporter("pi-1/ai-1") == "gem-groningen"
    checks.record_once("pi-2/ai-1", "BK-2", [], NOW)
    assert checks.reporter("pi-2/ai-1") is None


def test_get_of_an_unknown_task_raises(checks):
    with pytest.raises(NoResultFound):
        checks.get("never-checked")
    assert checks.count("never-checked") == 0
