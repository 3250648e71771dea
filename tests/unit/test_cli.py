"""The command line's answers to bad input, and the README's promise that its table is the code's."""
from __future__ import annotations

import json
from pathlib import Path

from riec.cli import main

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_register_command_on_an_uninitialised_database_names_the_next_step(tmp_path, capsys):
    code = main(["legal-basis", "list", "--database-url", f"sqlite:///{tmp_path / 'new.sqlite'}"])
    assert code == 1
    assert "run `riec registers init` first" in capsys.readouterr().err


def test_signal_file_that_is_not_one_object_is_refused_in_dutch(tmp_path, capsys):
    path = tmp_path / "signals.json"
    path.write_text(json.dumps([{"subjectName": "x"}]), encoding="utf-8")
    assert main(["signal", "submit", str(path)]) == 2
    assert "moet één JSON-object" in capsys.readouterr().err


def test_readme_configuration_table_is_the_settings_table(capsys):
    assert main(["config"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| `RIEC_")]
    assert rows, "riec config printed no rows"
    missing = [row for row in rows if row not in README]
    assert not missing, "README's configuration table is out of date; paste `riec config` into it:\n" + "\n".join(missing)
