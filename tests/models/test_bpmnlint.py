"""Model gate: bpmnlint's recommended rules and Camunda 7.24 compatibility over bpmn/ (installed by scripts/setup.sh)."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BPMNLINT = ROOT / "node_modules" / ".bin" / "bpmnlint"
DIAGRAMS = sorted(ROOT.glob("bpmn/*.bpmn"))


def lint(*paths: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    if not BPMNLINT.exists():
        pytest.fail("bpmnlint is not installed: run scripts/setup.sh (npm ci)")
    return subprocess.run([str(BPMNLINT), "--max-warnings=0", *map(str, paths)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_config_extends_recommended_and_camunda_7_24():
    config = (ROOT / ".bpmnlintrc").read_text(encoding="utf-8")
    assert "bpmnlint:recommended" in config
    assert "plugin:camunda-compat/camunda-platform-7-24" in config


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=lambda p: p.name)
def test_diagram_is_lint_clean(diagram):
    result = lint(diagram)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "problem" not in result.stdout, result.stdout


def test_linter_catches_a_broken_copy(tmp_path):
    """The gate is live: a diagram without historyTimeToLive and with an unlabelled task fails it."""
    shutil.copy(ROOT / ".bpmnlintrc", tmp_path / ".bpmnlintrc")
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    text = (ROOT / "bpmn" / "case.bpmn").read_text(encoding="utf-8")
    broken = re.sub(r'camunda:historyTimeToLive="[^"]*"', "", text, count=1).replace('name="Casus inrichten"', "", 1)
    (tmp_path / "broken.bpmn").write_text(broken, encoding="utf-8")
    result = lint(tmp_path / "broken.bpmn", cwd=tmp_path)
    assert result.returncode != 0
    assert "history-time-to-live" in result.stdout
    assert "label-required" in result.stdout
