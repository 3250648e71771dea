"""``riec retention sweep`` (issue 11): the operator's run of the daily sweep. Rule: R-7.1."""
from __future__ import annotations

import argparse
import datetime as dt
import json

from riec.app import App
from riec.cli import build_parser
from riec.cli_retention import cmd_sweep
from riec.compliance import db
from riec.settings import Settings
from tests.unit.test_destruction import NOW, FakeCamunda, put_intervention, put_package


def test_retention_sweep_is_a_command():
    args = build_parser().parse_args(["retention", "sweep", "--today", "2027-01-01", "--json"])
    assert args.func is cmd_sweep and args.today == dt.date(2027, 1, 1) and args.json


def test_r_7_1_retention_sweep_destroys_what_is_overdue_and_prints_numbers_only(tmp_path, capsys):
    database = db.open_database(f"sqlite:///{tmp_path / 'r.sqlite'}")
    db.migrate(database)
    put_package(database, "SIG-CLI-1", provided=NOW - dt.timedelta(days=30))
    put_intervention(database, "SIG-CLI-1", NOW.date() - dt.timedelta(days=20))
    camunda = FakeCamunda()
    camunda.add("SIG-CLI-1", "riec-signal", ended=NOW - dt.timedelta(days=30), variables={"subjectName": "Jan de Vries"})
    app = App(Settings(), camunda=camunda, database=database)
    code = cmd_sweep(argparse.Namespace(today=NOW.date() + dt.timedelta(days=1), json=False), app)
    out = capsys.readouterr().out
    assert code == 0 and "Casussen vernietigd (termijn verstreken): 1 (SIG-CLI-1)" in out and "Jan" not in out
    code = cmd_sweep(argparse.Namespace(today=NOW.date() + dt.timedelta(days=1), json=True), app)
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["cases_destroyed"] == [] and report["failed"] == {}, "a second run finds nothing to do"
