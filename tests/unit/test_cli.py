"""The command line's answers to bad input, and the README's promise that its table is the code's."""
from __future__ import annotations

import json
from pathlib import Path

from riec.app import App
from riec.cli import main
from riec.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_register_command_on_an_uninitialised_database_names_the_next_step(tmp_path, capsys):
    code = main(["legal-basis", "list", "--database-url", f"sqlite:///{tmp_path / 'new.sqlite'}"], app=App(Settings()))
    assert code == 1
    assert "run `riec database init` first" in capsys.readouterr().err


def test_signal_file_that_is_not_one_object_is_refused_in_dutch(tmp_path, capsys):
    path = tmp_path / "signals.json"
    path.write_text(json.dumps([{"subjectName": "x"}]), encoding="utf-8")
    assert main(["signal", "submit", str(path)], app=App(Settings())) == 2
    assert "moet één JSON-object" in capsys.readouterr().err


def test_wrongly_typed_signal_file_is_refused_with_exit_2_and_a_dutch_reason(tmp_path, capsys):
    signal = json.loads((Path(__file__).resolve().parents[2] / "examples" / "signal-hit.json").read_text(encoding="utf-8"))
    path = tmp_path / "signal.json"
    path.write_text(json.dumps({**signal, "houseNumber": [1, 2]}), encoding="utf-8")
    # No engine runs here: the file is refused before anything is asked of Camunda.
    assert main(["signal", "submit", str(path)], app=App(Settings(engine_url="http://127.0.0.1:9/engine-rest"))) == 2
    err = capsys.readouterr().err
    assert "Signaal niet gestart:" in err
    assert "Het veld 'houseNumber' heeft een ongeldige waarde" in err
    assert "validation error" not in err and "Input should be" not in err  # not pydantic's English dump


def test_malformed_signal_file_is_refused_with_exit_2(tmp_path, capsys):
    path = tmp_path / "signal.json"
    path.write_text("{not json", encoding="utf-8")
    assert main(["signal", "submit", str(path)], app=App(Settings())) == 2
    assert "geen leesbaar JSON-bestand" in capsys.readouterr().err


def test_invalid_input_to_a_register_command_exits_2(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    app = App(Settings())
    assert main(["database", "init", "--database-url", url], app=app) == 0
    assert main(["authorisation", "add-partner", "--id", "bad id!", "--name", "X", "--region", "riec-noord", "--database-url", url], app=app) == 2
    assert "error: id:" in capsys.readouterr().err


def test_invalid_configuration_is_refused_with_exit_2(monkeypatch, capsys):
    monkeypatch.setenv("RIEC_MAX_TASKS", "many")
    assert main(["config"]) == 2
    assert "RIEC_MAX_TASKS" in capsys.readouterr().err


def test_readme_configuration_table_is_the_settings_table(capsys):
    assert main(["config"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| `RIEC_")]
    assert rows, "riec config printed no rows"
    missing = [row for row in rows if row not in README]
    assert not missing, "README's configuration table is out of date; paste `riec config` into it:\n" + "\n".join(missing)


def test_readme_command_table_names_exactly_the_parsers_commands():
    import argparse
    import re

    from riec.cli import build_parser

    parser = build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    commands = set(sub.choices)
    table = README[README.index("## Command line"):README.index("## Configuration")]
    named = set(re.findall(r"`riec ([a-z][a-z-]*)", table))
    assert named == commands, f"README's command table: missing {commands - named}, unknown {named - commands}"
    # Every `riec GROUP COMMAND` the README or docs/registers.md names exists.
    docs = README + (Path(__file__).resolve().parents[2] / "docs" / "registers.md").read_text(encoding="utf-8")
    for group, name in set(re.findall(r"`riec ([a-z][a-z-]*) ([a-z][a-z-]*)", docs)):
        assert group in commands, f"`riec {group} {name}` is documented but riec has no {group!r}"
        actions = [a for a in sub.choices[group]._actions if isinstance(a, argparse._SubParsersAction)]
        assert actions and name in actions[0].choices, f"`riec {group} {name}` is documented but does not exist"


def test_case_history_shows_task_names_without_the_raw_number_expression():
    from riec.cases import activity_label

    raw = {"activityName": "Fase 4a: half open bronnen raadplegen · ${execution.processBusinessKey}", "activityId": "Task_HalfOpenSources"}
    assert activity_label(raw) == "Fase 4a: half open bronnen raadplegen"
    assert activity_label({"activityName": None, "activityId": "Gateway_Hit"}) == "Gateway_Hit"
    assert activity_label({"activityName": "Hit?", "activityId": "Gateway_Hit"}) == "Hit?"
