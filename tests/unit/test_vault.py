"""The data vault without an engine: file checks, who may upload and open, what is recorded, shredding.

The engine is a fake (requests waiting for their package); the registers are a
real migrated SQLite database. Rules: R-1, R-4.1, R-4.1-refuse, R-5.1b, R-5.1c,
R-5.1d, R-6.1, R-7.1.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from riec.compliance import authorisation, db, demo
from riec.compliance.models import DataCategory, DesignatedPerson
from riec.compliance.provision_register import EntryKind, RegisterEntry, append, iter_entries, verify_chain
from riec.vault.service import Vault, VaultRefusal, VaultUser
from riec.vault.tables import vault_package

TODAY = dt.date(2026, 11, 29)
POLICE = VaultUser("politie", frozenset({"police-unit"}), frozenset({"riec-noord"}))
PARTNER = VaultUser("partner", frozenset({"riec-partner"}), frozenset({"riec-noord"}))
LIMBURG = VaultUser("partner-limburg", frozenset({"riec-partner"}), frozenset({"riec-limburg"}))


class FakeRequests:
    def __init__(self) -> None:
        self.waiting: dict[str, tuple[str, str]] = {}  # process instance -> (case key, region)
        self.delivered: list[tuple[str, str]] = []

    def awaiting(self, region: str) -> list[tuple[str, str]]:
        return [(key, pid) for pid, (key, r) in self.waiting.items() if r == region]

    def deliver(self, process_instance_id: str, case_key: str, region: str, package_ref: str) -> None:
        self.waiting.pop(process_instance_id)
        self.delivered.append((process_instance_id, package_ref))


@pytest.fixture
def database(tmp_path):
    database = db.open_database(f"sqlite:///{tmp_path / 'riec.sqlite'}")
    db.migrate(database)
    demo.seed(database, TODAY)
    yield database
    database.dispose()


@pytest.fixture
def engine_requests():
    return FakeRequests()


@pytest.fixture
def vault(database, engine_requests):
    return Vault(database, engine_requests, max_bytes=1000, today=lambda: TODAY)


def provided(vault: Vault, database, engine_requests, key: str = "SIG-1", content: bytes = b"inhoud") -> str:
    engine_requests.waiting[f"pi-{key}"] = (key, "riec-noord")
    package = vault.upload(POLICE, key, "pakket.txt", content)
    with db.write_transaction(database) as conn:
        vault.link(conn, package, partner_ids=["gem-groningen", "bd-noord"], recipient_ids=["partner"],
                   data_categories=["art9"], person_refs=["P-1"], legal_basis_id="wgs-2025",
                   at=dt.datetime.now(dt.timezone.utc))
    return package


@pytest.mark.parametrize(("name", "content", "words", "status"), [
    ("leeg.txt", b"", "leeg", 400),
    ("groot.txt", b"x" * 1001, "te groot", 413),
    ("pakket.exe", b"MZ", "bestandstype", 415),
    ("pakket.pdf", b"geen pdf", "geen PDF", 415),
    ("pakket.txt", b"\xff\xfe\x00", "UTF-8", 415),
    ("pakket.json", b"{kapot", "JSON", 415),
])
def test_bad_file_is_refused_in_dutch_and_changes_nothing(vault, database, engine_requests, name, content, words, status):
    engine_requests.waiting["pi-1"] = ("SIG-1", "riec-noord")
    with pytest.raises(VaultRefusal) as refused:
        vault.upload(POLICE, "SIG-1", name, content)
    assert words in refused.value.message_nl and refused.value.status == status
    assert engine_requests.delivered == [] and list(iter_entries(database, case_id="SIG-1")) == []


def test_upload_stores_ciphertext_only_and_tells_the_process(vault, database, engine_requests):
    engine_requests.waiting["pi-1"] = ("SIG-1", "riec-noord")
    package = vault.upload(POLICE, "SIG-1", "Dossier Jan de Vries.txt", b"GEHEIME INHOUD")
    assert engine_requests.delivered == [("pi-1", package)]
    with database.connect() as conn:
        row = conn.execute(select(vault_package)).one()
    assert b"GEHEIME INHOUD" not in row.ciphertext and b"Jan de Vries" not in row.name_ciphertext
    [entry] = [e.entry for e in iter_entries(database, case_id="SIG-1")]
    assert entry.kind is EntryKind.PACKAGE_UPLOADED and entry.references["package"] == package


def test_r_4_1_refuse_no_upload_for_an_unknown_refused_or_already_provided_request(vault, database, engine_requests):
    with pytest.raises(VaultRefusal) as unknown:
        vault.upload(POLICE, "SIG-ONBEKEND", "p.txt", b"x")
    assert unknown.value.status == 404
    append(database, RegisterEntry(kind=EntryKind.REFUSAL, occurred_at=dt.datetime.now(dt.timezone.utc), actor="police-unit",
                                   case_id="SIG-2", region="riec-noord", outcome="refused", rule_ids=("R-4.1-refuse",)))
    with pytest.raises(VaultRefusal) as refused:
        vault.upload(POLICE, "SIG-2", "p.txt", b"x")
    assert refused.value.status == 409 and "geweigerd" in refused.value.message_nl
    provided(vault, database, engine_requests, "SIG-3")
    with pytest.raises(VaultRefusal) as again:
        vault.upload(POLICE, "SIG-3", "p.txt", b"x")
    assert again.value.status == 409 and "al een verstrekkingspakket" in again.value.message_nl


def test_r_6_1_only_the_police_unit_of_the_region_uploads(vault, engine_requests):
    engine_requests.waiting["pi-1"] = ("SIG-1", "riec-noord")
    with pytest.raises(VaultRefusal):
        vault.upload(PARTNER, "SIG-1", "p.txt", b"x")
    other = VaultUser("politie-limburg", frozenset({"police-unit"}), frozenset({"riec-limburg"}))
    with pytest.raises(VaultRefusal) as refused:
        vault.upload(other, "SIG-1", "p.txt", b"x")
    assert refused.value.status == 404 and vault.awaiting(other) == []


def test_r_5_1d_open_only_after_acknowledgement(vault, database, engine_requests):
    package = provided(vault, database, engine_requests, content=b"GEHEIM")
    with pytest.raises(VaultRefusal) as before:
        vault.open(PARTNER, package)
    assert "geheimhoudingsplicht" in before.value.message_nl
    vault.acknowledge(PARTNER, package)
    vault.acknowledge(PARTNER, package)  # once is enough; twice records nothing new
    assert vault.open(PARTNER, package).content == b"GEHEIM"
    kinds = [e.entry.kind for e in iter_entries(database, case_id="SIG-1")]
    assert kinds.count(EntryKind.CONFIDENTIALITY_ACKNOWLEDGED) == 1
    assert EntryKind.PACKAGE_OPENED in kinds and EntryKind.PACKAGE_REFUSED in kinds
    assert verify_chain(database).ok


def test_r_5_1c_screening_expired_yesterday_is_refused_at_that_moment(vault, database, engine_requests):
    package = provided(vault, database, engine_requests)
    vault.acknowledge(PARTNER, package)
    person = authorisation.get_person(database, "partner")
    authorisation.upsert_person(database, person.model_copy(update={"screening_valid_until": TODAY - dt.timedelta(days=1)}), actor="test")
    with pytest.raises(VaultRefusal) as refused:
        vault.open(PARTNER, package)
    assert refused.value.status == 403 and "verlopen" in refused.value.message_nl and "R-5.1c" in refused.value.rule_ids


def test_r_4_1_r_5_1b_partner_not_in_case_or_outside_scope_is_refused(vault, database, engine_requests):
    package = provided(vault, database, engine_requests)
    authorisation.upsert_person(database, DesignatedPerson(
        id="buiten", partner_id="gem-leeuwarden", name="Buiten (demo)", scopes=frozenset({DataCategory.ART_9}),
        screening_date=TODAY - dt.timedelta(days=10), screening_valid_until=TODAY + dt.timedelta(days=10)), actor="test")
    with pytest.raises(VaultRefusal) as outside:
        vault.acknowledge(VaultUser("buiten", frozenset({"riec-partner"}), frozenset({"riec-noord"})), package)
    assert "niet betrokken" in outside.value.message_nl and "R-4.1" in outside.value.rule_ids
    authorisation.upsert_person(database, DesignatedPerson(
        id="alleen-cie", partner_id="gem-groningen", name="CIE (demo)", scopes=frozenset({DataCategory.ART_10_1A}),
        screening_date=TODAY - dt.timedelta(days=10), screening_valid_until=TODAY + dt.timedelta(days=10)), actor="test")
    with pytest.raises(VaultRefusal) as scope:
        vault.acknowledge(VaultUser("alleen-cie", frozenset({"riec-partner"}), frozenset({"riec-noord"})), package)
    assert "R-5.1b" in scope.value.rule_ids


def test_r_6_1_another_region_sees_nothing(vault, database, engine_requests):
    package = provided(vault, database, engine_requests)
    assert vault.packages(LIMBURG) == [] and [p.id for p in vault.packages(PARTNER)] == [package]
    with pytest.raises(VaultRefusal) as refused:
        vault.open(LIMBURG, package)
    assert refused.value.status == 404 and "SIG-1" not in refused.value.message_nl


def test_r_7_1_shredding_the_key_makes_the_package_unreadable(vault, database, engine_requests):
    package = provided(vault, database, engine_requests)
    vault.acknowledge(PARTNER, package)
    assert vault.shred(package) and not vault.shred(package)
    with pytest.raises(VaultRefusal) as gone:
        vault.open(PARTNER, package)
    assert gone.value.status == 410
