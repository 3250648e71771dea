"""The forms officers fill in must offer exactly what the rules accept (R-3.1, R-3.2)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from riec.compliance.models import Phenomenon, Purpose
from riec.signals import PHENOMENA, PURPOSES, SignalVariables

FORMS = Path(__file__).resolve().parents[2] / "forms"
SIGNAL_FORMS = ["signal-registration.form", "signal-correction.form"]


def components(name: str) -> dict[str, dict]:
    return {c["key"]: c for c in json.loads((FORMS / name).read_text(encoding="utf-8"))["components"] if "key" in c}


@pytest.mark.parametrize("name", SIGNAL_FORMS)
def test_r_3_1_form_offers_every_phenomenon_the_rule_knows(name):
    offered = [v["value"] for v in components(name)["phenomenon"]["values"]]
    assert offered == [p.value for p in Phenomenon]
    assert all(v["label"] == PHENOMENA[v["value"]] for v in components(name)["phenomenon"]["values"])


@pytest.mark.parametrize("name", SIGNAL_FORMS)
def test_r_3_2_form_defaults_to_the_case_analysis_purpose(name):
    purpose = components(name)["purpose"]
    assert purpose["defaultValue"] == Purpose.CASE_ANALYSIS.value
    assert {v["value"] for v in purpose["values"]} == set(PURPOSES)


@pytest.mark.parametrize("name", SIGNAL_FORMS)
def test_form_fields_are_the_variables_the_signal_check_reads(name):
    fields = set(components(name)) - {"validationMessage", "correctionDecision"}
    assert fields == {f.alias for f in SignalVariables.model_fields.values()}


def walk(components: list[dict]):
    for c in components:
        yield c
        yield from walk(c.get("components", []))


@pytest.mark.parametrize("name", [p.name for p in sorted(FORMS.glob("*.form"))])
def test_forms_are_dutch_and_valid_for_tasklist(name):
    form = json.loads((FORMS / name).read_text(encoding="utf-8"))
    assert form["schemaVersion"] <= 16, "Tasklist 7.24 renders form-js 1.8 (schema 16)"
    every = list(walk(form["components"]))  # dynamic lists nest their fields
    for c in every:
        if c["type"] in {"textfield", "textarea", "select", "radio", "datetime", "checklist", "taglist", "checkbox"}:
            assert c.get("label") or c.get("dateLabel"), f"{c['key']} has no label"
    required = [c for c in every if c.get("validate", {}).get("required")]
    assert required, "every form asks for something"


@pytest.mark.parametrize("name", SIGNAL_FORMS)
def test_r_4_1_reporting_partner_is_chosen_from_the_partner_catalogue(name):
    from riec.compliance.demo import demo_partners

    field = components(name)["reportingPartner"]
    assert field["type"] == "select" and field["validate"]["required"]
    catalogue = {p.id: p.name for p in demo_partners()}
    offered = {v["value"]: v["label"] for v in field["values"]}
    assert offered.keys() == catalogue.keys()
    assert all(label.startswith(catalogue[value]) for value, label in offered.items())
