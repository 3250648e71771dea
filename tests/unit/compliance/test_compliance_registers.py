"""Registers on a real database: SQLite always, PostgreSQL when RIEC_TEST_POSTGRES_URL is set."""
from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta

import pytest

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from pydantic import ValidationError
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError

from compliance_factories import ART9, ART10, AT, ON, REGION, assessment, partner, person
from riec.compliance import authorisation, db, legal_basis, necessity
from riec.compliance import provision_register as pr
from riec.compliance.decisions import Decision
from riec.compliance.legal_basis import DECREE_2013, WGS_2025
from riec.compliance.registers import init_registers
from riec.app import App


def entry(**kw) -> pr.RegisterEntry:
    return pr.RegisterEntry(**({"kind": pr.EntryKind.PROVISION, "occurred_at": AT, "actor": "worker-1",
                                "case_id": "C-2014-001", "recipient_id": "analist-1", "data_categories": (ART9,),
                                "person_refs": ("P-1",), "legal_basis_id": DECREE_2013.id} | kw))


def kinds(database) -> list[str]:
    return [e.entry.kind.value for e in pr.iter_entries(database)]


# --------------------------------------------------------------------------- schema


@pytest.mark.skipif(not os.environ.get("RIEC_TEST_POSTGRES_URL"),
                    reason="storage tests ran on SQLite only; set RIEC_TEST_POSTGRES_URL "
                           "(e.g. postgresql+psycopg://user:pw@localhost/riec_test) to run them on PostgreSQL too")
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_storage_tests_also_run_on_postgresql(database):
    # Configured: the register fixture really gives a migrated PostgreSQL database, in its own schema.
    assert db.is_postgresql(database)
    assert db.current_revision(database) == db.head_revision()
    with database.connect() as conn:
        assert conn.execute(text("SELECT current_schema()")).scalar_one().startswith("riec_test_")
    pr.append(database, entry())
    assert pr.verify_chain(database).checked == 1


def test_migration_creates_the_schema_the_code_expects(database):
    assert db.current_revision(database) == db.head_revision()
    with database.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diffs == []


def test_migration_is_idempotent_and_reversible(database):
    db.migrate(database)  # again: nothing to do
    pr.append(database, entry())
    with db.write_transaction(database) as conn:
        from alembic import command
        command.downgrade(db._alembic_config(conn), "base")
    assert "register_entry" not in inspect(database).get_table_names()
    db.migrate(database)
    assert pr.verify_chain(database).checked == 0


# --------------------------------------------------------------------------- legal-basis register


def test_r_8_register_ships_2013_decree_and_refuses_outside_its_window(database):
    legal_basis.ensure_builtin(database)
    legal_basis.ensure_builtin(database)  # idempotent
    assert legal_basis.list_bases(database) == [DECREE_2013]
    assert legal_basis.decide(database, ON).legal_basis_id == DECREE_2013.id
    assert legal_basis.decide(database, date(2013, 3, 14)).refused
    assert legal_basis.decide(database, date(2015, 1, 1)).refused
    assert kinds(database) == ["legal_basis_changed"]


def test_r_8_successor_registered_without_code_from_toml(database, tmp_path):
    legal_basis.ensure_builtin(database)
    f = tmp_path / "bases.toml"
    f.write_text('[[legal_basis]]\nid = "wgs-2025"\nname = "Wet gegevensverwerking door samenwerkingsverbanden"\n'
                 'citation = "Stb. 2024, 198"\nvalid_from = 2025-03-01\n', encoding="utf-8")
    assert legal_basis.load_file(database, f, actor="operator") == {"wgs-2025": "added"}
    assert legal_basis.load_file(database, f, actor="operator") == {"wgs-2025": "unchanged"}
    d = legal_basis.decide(database, date(2026, 1, 5))
    assert d.allowed and d.legal_basis_id == "wgs-2025"
    assert legal_basis.decide(database, date(2020, 1, 1)).refused
    changes = [e.entry for e in pr.iter_entries(database) if e.entry.kind is pr.EntryKind.LEGAL_BASIS_CHANGED]
    assert [c.legal_basis_id for c in changes] == [DECREE_2013.id, "wgs-2025"]
    assert changes[-1].references["valid_from"] == "2025-03-01" and changes[-1].actor == "operator"


def test_r_8_successor_from_json_and_env(database, tmp_path, monkeypatch):
    f = tmp_path / "bases.json"
    f.write_text(json.dumps({"legal_basis": [WGS_2025.model_dump(mode="json")]}), encoding="utf-8")
    monkeypatch.setenv("RIEC_LEGAL_BASES_FILE", str(f))
    configured = App.from_environment().settings.legal_bases_file
    assert configured == f
    init_registers(database, configured)
    assert legal_basis.get_basis(database, "wgs-2025") == WGS_2025
    assert legal_basis.load_configured(database, None) == {}


def test_r_8_bad_file_registers_nothing(database, tmp_path):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps([WGS_2025.model_dump(mode="json"), {"id": "x", "name": "x", "citation": "x",
                                                                 "valid_from": "2025-01-02", "valid_until": "2025-01-01"}]))
    with pytest.raises(ValidationError):
        legal_basis.load_file(database, f, actor="operator")
    assert legal_basis.list_bases(database) == []


def test_r_8_changing_a_basis_needs_replace(database):
    legal_basis.add_basis(database, WGS_2025, actor="op")
    changed = WGS_2025.model_copy(update={"valid_until": date(2030, 12, 31)})
    with pytest.raises(legal_basis.LegalBasisConflict):
        legal_basis.add_basis(database, changed, actor="op")
    assert legal_basis.add_basis(database, changed, actor="op", replace=True) == "updated"
    assert legal_basis.decide(database, date(2031, 1, 1)).refused


# --------------------------------------------------------------------------- authorisation register


@pytest.fixture
def authorised(database):
    authorisation.upsert_partner(database, partner(), actor="privacy-officer")
    authorisation.upsert_person(database, person(), actor="privacy-officer")
    return database


def test_r_1_r_5_1b_r_5_1c_register_check_allows_authorised_person(authorised):
    d = authorisation.check(authorised, "analist-1", [ART9, ART10], ON)
    assert d.allowed and set(d.rule_ids) == {"R-1", "R-5.1b", "R-5.1c"}


def test_r_1_register_check_unknown_person_refused(authorised):
    assert "R-1:not_designated" in authorisation.check(authorised, "nobody", [ART9], ON).codes


def test_r_1_register_check_withdrawn_person_refused(authorised):
    assert authorisation.withdraw_person(authorised, "analist-1", actor="privacy-officer")
    assert "R-1:not_designated" in authorisation.check(authorised, "analist-1", [ART9], ON).codes


def test_r_1_register_check_partner_left_the_riec_refused(authorised):
    authorisation.upsert_partner(authorised, partner(active=False), actor="privacy-officer")
    assert "R-1:partner_not_participating" in authorisation.check(authorised, "analist-1", [ART9], ON).codes


def test_r_5_1b_register_check_outside_scope_refused(authorised):
    authorisation.upsert_person(authorised, person(scopes=frozenset({ART9})), actor="privacy-officer")
    assert authorisation.check(authorised, "analist-1", [ART10], ON).codes == ("R-5.1b:outside_scope:art10_1a",)


def test_r_5_1c_register_check_expired_screening_refused(authorised):
    assert authorisation.check(authorised, "analist-1", [ART9], date(2016, 1, 1)).codes == ("R-5.1c:screening_expired",)


def test_r_5_1c_register_check_missing_screening_refused(authorised):
    authorisation.upsert_person(authorised, person(screening_date=None, screening_valid_until=None), actor="po")
    assert authorisation.check(authorised, "analist-1", [ART9], ON).codes == ("R-5.1c:screening_missing",)


def test_authorisation_changes_are_recorded_and_idempotent(authorised):
    assert authorisation.upsert_person(authorised, person(), actor="po") == "unchanged"
    refs = [e.entry.references for e in pr.iter_entries(authorised)]
    assert [r["change"] for r in refs] == ["partner_added", "person_added"]
    assert refs[1]["scopes"] == "art10_1a/art9" and refs[1]["screening_valid_until"] == "2015-12-31"
    assert [p.id for p in authorisation.list_persons(authorised, region=REGION)] == ["analist-1"]
    assert authorisation.list_persons(authorised, region="Oost-Nederland") == []


def test_person_needs_a_known_partner(database):
    with pytest.raises(authorisation.UnknownPartner):
        authorisation.upsert_person(database, person(), actor="po")


# --------------------------------------------------------------------------- necessity assessment (R-5.1a)


def test_r_5_1a_assessment_stored_required_and_registered(database):
    assert necessity.decide(database, "C-2014-001", [ART9], ["P-1"], ON).needs_step
    stored = necessity.record(database, assessment())
    assert stored.id and necessity.latest(database, "C-2014-001") == stored
    assert necessity.decide(database, "C-2014-001", [ART9, ART10], ["P-1", "P-2"], ON).allowed
    [e] = list(pr.iter_entries(database))
    assert e.entry.kind is pr.EntryKind.NECESSITY_ASSESSMENT and e.entry.assessment_id == stored.id
    assert "beperkt tot twee personen" not in e.model_dump_json()  # the register keeps references, not the text


def test_r_5_1a_latest_assessment_counts(database):
    necessity.record(database, assessment())
    necessity.record(database, assessment(assessed_at=AT + timedelta(days=1), necessary=False))
    assert necessity.decide(database, "C-2014-001", [ART9], ["P-1"], ON).refused


def test_r_7_1_destroying_assessments_leaves_the_register(database):
    necessity.record(database, assessment())
    pr.append(database, entry())
    assert necessity.destroy_for_case(database, "C-2014-001", actor="sweeper", occurred_at=AT + timedelta(days=60)) == 1
    assert necessity.latest(database, "C-2014-001") is None
    assert kinds(database) == ["necessity_assessment", "provision", "destruction"]
    assert pr.export_person(database, "P-1")["count"] == 2
    assert pr.verify_chain(database).ok


# --------------------------------------------------------------------------- provision register


def test_register_chain_links_every_entry(database):
    stored = [pr.append(database, entry(person_refs=(f"P-{i}",))) for i in range(5)]
    assert [s.seq for s in stored] == [1, 2, 3, 4, 5]
    assert stored[0].prev_hash == pr.GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(stored, stored[1:]))
    result = pr.verify_chain(database, batch=2)  # batches must not break the walk
    assert result.ok and result.checked == 5 and result.head_hash == stored[-1].hash
    assert pr.head(database) == (5, stored[-1].hash)


def test_register_idempotency_key_writes_once(database):
    a = pr.append(database, entry(), idempotency_key="biz-1:provide")
    b = pr.append(database, entry(actor="worker-2"), idempotency_key="biz-1:provide")
    assert a.entry_id == b.entry_id and pr.verify_chain(database).checked == 1


def test_register_records_a_decision(database):
    d = Decision.refuse("R-5.1c", "verlopen", "expired", codes=("R-5.1c:screening_expired",))
    s = pr.record_decision(database, pr.EntryKind.REFUSAL, d, occurred_at=AT, actor="worker-1", case_id="C-1",
                           recipient_id="analist-1", person_refs=("P-1",))
    assert s.entry.outcome == "refused" and s.entry.rule_ids == ("R-5.1c",) and s.entry.reason_codes == d.codes


@pytest.mark.parametrize("bad", [
    {"person_refs": ("Jan Jansen, geb. 01-01-1970",)},
    {"case_id": "vermoedelijk drugslab in schuur"},
    {"references": {"note": "informant zegt dat ..."}},
    {"occurred_at": datetime(2014, 6, 1)},
    {"extra": "x"},
])
def test_register_entries_cannot_carry_content(bad):
    with pytest.raises(ValidationError):
        entry(**bad)


def test_r_5_2_export_person_returns_all_and_only_their_entries(database):
    pr.append(database, entry(person_refs=("P-1", "P-2")))
    pr.append(database, entry(person_refs=("P-2",)))
    pr.append(database, entry(kind=pr.EntryKind.REFUSAL, person_refs=("P-1",)))
    pr.append(database, entry(kind=pr.EntryKind.DESTRUCTION, person_refs=()))
    export = pr.export_person(database, "P-1", exported_at=AT)
    assert export["count"] == 2 and [e["seq"] for e in export["entries"]] == [1, 3]
    assert export["entries"][1]["kind"] == "refusal" and export["rule_ids"] == ["R-5.2"]
    json.dumps(export)  # hand-over format
    assert pr.export_person(database, "P-404")["count"] == 0


def test_register_is_append_only_in_the_database(database):
    pr.append(database, entry())
    for statement in ("UPDATE register_entry SET kind = 'refusal'", "DELETE FROM register_entry",
                      "DELETE FROM register_person"):
        with pytest.raises(DBAPIError):
            with database.begin() as conn:
                conn.execute(text(statement))
    assert pr.verify_chain(database).ok


def _disable_guards(conn) -> None:
    if db.is_sqlite(conn):
        for trig in ("register_entry_no_update", "register_entry_no_delete", "register_person_no_update",
                     "register_person_no_delete"):
            conn.execute(text(f"DROP TRIGGER {trig}"))
    else:
        conn.execute(text("ALTER TABLE register_entry DISABLE TRIGGER USER"))
        conn.execute(text("ALTER TABLE register_person DISABLE TRIGGER USER"))


@pytest.fixture
def filled(database):
    stored = [pr.append(database, entry(person_refs=(f"P-{i}",), case_id=f"C-{i}")) for i in range(1, 11)]
    with database.begin() as conn:
        _disable_guards(conn)
    return database, stored


def test_tamper_edited_entry_is_found_exactly(filled):
    database, stored = filled
    victim = stored[6]
    with database.begin() as conn:
        payload = conn.execute(select(db.register_entry.c.payload).where(db.register_entry.c.seq == victim.seq)).scalar_one()
        conn.execute(db.register_entry.update().where(db.register_entry.c.seq == victim.seq)
                     .values(payload=payload.replace('"provision"', '"refusal"')))
    result = pr.verify_chain(database)
    assert not result.ok
    assert (result.broken_seq, result.broken_entry_id) == (victim.seq, victim.entry_id)
    assert result.checked == victim.seq - 1 and "edited" in result.problem


def test_tamper_deleted_entry_is_found_at_the_gap(filled):
    database, stored = filled
    with database.begin() as conn:
        conn.execute(db.register_person.delete().where(db.register_person.c.seq == 4))
        conn.execute(db.register_entry.delete().where(db.register_entry.c.seq == 4))
    result = pr.verify_chain(database)
    assert result.broken_seq == 5 and "gap" in result.problem


def test_tamper_rehashed_entry_breaks_the_next_link(filled):
    database, stored = filled
    t = db.register_entry
    with database.begin() as conn:
        row = conn.execute(select(t).where(t.c.seq == 3)).one()
        forged = row.payload.replace('"worker-1"', '"someone"')
        conn.execute(t.update().where(t.c.seq == 3).values(payload=forged, hash=pr.chain_hash(row.prev_hash, forged)))
    result = pr.verify_chain(database)
    assert result.broken_seq == 4 and "previous" in result.problem


def test_tamper_person_index_is_found(filled):
    database, stored = filled
    with database.begin() as conn:  # hide an entry from a subject access export
        conn.execute(db.register_person.delete().where(db.register_person.c.seq == 8))
    assert pr.export_person(database, "P-8")["count"] == 0
    result = pr.verify_chain(database)
    assert result.broken_seq == 8 and "person index" in result.problem


def test_tamper_indexed_column_is_found(filled):
    database, stored = filled
    with database.begin() as conn:
        conn.execute(db.register_entry.update().where(db.register_entry.c.seq == 2).values(case_id="C-999"))
    assert pr.verify_chain(database).broken_seq == 2


# --------------------------------------------------------------------------- decide and record against the registers


def test_r_4_2_provision_decided_from_registers_records_provided_and_filtered_persons(database):
    from compliance_factories import consents, request, subject
    from riec.compliance import provision
    from riec.compliance.models import PersonCategory

    legal_basis.ensure_builtin(database)
    authorisation.upsert_partner(database, partner(), actor="po")
    authorisation.upsert_person(database, person(), actor="po")
    necessity.record(database, assessment())
    req = request(persons=(subject("P-1"), subject("P-2", PersonCategory.C, "transactie"), subject("P-3", PersonCategory.WITNESS)))
    result = provision.decide(database, req, consents=consents(), acknowledged_at=AT)
    assert result.decision.allowed, result.decision.reason_en
    stored = provision.record(database, req, result, actor="worker-1", occurred_at=AT, consents=consents(),
                              idempotency_key="case-1:provide")
    assert [s.entry.kind for s in stored] == [pr.EntryKind.PROVISION, pr.EntryKind.PERSONS_FILTERED]
    assert stored[0].entry.person_refs == ("P-1", "P-2") and stored[1].entry.person_refs == ("P-3",)
    assert stored[0].entry.legal_basis_id == DECREE_2013.id and stored[0].entry.assessment_id
    again = provision.record(database, req, result, actor="worker-1", occurred_at=AT, consents=consents(),
                             idempotency_key="case-1:provide")
    assert [s.entry_id for s in again] == [s.entry_id for s in stored]  # redelivered task: nothing new
    assert pr.export_person(database, "P-3")["entries"][0]["kind"] == "persons_filtered"


def test_r_5_1c_refusal_decided_from_registers_is_recorded(database):
    from compliance_factories import consents, request
    from riec.compliance import provision

    legal_basis.ensure_builtin(database)
    authorisation.upsert_partner(database, partner(), actor="po")
    authorisation.upsert_person(database, person(screening_valid_until=date(2014, 1, 1)), actor="po")
    necessity.record(database, assessment())
    req = request()
    result = provision.decide(database, req, consents=consents(), acknowledged_at=AT)
    assert result.decision.refused
    [s] = provision.record(database, req, result, actor="worker-1", occurred_at=AT)
    assert s.entry.kind is pr.EntryKind.REFUSAL and "R-5.1c:screening_expired" in s.entry.reason_codes
    from compliance_factories import all_inputs
    from riec.compliance.rules import decide_provision
    open_steps = decide_provision(req, **all_inputs(consents=()))
    assert open_steps.decision.needs_step
    with pytest.raises(ValueError):
        provision.record(database, req, open_steps, actor="w", occurred_at=AT)
