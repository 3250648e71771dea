"""The engine's history clean-up as the second line behind destruction (issue 11, deliverable 7, R-7.1).

Every diagram's ``camunda:historyTimeToLive`` is the one RetentionTerms.history_ttl_days gives (with the default
terms, which the diagrams are written for), and no process keeps its history longer than the maximum retention.
The engine's clean-up settings (removal-time based, night window) are read from application.yaml; the real
engine's answer is tested in tests/integration/test_history_cleanup.py.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from riec.retention import RetentionTerms
from riec.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"


def ttl_days(value: str) -> int:
    """Camunda accepts a number of days or an ISO period of days (``P365D``)."""
    match = re.fullmatch(r"P(\d+)D|(\d+)", value.strip())
    assert match, f"historyTimeToLive {value!r} is not a number of days"
    return int(match.group(1) or match.group(2))


def diagram_ttls() -> dict[str, int]:
    found: dict[str, int] = {}
    for path in sorted((ROOT / "bpmn").glob("*.bpmn")):
        for process in ET.parse(path).getroot().iter(f"{BPMN}process"):
            if process.get("isExecutable") == "true":
                found[process.get("id", "")] = ttl_days(process.get(f"{CAMUNDA}historyTimeToLive", ""))
    return found


def test_r_7_1_each_diagram_keeps_history_as_the_terms_say():
    expected = RetentionTerms().history_ttl_days()
    found = diagram_ttls()
    for key in ("riec-signal", "riec-case", "police-request", "riec-intervention"):
        assert key in found, f"diagram of {key} not found"
    for key, days in found.items():
        if key in expected:
            assert days == expected[key], f"{key}: historyTimeToLive {days} days, the terms say {expected[key]}"


def test_r_7_1_no_process_keeps_history_beyond_the_maximum_retention():
    terms = RetentionTerms()
    for key, days in diagram_ttls().items():
        assert days <= terms.max_retention_days, f"{key} keeps its history {days} days > {terms.max_retention_days}"


def test_r_7_1_the_default_terms_are_the_settings_defaults():
    """The diagrams are written for the default terms: a changed default must change them too."""
    assert RetentionTerms.from_settings(Settings()) == RetentionTerms()


def test_r_7_1_the_signal_hierarchy_is_bounded_by_the_maximum_retention():
    terms = RetentionTerms(max_retention_days=200)
    ttl = terms.history_ttl_days()
    assert ttl["riec-signal"] == ttl["riec-case"] == ttl["police-request"] == 200
    assert ttl["riec-intervention"] <= terms.destruction_grace_days


def test_r_7_1_engine_cleans_history_by_removal_time_in_a_night_window():
    config = (ROOT / "engine" / "src" / "main" / "resources" / "application.yaml").read_text(encoding="utf-8")
    settings = dict(re.findall(r"^\s+(history\w+|batchOperationHistoryTimeToLive|enforceHistoryTimeToLive):\s*\"?([^\"\n]+)\"?$",
                               config, re.M))
    assert settings["historyCleanupStrategy"] == "removalTimeBased"
    assert settings["historyRemovalTimeStrategy"] == "end"
    assert (settings["historyCleanupBatchWindowStartTime"], settings["historyCleanupBatchWindowEndTime"]) == ("01:00", "05:00")
    assert settings["enforceHistoryTimeToLive"] == "true"


@pytest.mark.parametrize("value, days", [("P365D", 365), ("1", 1), (" P1D ", 1)])
def test_ttl_days_reads_both_forms(value, days):
    assert ttl_days(value) == days
