"""Each case form mirrors the pydantic model its validation topic checks on the server.

Same variable names, the model's titles as labels (the Dutch reasons name fields by
title, so the officer finds them), and the model's choices as the form's values.
"""
from __future__ import annotations

import json
import typing
from enum import Enum
from pathlib import Path

import pytest
from pydantic import BaseModel

import riec.casework as cw
import riec.anonymisation as an
import riec.intervention as iv

FORMS = Path(__file__).resolve().parents[2] / "forms"
MODELS = {
    "case-half-open": cw.HalfOpenSources, "case-closed": cw.ClosedSources, "case-open-source": cw.OpenSource,
    "case-work-up": cw.WorkUp, "case-decision": cw.CaseDecision, "case-request": cw.RequestForm,
    "police-own-initiative-details": cw.OwnInitiativeDetails, "police-judgement": cw.PoliceJudgement,
    "police-consultation-2-10": cw.Consultation210, "police-consent-case-prosecutor": cw.ConsentCaseProsecutor,
    "police-consent-cie-prosecutor": cw.ConsentCieProsecutor,
    "intervention-strategy": iv.InterventionStrategy, "intervention-carried-out": iv.InterventionCarriedOut,
    "anonymisation-decision": an.AnonymisationDecision,
}
SHOWN_ONLY = {"validationMessage", "openSourceValidationMessage", "caseProsecutorValidationMessage", "cieProsecutorValidationMessage"}


def inputs(components: list[dict]) -> dict[str, dict]:
    return {(c.get("key") or c.get("path")): c for c in components if (c.get("key") or c.get("path")) and c.get("type") != "text"}


def inner_model(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = inner_model(arg)
        if found is not None:
            return found
    return None


def enum_of(annotation) -> type[Enum] | None:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation
    for arg in typing.get_args(annotation):
        found = enum_of(arg)
        if found is not None:
            return found
    return None


def check(components: list[dict], model: type[BaseModel], where: str) -> None:
    fields = {(f.alias or name): f for name, f in model.model_fields.items()}
    offered = {k: c for k, c in inputs(components).items() if k not in SHOWN_ONLY}
    assert set(offered) == set(fields), f"{where}: form fields {sorted(offered)} differ from the model's {sorted(fields)}"
    for key, component in offered.items():
        f = fields[key]
        assert component["label"] == f.title, f"{where}.{key}: label '{component['label']}' is not the model's title '{f.title}'"
        if f.is_required() and component["type"] not in {"checkbox", "dynamiclist"}:  # a list starts with one row
            assert component.get("validate", {}).get("required"), f"{where}.{key} is required by the model"
        choices = enum_of(f.annotation)
        if choices is not None and "values" in component:
            assert [v["value"] for v in component["values"]] == [e.value for e in choices], f"{where}.{key}: values differ"
        if component["type"] == "dynamiclist":
            check(component["components"], inner_model(f.annotation), f"{where}.{key}")


@pytest.mark.parametrize("form_id", sorted(MODELS))
def test_form_mirrors_its_server_side_model(form_id):
    form = json.loads((FORMS / f"{form_id}.form").read_text(encoding="utf-8"))
    check(form["components"], MODELS[form_id], form_id)
