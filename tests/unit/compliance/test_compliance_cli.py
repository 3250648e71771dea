"""The registers' commands of the one ``riec`` command line, run in-process against a SQLite file."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from riec.app import App
from riec.cli import main
from riec.compliance import db, registers
from riec.compliance import provision_register as pr
from riec.settings import Settings


@pytest.fixture
def url(tmp_path):
    yield f"sqlite:///{tmp_path / 'data' / 'riec.sqlite'}"
    db.close_databases()


def run(url: str, *argv: str) -> int:
    return main([*argv, "--database-url", url], app=App(Settings()))


def seed(url: str, today: str) -> int:
    """The one ``riec seed-demo``, registers only, on the database at ``url``."""
    return main(["seed-demo", "--registers-only", "--today", today], app=App(Settings(database_url=url)))


def test_registers_init_creates_database_in_data_folder_and_ships_2013_decree(url, tmp_path, capsys):
    assert run(url, "database", "init") == 0
    assert (tmp_path / "data" / "riec.sqlite").exists()
    assert run(url, "legal-basis", "list", "--json") == 0
    out = capsys.readouterr().out
    assert json.loads(out[out.index("["):])[0]["valid_until"] == "2014-12-31"


def test_r_8_cli_check_and_successor_from_file(url, tmp_path, capsys):
    run(url, "database", "init")
    assert run(url, "legal-basis", "check", "2026-01-05") == 1
    f = tmp_path / "bases.toml"
    f.write_text('[[legal_basis]]\nid = "wgs-2025"\nname = "WGS"\ncitation = "Stb. 2024, 198"\nvalid_from = 2025-03-01\n')
    assert run(url, "legal-basis", "load", str(f)) == 0
    assert run(url, "legal-basis", "check", "2026-01-05") == 0
    assert "[wgs-2025]" in capsys.readouterr().out
    assert run(url, "legal-basis", "check", "2014-12-31") == 0
    assert run(url, "legal-basis", "check", "2015-01-01") == 1


def test_legal_basis_add_and_bad_input(url, capsys):
    run(url, "database", "init")
    assert run(url, "legal-basis", "add", "--id", "x-2030", "--name", "X", "--citation", "Stb. 2030, 1",
               "--valid-from", "2030-01-01", "--valid-until", "2030-12-31", "--actor", "op") == 0
    assert run(url, "legal-basis", "add", "--id", "x-2030", "--name", "Y", "--citation", "Stb. 2030, 1",
               "--valid-from", "2030-01-01") == 2  # exists with other content
    assert run(url, "legal-basis", "add", "--id", "bad", "--name", "X", "--citation", "c",
               "--valid-from", "2030-01-02", "--valid-until", "2030-01-01") == 2
    assert "error:" in capsys.readouterr().err


def test_seed_demo_is_idempotent_and_demonstrates_refusals(url, capsys):
    today = "2026-06-01"
    assert seed(url, today) == 0
    database = db.open_database(url)
    n = pr.verify_chain(database).checked
    assert seed(url, today) == 0
    assert pr.verify_chain(database).checked == n  # nothing added twice
    capsys.readouterr()
    assert run(url, "authorisation", "check", "nn-groningen-analist", "--scope", "art9", "--scope", "art10_1a", "--on", today) == 0
    assert run(url, "authorisation", "check", "nn-groningen-verlopen", "--scope", "art9", "--on", today) == 1
    assert "R-5.1c:screening_expired" in capsys.readouterr().out
    assert run(url, "authorisation", "check", "nn-leeuwarden-ongescreend", "--scope", "art9", "--on", today, "--json") == 1
    assert json.loads(capsys.readouterr().out)["codes"] == ["R-5.1c:screening_missing"]
    assert run(url, "authorisation", "check", "nn-bd-medewerker", "--scope", "art10_1a", "--on", today) == 1
    assert run(url, "authorisation", "check", "nn-leeuwarden-ingetrokken", "--scope", "art9", "--on", today) == 1
    assert run(url, "legal-basis", "check", today) == 0
    assert run(url, "authorisation", "list", "--region", "riec-oost") == 0
    out = capsys.readouterr().out
    assert "gem-enschede" in out and "gem-groningen" not in out


def test_authorisation_add_partner_person_withdraw(url, capsys):
    run(url, "database", "init")
    assert run(url, "authorisation", "add-person", "--id", "p1", "--partner", "nope", "--name", "N") == 2
    assert run(url, "authorisation", "add-partner", "--id", "gem-assen", "--name", "Gemeente Assen", "--region", "riec-noord", "--kind", "municipality") == 0
    assert run(url, "authorisation", "add-person", "--id", "p1", "--partner", "gem-assen", "--name", "N. Naam",
               "--scope", "art9", "--screened-on", "2026-01-01", "--screening-valid-until", "2028-12-31") == 0
    assert run(url, "authorisation", "check", "p1", "--scope", "art9", "--on", "2027-01-01") == 0
    assert run(url, "authorisation", "withdraw", "p1") == 0
    assert run(url, "authorisation", "check", "p1", "--scope", "art9", "--on", "2027-01-01") == 1
    with pytest.raises(SystemExit):
        run(url, "authorisation", "add-person", "--id", "p2", "--partner", "gem-assen", "--name", "N", "--scope", "art99")


def test_register_verify_reports_first_broken_entry_and_exits_1(url, capsys):
    seed(url, "2026-06-01")
    database = db.open_database(url)
    assert run(url, "provision-register", "verify") == 0
    victim = list(pr.iter_entries(database))[4]
    with database.begin() as conn:
        conn.execute(text("DROP TRIGGER register_entry_no_update"))
        conn.execute(text("UPDATE register_entry SET payload = replace(payload, 'demo-seed', 'intruder') WHERE seq = :s"),
                     {"s": victim.seq})
    capsys.readouterr()
    assert run(url, "provision-register", "verify") == 1
    out = capsys.readouterr().out
    assert f"#{victim.seq}" in out and victim.entry_id in out
    assert run(url, "provision-register", "verify", "--json") == 1
    assert json.loads(capsys.readouterr().out)["broken_entry_id"] == victim.entry_id


def test_r_5_2_register_export_person(url, tmp_path, capsys):
    run(url, "database", "init")
    database = db.open_database(url)
    for refs in (("P-7",), ("P-8",), ("P-7", "P-8")):
        pr.append(database, pr.RegisterEntry(kind="provision", occurred_at=datetime.now(UTC), actor="w", person_refs=refs))
    capsys.readouterr()
    assert run(url, "provision-register", "export-person", "P-7") == 0
    export = json.loads(capsys.readouterr().out)
    assert export["person_ref"] == "P-7" and export["count"] == 2
    out = tmp_path / "p8.json"
    assert run(url, "provision-register", "export-person", "P-8", "--output", str(out)) == 0
    assert json.loads(out.read_text())["count"] == 2
    capsys.readouterr()
    assert run(url, "provision-register", "head") == 0
    seq, digest = pr.head(db.open_database(url))
    assert seq == 4 and len(digest) == 64  # the built-in basis, then the three entries above
    assert capsys.readouterr().out.strip() == f"#{seq} {digest}"
    # The anchor moves with the chain: a new entry, a new head.
    pr.append(db.open_database(url), pr.RegisterEntry(kind="provision", occurred_at=datetime.now(UTC), actor="w", person_refs=("P-9",)))
    assert run(url, "provision-register", "head") == 0
    assert capsys.readouterr().out.strip() == f"#{seq + 1} {pr.head(db.open_database(url))[1]}"


def test_group_without_a_command_prints_usage_and_exits_2(capsys):
    assert main(["provision-register"], app=App(Settings())) == 2
    assert "verify" in capsys.readouterr().err


def test_python_api_for_startup_scripts(url):
    database = db.open_database(url)
    assert registers.init_registers(database) == db.head_revision()
    added = registers.seed_demo(database, date(2026, 6, 1))
    assert added == {"legal_bases": 1, "partners": 8, "persons": 11}
    assert registers.verify(database).ok
