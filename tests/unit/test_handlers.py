"""Tiers 1 and 2: the topic handlers as plain functions, and what the worker sends for them.

Rules: R-3.1, R-3.2 (signal-validate) and R-4.1 (hit/no-hit before any gathering).
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from riec.handlers import registry
from riec.handlers.hit_no_hit import HitNoHitInput, HitNoHitOutcome, hit_no_hit
from riec.handlers.signal_validation import SignalAccepted, validate_signal
from riec.compliance import authorisation
from riec.hit_no_hit.registers import DEMO_FILE
from riec.runtime import BpmnError
from riec.signals import Subject, SignalVariables

BPMN = Path(__file__).resolve().parents[2] / "bpmn" / "signal.bpmn"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}

SIGNAL = {
    "reportingPartner": "gem-groningen",
    "subjectType": "natuurlijk_persoon",
    "subjectName": "Jan de Vries",
    "street": "Herestraat",
    "houseNumber": "12",
    "houseNumberSuffix": "a",
    "postcode": "9711 LM",
    "city": "Groningen",
    "phenomenon": "money_laundering",
    "purpose": "case_analysis",
    "signalDescription": "Contante aankopen van panden via wisselende stromannen.",
}


def typed(values: dict) -> dict:
    from riec.runtime.variables import to_camunda_map

    return to_camunda_map(values)


# --------------------------------------------------------------------------- signal-validate


class Catalogue:
    """A partner catalogue that knows only the partners' ids (signal-validate needs no more)."""

    def __init__(self, *ids: str):
        self._ids = frozenset(ids)

    def ids(self) -> frozenset[str]:
        return self._ids


PARTNERS = Catalogue("gem-groningen", "bd-noord")


def validate(data: dict):
    return validate_signal(SignalVariables.model_validate(data), partners=PARTNERS)


def test_valid_signal_completes_with_signal_valid_true():
    result = validate(SIGNAL)
    assert isinstance(result, SignalAccepted)
    assert result.model_dump(by_alias=True) == {"signalValid": True, "validationMessage": ""}


def test_r_3_1_signal_without_phenomenon_raises_signal_invalid():
    with pytest.raises(BpmnError) as caught:
        validate({**SIGNAL, "phenomenon": ""})
    err = caught.value
    assert err.code == "SIGNAL_INVALID"
    assert err.variables["signalValid"] is False
    assert err.variables["validationMessage"].startswith("- Er is niet vermeld op welke verschijningsvorm van georganiseerde criminaliteit")


def test_r_3_2_bibob_purpose_pointed_to_own_regime_in_validation_message():
    with pytest.raises(BpmnError) as caught:
        validate({**SIGNAL, "purpose": "bibob"})
    assert "Wet Bibob" in caught.value.variables["validationMessage"]


def test_validation_message_lists_one_dutch_problem_per_line():
    with pytest.raises(BpmnError) as caught:
        validate({**SIGNAL, "phenomenon": None, "purpose": "b_cba", "postcode": "0000 XX"})
    lines = caught.value.variables["validationMessage"].split("\n")
    assert len(lines) == 3
    assert all(line.startswith("- ") for line in lines)
    assert caught.value.message == "signal rejected: 3 problem(s)"


def test_error_message_kept_by_the_engine_holds_no_personal_data():
    with pytest.raises(BpmnError) as caught:
        validate({**SIGNAL, "postcode": "0000 XX", "phenomenon": None})
    assert "Jan de Vries" not in caught.value.message
    assert "0000 XX" not in caught.value.message


def test_r_4_1_reporting_partner_outside_the_catalogue_is_refused_in_dutch():
    with pytest.raises(BpmnError) as caught:
        validate({**SIGNAL, "reportingPartner": "Gemeente Groningen"})
    assert "geen bekende partner" in caught.value.variables["validationMessage"]


# --------------------------------------------------------------------------- hit-no-hit


@pytest.fixture
def seeded(seeded_app):
    return seeded_app


def subject(task_key="pi-1/ai-1", reporter=None, **changes) -> HitNoHitInput:
    values = {k: SIGNAL[k] for k in ("subjectName", "street", "houseNumber", "houseNumberSuffix", "city")}
    values.update(changes)
    return HitNoHitInput.model_validate({**values, "reportingPartner": reporter, "task_key": task_key, "business_key": "BK-1"})


def check(app, data: HitNoHitInput) -> HitNoHitOutcome:
    return hit_no_hit(data, partners=app.partners, hit_checks=app.hit_checks, hit_key=app.hit_key)


def test_known_subject_hits_at_the_municipality_and_the_tax_office(seeded):
    result = check(seeded, subject())
    assert result == HitNoHitOutcome(
        hit=True,
        hit_partners=["bd-noord", "gem-groningen"],
        hit_partners_text="Belastingdienst regio Noord, Gemeente Groningen",
        outcome="hit",
    )


def test_differently_typed_subject_still_hits(seeded):
    result = check(seeded, subject(subjectName="JAN DE VRIES", street="herestraat", houseNumber="12-A", houseNumberSuffix=None, city=" Groningen"))
    assert result.hit_partners == ["bd-noord", "gem-groningen"]


def test_r_4_1_no_hit_ends_signal_outcome(seeded):
    result = check(seeded, subject(subjectName="Piet Jansen"))
    assert result.hit is False
    assert result.hit_partners == []
    assert result.outcome == "geen_hit"
    assert result.hit_partners_text == "geen"


def test_r_4_1_unseeded_registers_give_no_hit(riec_app):
    assert check(riec_app, subject()).outcome == "geen_hit"


def test_hit_no_hit_answers_the_same_on_redelivery(seeded):
    first = check(seeded, subject(task_key="pi-1/ai-1"))
    # A partner learns of the subject between the two deliveries of the same task.
    seeded.partner_registers.add("kmar-oost", [subject()], seeded.hit_key)
    assert check(seeded, subject(task_key="pi-1/ai-1")) == first
    # A later visit of the activity is a new check and sees the change.
    assert "kmar-oost" in check(seeded, subject(task_key="pi-1/ai-2")).hit_partners


def test_hit_no_hit_keeps_no_name_or_address(seeded):
    check(seeded, subject())
    check(seeded, subject(subjectName="Piet Jansen", street="Vismarkt", houseNumber="1", houseNumberSuffix=None))
    data_dir = seeded.settings.data_dir
    stored = b"".join(p.read_bytes() for p in data_dir.rglob("*") if p.is_file())
    assert b"pi-1/ai-1" in stored  # positive control: the check record is in these bytes
    for secret in ("Jan de Vries", "jan de vries", "Herestraat", "Piet Jansen", "piet jansen", "Vismarkt", "vismarkt"):
        assert secret.encode() not in stored, secret


# --------------------------------------------------------------------------- the reporter and the one partner catalogue


def demo_subjects() -> list[Subject]:
    partners = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["partners"]
    return [Subject.model_validate(s) for p in partners for s in p["subjects"]]


@pytest.mark.parametrize("reporter", ["gem-groningen", "bd-noord", "politie-noord-nederland", "gem-maastricht", "kmar-oost", None])
def test_r_4_1_reporting_partner_is_never_among_the_hits_of_its_own_signal(seeded, reporter):
    for n, known in enumerate(demo_subjects()):
        data = subject(task_key=f"pi-{n}/ai-1", reporter=reporter, **known.model_dump(by_alias=True))
        everyone = seeded.partners.knowing(subject_digest_of(seeded, data))
        result = check(seeded, data)
        assert reporter not in result.hit_partners
        # Only the reporter is left out: every other partner that knows the subject is a hit.
        assert result.hit_partners == [p.id for p in everyone if p.id != reporter]
        assert seeded.hit_checks.reporter(data.task_key) == reporter


def test_r_4_1_a_signal_known_only_to_its_reporter_is_no_hit(seeded):
    seeded.partner_registers.add("gem-leeuwarden", [subject(subjectName="Klaas Bos")], seeded.hit_key)
    assert check(seeded, subject(subjectName="Klaas Bos")).hit_partners == ["gem-leeuwarden"]  # positive control
    result = check(seeded, subject("pi-9/ai-1", reporter="gem-leeuwarden", subjectName="Klaas Bos"))
    assert (result.hit, result.outcome, result.hit_partners_text) == (False, "geen_hit", "geen")


def subject_digest_of(app, data: HitNoHitInput) -> str:
    from riec.hit_no_hit.matching import subject_digest

    return subject_digest(data, app.hit_key)


def test_every_partner_the_hit_check_can_return_is_known_to_the_authorisation_register(seeded):
    registered = {p.id for p in authorisation.list_partners(seeded.database)}
    demo_ids = {p["id"] for p in json.loads(DEMO_FILE.read_text(encoding="utf-8"))["partners"]}
    assert demo_ids <= registered, "the demo registers name partners the authorisation register does not know"
    returned = set()
    for n, known in enumerate(demo_subjects()):
        returned |= set(check(seeded, subject(task_key=f"pi-{n}/ai-1", **known.model_dump(by_alias=True))).hit_partners)
    assert returned and returned <= registered
    # A register that knows a partner the catalogue lacks is never asked about it.
    seeded.partner_registers.add("gemeente-groningen", [subject()], seeded.hit_key)
    assert "gemeente-groningen" not in check(seeded, subject("pi-x/ai-1")).hit_partners


def test_r_6_1_demo_partners_carry_region_tenant_ids_and_limburg_has_one(seeded):
    from riec.identity import REGION_IDS

    partners = authorisation.list_partners(seeded.database)
    assert {p.region for p in partners} <= set(REGION_IDS)
    assert any(p.region == "riec-limburg" for p in partners)
    assert {p.region for p in partners if p.id.endswith("groningen")} == {"riec-noord"}


# --------------------------------------------------------------------------- through the worker (tier 2)


@pytest.fixture
def worker(seeded, fake_engine):
    from riec.app import App

    return App(seeded.settings, camunda=fake_engine, partner_registers=seeded.partner_registers).worker(registry)


def test_worker_completes_hit_no_hit_with_typed_camel_case_variables(seeded, worker, fake_engine, make_task):
    task = make_task("hit-no-hit", typed({k: SIGNAL[k] for k in ("subjectName", "street", "houseNumber", "houseNumberSuffix", "city")}))
    worker.handle(task)
    [call] = fake_engine.named("complete")
    variables = call["variables"]
    assert set(variables) == {"hit", "hitPartners", "hitPartnersText", "outcome"}
    assert variables["hit"] == {"value": True, "type": "Boolean"}
    assert variables["hitPartners"]["type"] == "Json"
    assert json.loads(variables["hitPartners"]["value"]) == ["bd-noord", "gem-groningen"]
    assert variables["outcome"] == {"value": "hit", "type": "String"}
    assert fake_engine.named("failure") == [] and fake_engine.named("bpmn_error") == []


def test_r_4_1_worker_sends_boolean_false_for_no_hit(seeded, worker, fake_engine, make_task):
    task = make_task("hit-no-hit", typed({"subjectName": "Piet Jansen", "street": "Vismarkt", "houseNumber": 1, "city": "Groningen"}))
    worker.handle(task)
    [call] = fake_engine.named("complete")
    # The diagram's gateway evaluates ${hit}: it must be a Boolean, not a string or null.
    assert call["variables"]["hit"] == {"value": False, "type": "Boolean"}
    assert call["variables"]["outcome"] == {"value": "geen_hit", "type": "String"}
    assert "Piet Jansen" not in json.dumps(call["variables"])


def test_worker_throws_signal_invalid_with_typed_variables(worker, fake_engine, make_task):
    task = make_task("signal-validate", typed({**SIGNAL, "purpose": "bibob"}))
    worker.handle(task)
    [call] = fake_engine.named("bpmn_error")
    assert call["code"] == "SIGNAL_INVALID"
    assert call["variables"]["signalValid"] == {"value": False, "type": "Boolean"}
    assert call["variables"]["validationMessage"]["type"] == "String"
    assert "Wet Bibob" in call["variables"]["validationMessage"]["value"]
    assert fake_engine.named("complete") == []


def test_worker_completes_valid_signal(worker, fake_engine, make_task):
    worker.handle(make_task("signal-validate", typed(SIGNAL)))
    [call] = fake_engine.named("complete")
    assert call["variables"] == {"signalValid": {"value": True, "type": "Boolean"}, "validationMessage": {"value": "", "type": "String"}}


# --------------------------------------------------------------------------- the diagram routes on what the handler sets


def test_r_4_1_diagram_reaches_gathering_only_through_a_hit():
    process = ET.parse(BPMN).getroot().find("bpmn:process", NS)
    topics = {t.get("id"): t.get("{http://camunda.org/schema/1.0/bpmn}topic") for t in process.findall("bpmn:serviceTask", NS)}
    assert set(topics.values()) <= set(registry.names())  # every topic of the diagram is served
    flows = {f.get("id"): f for f in process.findall("bpmn:sequenceFlow", NS)}
    into_gathering = [f for f in flows.values() if f.get("targetRef") == "CallActivity_Case"]
    assert len(into_gathering) == 1
    [flow] = into_gathering
    assert flow.get("sourceRef") == "Gateway_Hit"
    assert flow.find("bpmn:conditionExpression", NS).text.strip() == "${hit}"
    # The gateway is fed by the hit/no-hit task and by nothing else; its default ends the signal.
    feeding = [f for f in flows.values() if f.get("targetRef") == "Gateway_Hit"]
    assert [f.get("sourceRef") for f in feeding] == ["Task_HitNoHit"]
    assert topics["Task_HitNoHit"] == "hit-no-hit"
    gateway = process.find("bpmn:exclusiveGateway[@id='Gateway_Hit']", NS)
    assert flows[gateway.get("default")].get("targetRef") == "EndEvent_NoHit"
