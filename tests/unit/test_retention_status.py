"""Where destruction stands (issue 11, deliverable 6): due, overdue, done and anonymisation decisions per region.

The registers are a migrated SQLite file; dates are arguments (``today``), never the clock. Terms come from
RetentionTerms (R-7.1: 14 days' grace after the intervention, at most 365 days after provision).
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import text

from riec.compliance import db
from riec.compliance.provision_register import EntryKind, RegisterEntry, append
from riec.retention import RetentionTerms
from riec.dutch_time import amsterdam_day
from riec.retention_status import format_summary, schedules, summary

TERMS = RetentionTerms(destruction_grace_days=14, max_retention_days=365)
NOORD, LIMBURG = "riec-noord", "riec-limburg"


@pytest.fixture
def registers(tmp_path):
    database = db.open_database(f"sqlite:///{tmp_path / 'r.sqlite'}")
    db.migrate(database)
    return database


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T10:00:00+00:00")


def provide(database, case: str, region: str, day: str) -> None:
    append(database, RegisterEntry(kind=EntryKind.PROVISION, occurred_at=at(day), actor="provision", case_id=case,
                                   region=region, recipient_id="r-1"))


def intervention(database, case: str, region: str, day: str) -> None:
    with database.begin() as conn:
        conn.execute(text("INSERT INTO intervention (case_key, region, measures, strategy, carried_out_on, recorded_at) "
                          "VALUES (:k, :r, '[]', 'x', :d, :t)"), {"k": case, "r": region, "d": day, "t": at(day)})


def destroyed(database, case: str, region: str, day: str, subject: str = "case") -> None:
    with database.begin() as conn:
        conn.execute(text("INSERT INTO destruction (case_key, region, subject, trigger, rule_ids, destroyed_at, counts) "
                          "VALUES (:k, :r, :s, 'intervention', '[\"R-7.1\"]', :t, '{}')"),
                     {"k": case, "r": region, "s": subject, "t": at(day)})


def package(database, case: str, region: str, day: str) -> None:
    with database.begin() as conn:
        conn.execute(text("INSERT INTO vault_key (id, key, created_at) VALUES (:id, NULL, :t)"), {"id": f"k-{case}", "t": at(day)})
        conn.execute(text("INSERT INTO vault_package (id, case_key, region, process_instance_id, key_id, nonce, ciphertext, "
                          "name_nonce, name_ciphertext, content_type, size, uploaded_by, uploaded_at) VALUES (:id, :k, :r, :pi, "
                          ":key, x'00', x'00', x'00', x'00', 'text/plain', 1, 'politie', :t)"),
                     {"id": f"p-{case}", "k": case, "r": region, "pi": f"pi-{case}", "key": f"k-{case}", "t": at(day)})


def test_r_7_1_due_overdue_and_done_per_region_do_not_overlap(registers):
    provide(registers, "A", NOORD, "2026-01-10")          # intervention 2026-11-01: destroy on 11-15 -> overdue on 11-29
    intervention(registers, "A", NOORD, "2026-11-01")
    provide(registers, "B", NOORD, "2026-11-20")          # intervention 11-25: destroy on 12-09 -> due
    intervention(registers, "B", NOORD, "2026-11-25")
    provide(registers, "C", NOORD, "2025-11-01")          # no intervention: max retention ended 2026-11-01 -> overdue
    provide(registers, "D", NOORD, "2026-06-01")          # destroyed
    destroyed(registers, "D", NOORD, "2026-07-01")
    provide(registers, "E", LIMBURG, "2026-11-01")        # Limburg: due (max retention 2027-11-01)
    destroyed(registers, "S-1", NOORD, "2026-11-28", subject="signal")  # a no-hit signal, not a case
    status = summary(registers, TERMS, dt.date(2026, 11, 29))
    rows = {row["region"]: row for row in status["regions"]}
    noord, limburg = rows[NOORD], rows[LIMBURG]
    assert (noord["due"], noord["overdue"], noord["done"], noord["signalsDestroyed"]) == (1, 2, 1, 1)
    assert noord["nextDueOn"] == "2026-12-09"
    assert (limburg["due"], limburg["overdue"], limburg["done"]) == (1, 0, 0)
    assert limburg["nextDueOn"] == "2027-11-01"
    assert (status["total"]["due"], status["total"]["overdue"], status["total"]["done"]) == (2, 2, 1)
    assert rows["riec-oost"]["due"] == 0  # every region is listed, even without cases


def test_r_7_1_the_day_of_destruction_is_due_the_day_after_is_overdue(registers):
    provide(registers, "A", NOORD, "2026-11-01")
    intervention(registers, "A", NOORD, "2026-11-10")     # destroy on 11-24
    on_the_day = summary(registers, TERMS, dt.date(2026, 11, 24), [NOORD])["total"]
    after = summary(registers, TERMS, dt.date(2026, 11, 25), [NOORD])["total"]
    assert (on_the_day["due"], on_the_day["overdue"]) == (1, 0)
    assert (after["due"], after["overdue"]) == (0, 1)


def test_r_7_1_a_package_in_the_vault_schedules_the_case_even_before_provision(registers):
    package(registers, "P", NOORD, "2025-11-01")          # uploaded, never provided: max retention ended 2026-11-01
    [schedule], _ = schedules(registers, TERMS)
    assert (schedule.case_key, schedule.provided_on, schedule.destroy_on) == ("P", dt.date(2025, 11, 1), dt.date(2026, 11, 1))
    assert summary(registers, TERMS, dt.date(2026, 11, 29), [NOORD])["total"]["overdue"] == 1


def test_r_7_1_a_case_without_police_data_is_destroyed_after_its_intervention(registers):
    intervention(registers, "W", NOORD, "2026-11-20")     # analysis without police data: grace after the intervention
    [schedule], _ = schedules(registers, TERMS)
    assert (schedule.provided_on, schedule.destroy_on) == (dt.date(2026, 11, 20), dt.date(2026, 12, 4))


def test_r_7_1_status_and_sweep_agree_on_what_is_overdue(registers):
    from riec.destruction.sweep import overdue_cases

    provide(registers, "A", NOORD, "2026-01-10")
    intervention(registers, "A", NOORD, "2026-11-01")
    provide(registers, "B", NOORD, "2026-11-20")
    intervention(registers, "W", NOORD, "2026-10-01")
    package(registers, "P", LIMBURG, "2025-11-01")
    today = dt.date(2026, 11, 29)
    found, _ = schedules(registers, TERMS)
    assert sorted(s.case_key for s in found if s.state(today) == "overdue") == [key for key, _ in overdue_cases(registers, TERMS, today)]


def test_r_7_1_the_terms_come_from_retention_terms(registers):
    provide(registers, "A", NOORD, "2026-11-01")
    intervention(registers, "A", NOORD, "2026-11-10")
    short = RetentionTerms(destruction_grace_days=0, max_retention_days=365)
    assert summary(registers, short, dt.date(2026, 11, 11), [NOORD])["total"]["overdue"] == 1
    assert summary(registers, TERMS, dt.date(2026, 11, 11), [NOORD])["total"]["overdue"] == 0
    capped = RetentionTerms(destruction_grace_days=14, max_retention_days=5)  # max retention before the grace ends
    [schedule], _ = schedules(registers, capped)
    assert schedule.destroy_on == dt.date(2026, 11, 6)


def test_r_7_2_anonymisation_decisions_are_counted_per_region(registers):
    provide(registers, "A", NOORD, "2026-11-01")
    append(registers, RegisterEntry(kind=EntryKind.ANONYMISATION, occurred_at=at("2026-11-20"), actor="riec-worker",
                                    case_id="A", region=NOORD, rule_ids=("R-7.2",)))
    status = summary(registers, TERMS, dt.date(2026, 11, 29))
    rows = {row["region"]: row for row in status["regions"]}
    assert rows[NOORD]["anonymisationDecisions"] == 1 and rows[LIMBURG]["anonymisationDecisions"] == 0


def test_r_6_1_a_region_filter_counts_only_that_region(registers):
    provide(registers, "A", NOORD, "2026-11-01")
    provide(registers, "E", LIMBURG, "2026-11-01")
    status = summary(registers, TERMS, dt.date(2026, 11, 29), [LIMBURG])
    assert [row["region"] for row in status["regions"]] == [LIMBURG]
    assert status["total"]["due"] == 1


def test_r_5_2_the_summary_holds_counts_and_dates_only(registers):
    provide(registers, "SIG-GEHEIM-1", NOORD, "2026-11-01")
    status = summary(registers, TERMS, dt.date(2026, 11, 29))
    assert "SIG-GEHEIM-1" not in json.dumps(status)
    assert "Termijn verstreken" in format_summary(status)


def test_the_day_is_amsterdams():
    assert amsterdam_day(dt.datetime(2026, 11, 28, 23, 30, tzinfo=dt.UTC)) == dt.date(2026, 11, 29)
    assert amsterdam_day(dt.datetime(2026, 7, 28, 22, 30, tzinfo=dt.UTC)) == dt.date(2026, 7, 29)  # summer time: UTC+2
    assert amsterdam_day(dt.datetime(2026, 11, 28, 22, 30)) == dt.date(2026, 11, 28)  # naive is UTC: 23:30 in winter


def test_riec_retention_status_prints_json(registers, tmp_path, capsys, monkeypatch):
    from riec.app import App
    from riec.retention_status import cmd_status
    from riec.settings import Settings

    provide(registers, "A", NOORD, "2025-11-01")
    app = App(Settings(), database=registers)
    app._migrated = True
    args = type("Args", (), {"region": NOORD, "today": dt.date(2026, 11, 29), "json": True})()
    assert cmd_status(args, app) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["total"]["overdue"] == 1 and printed["regions"][0]["region"] == NOORD
