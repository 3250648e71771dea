"""The path proof: no path from any start event reaches "provide" without the steps the decree demands.

The diagrams are read as one graph (``tests/models/paths.py``): sequence flows,
gateways and their conditions, boundary events, sub-processes, call activities and
the message flows between the RIEC's and the police's pools. Each requirement
names the edges every path to ``EndEvent_Provide`` must use; a gateway's condition
counts only where it is closed for every value of the tested variable but the one
that allows provision. Broken copies of the diagram must fail, naming the path.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.models.paths import Graph, Requirement, prove

ROOT = Path(__file__).resolve().parents[2]
DIAGRAMS = sorted((ROOT / "bpmn").glob("*.bpmn"))
CASE = ROOT / "bpmn" / "case.bpmn"
PROVIDE = "EndEvent_Provide"

ART9 = (("art9Requested", True),)
ART10 = (("art10Requested", True),)


def load(case_text: str | None = None) -> Graph:
    return Graph.load([p if p != CASE or case_text is None else case_text for p in DIAGRAMS])


def user_step(g: Graph, task: str) -> frozenset[str]:
    """A user task counts as passed only when its input was accepted by its validation task."""
    return frozenset(g.exits(f"Task_Validate{task.removeprefix('Task_')}"))


def requirements(g: Graph) -> list[Requirement]:
    return [
        Requirement("R-2, R-3.1, R-3.2, R-4.2, R-8", "the automated checks completing (Task_PoliceChecks)",
                    frozenset(g.exits("Task_PoliceChecks"))),
        Requirement("R-4.1-refuse", "the police judgement (Task_Judgement)", user_step(g, "Task_Judgement")),
        Requirement("R-4.1-refuse", "a gateway that requires relevant data", frozenset(g.guards("relevantDataExist", {"yes"}))),
        Requirement("R-4.1-refuse", "a gateway that requires no opposing interest", frozenset(g.guards("opposingInterest", {"none"}))),
        Requirement("R-5.1e", "the art. 2:10 consultation (Task_Consult210)", user_step(g, "Task_Consult210")),
        Requirement("R-5.1e", "a gateway that requires a positive art. 2:10 advice", frozenset(g.guards("officer210Advice", {"in_favour"}))),
        Requirement("R-5.1e", "the case prosecutor's consent task (Task_ConsentCaseProsecutor)",
                    user_step(g, "Task_ConsentCaseProsecutor"), ART9),
        Requirement("R-5.1e", "a gateway that requires the case prosecutor's consent",
                    frozenset(g.guards("caseProsecutorConsent", {"given"}, dict(ART9))), ART9),
        Requirement("R-5.1e", "the CIE prosecutor's consent task (Task_ConsentCieProsecutor)",
                    user_step(g, "Task_ConsentCieProsecutor"), ART10),
        Requirement("R-5.1e", "a gateway that requires the CIE prosecutor's consent",
                    frozenset(g.guards("cieProsecutorConsent", {"given"}, dict(ART10))), ART10),
        # Both data types asked: both consents, in the same run.
        Requirement("R-5.1e", "the case prosecutor's consent task (both types asked)",
                    user_step(g, "Task_ConsentCaseProsecutor"), ART9 + ART10),
        Requirement("R-5.1e", "the CIE prosecutor's consent task (both types asked)",
                    user_step(g, "Task_ConsentCieProsecutor"), ART9 + ART10),
    ]


def failures(case_text: str | None = None) -> list[str]:
    g = load(case_text)
    return prove(g, PROVIDE, requirements(g))


def broken(*replacements: tuple[str, str]) -> str:
    text = CASE.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, f"the mutation must change exactly one place: {old}"
        text = text.replace(old, new)
    return text


# --------------------------------------------------------------------------- the diagrams as they are


def test_r_5_1e_r_2_r_8_provide_only_after_checks_judgement_consultation_and_consents():
    assert failures() == []


def test_provide_is_reachable_at_all_from_request_and_own_initiative():
    """A proof over an unreachable end would be empty: provide is reachable from both police starts."""
    g = load()
    for start in ("StartEvent_Request", "StartEvent_OwnInitiative"):
        assert g.witness(PROVIDE, starts=[start]) is not None, start
    for scenario in ({}, dict(ART9), dict(ART10), dict(ART9 + ART10)):
        assert g.witness(PROVIDE, scenario=scenario) is not None


def test_r_4_1_case_request_reaches_the_police_only_from_the_request_path():
    """The request's message flow starts the police process; nothing else in the RIEC pool sends it."""
    g = load()
    into_request = [e for e in g.edges if e.target == "StartEvent_Request"]
    assert [(e.source, e.kind) for e in into_request] == [("SendTask_PoliceRequest", "message")]
    provides = [e.source for e in g.edges if e.target == "Event_PoliceProvides"]
    assert sorted(provides) == ["Gateway_AwaitDecision", "SendTask_Provide"]


def test_r_4_1_closed_sources_only_after_half_open_sources():
    """Tiered gathering: the diagram, not a convention, puts half-open before closed sources."""
    g = load()
    half_open = Requirement("R-4.1", "the half-open sources (Task_HalfOpenSources)", user_step(g, "Task_HalfOpenSources"))
    assert half_open.check(g, "Task_ClosedSources") is None
    closed = Requirement("R-4.1", "the closed sources (Task_ClosedSources)", user_step(g, "Task_ClosedSources"))
    work_up = Requirement("R-4.1", "the case work-up (Task_WorkUp)", user_step(g, "Task_WorkUp"))
    decision = Requirement("R-4.1", "a case decision to request", frozenset(g.guards("caseDecision", {"request"})))
    assert prove(g, "SendTask_PoliceRequest", [half_open, closed, work_up, decision]) == []
    # Open sources can be added while gathering: the task is reachable before the closed sources are done.
    assert g.witness("Task_OpenSources", avoiding=user_step(g, "Task_ClosedSources")) is not None


# --------------------------------------------------------------------------- broken copies must fail and name the path


def test_r_2_r_8_proof_fails_when_the_flow_after_the_checks_goes_straight_to_provide():
    result = failures(broken(('id="Flow_ChecksToJudgement" sourceRef="Task_PoliceChecks" targetRef="Gateway_JudgementIn"',
                              'id="Flow_ChecksToJudgement" sourceRef="Task_PoliceChecks" targetRef="SendTask_Provide"')))
    assert result, "a diagram that skips the judgement, 2:10 and consents must not pass"
    assert any(f.startswith("R-4.1-refuse") and "Task_PoliceChecks → SendTask_Provide → Task_Provision → EndEvent_Provide" in f for f in result), result
    assert any(f.startswith("R-5.1e") and "Task_PoliceChecks → SendTask_Provide → Task_Provision → EndEvent_Provide" in f for f in result), result


def test_r_2_proof_fails_when_a_failed_check_leads_to_provide():
    result = failures(broken(('id="Flow_ChecksFailedToRefuse" sourceRef="Event_ChecksFailed" targetRef="Gateway_Refuse"',
                              'id="Flow_ChecksFailedToRefuse" sourceRef="Event_ChecksFailed" targetRef="Gateway_JudgementIn"')))
    [checks] = [f for f in result if f.startswith("R-2, R-3.1, R-3.2, R-4.2, R-8")]
    assert "Task_PoliceChecks → Event_ChecksFailed → Gateway_JudgementIn" in checks


def test_r_4_1_own_proof_fails_when_the_own_initiative_bypasses_the_checks():
    result = failures(broken(('id="Flow_OwnToChecks" sourceRef="Task_RecordNecessityOwn" targetRef="Gateway_ChecksIn"',
                              'id="Flow_OwnToChecks" sourceRef="Task_RecordNecessityOwn" targetRef="Gateway_JudgementIn"')))
    [checks] = [f for f in result if "automated checks" in f]
    assert checks.split(": ", 2)[-1].startswith("StartEvent_OwnInitiative → ")
    assert "Task_RecordNecessityOwn → Gateway_JudgementIn" in checks


def test_r_5_1e_proof_fails_when_the_cie_consent_is_dropped():
    result = failures(broken(('id="Flow_NeedsCieProsecutor" name="ja" sourceRef="Gateway_NeedsCieProsecutor" targetRef="Gateway_ConsentCieProsecutorIn"',
                              'id="Flow_NeedsCieProsecutor" name="ja" sourceRef="Gateway_NeedsCieProsecutor" targetRef="Gateway_CieProsecutorDone"')))
    assert result
    assert all("art10Requested=True" in f for f in result), result
    assert any("Task_ConsentCieProsecutor" in f and "Gateway_NeedsCieProsecutor → Gateway_CieProsecutorDone" in f
               and f.endswith("Gateway_ConsentsJoin → Gateway_Consents → Event_PackageUploaded → SendTask_Provide → Task_Provision → EndEvent_Provide") for f in result), result


def test_r_5_1e_proof_fails_when_the_consent_gateway_no_longer_tests_the_cie_consent():
    """A gateway counts only where its condition tests that consent."""
    result = failures(broken(("&amp;&amp; (!art10Requested || execution.getVariable('cieProsecutorConsent') == 'given')", "")))
    [cie] = [f for f in result if "CIE prosecutor's consent" in f and "gateway" in f]
    assert "(no flow tests it)" in cie and "Gateway_Consents → Event_PackageUploaded → SendTask_Provide → Task_Provision → EndEvent_Provide" in cie


def test_r_5_1e_proof_fails_when_the_case_prosecutor_is_asked_for_the_wrong_data_type():
    result = failures(broken(("<bpmn:conditionExpression xsi:type=\"bpmn:tFormalExpression\">${art9Requested}</bpmn:conditionExpression>",
                              "<bpmn:conditionExpression xsi:type=\"bpmn:tFormalExpression\">${art10Requested}</bpmn:conditionExpression>")))
    assert any("Task_ConsentCaseProsecutor" in f and "art9Requested=True" in f and "Gateway_NeedsCaseProsecutor → Gateway_CaseProsecutorDone" in f
               for f in result), result


def test_r_5_1e_proof_fails_when_the_2_10_consultation_is_skipped():
    result = failures(broken(('id="Flow_JudgementPositive" name="ja" sourceRef="Gateway_Judgement" targetRef="Gateway_Consult210In"',
                              'id="Flow_JudgementPositive" name="ja" sourceRef="Gateway_Judgement" targetRef="Gateway_Advice210"')))
    assert [f for f in result if "art. 2:10 consultation" in f and "Gateway_Judgement → Gateway_Advice210" in f], result


def test_r_5_1e_proof_fails_when_a_negative_advice_still_leads_to_provide():
    result = failures(broken(("${officer210Advice == 'in_favour'}", "${officer210Advice != null}")))
    assert any("positive art. 2:10 advice" in f for f in result), result


@pytest.mark.parametrize("condition", ["${art9Requested}", "${caseProsecutorConsent == 'given' || cieProsecutorConsent == 'given'}"])
def test_guard_counts_only_where_it_closes_for_every_other_value(condition):
    g = Graph.load([f"""<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">
      <bpmn:process id="p"><bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g" default="f2"/><bpmn:endEvent id="e"/><bpmn:endEvent id="r"/>
      <bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="g"/>
      <bpmn:sequenceFlow id="f1" sourceRef="g" targetRef="e"><bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="r"/></bpmn:process></bpmn:definitions>"""])
    assert g.guards("caseProsecutorConsent", {"given"}) == set()
    assert g.witness("e", g.guards("caseProsecutorConsent", {"given"})) == ["s", "g", "e"]


def test_r_4_1_a_signal_reaches_the_police_request_only_through_a_hit():
    """Phase order across the diagrams: signal -> hit/no-hit -> (hit) case -> request; no hit, no request."""
    g = load()
    hit = frozenset(g.guards("hit", {True}))
    assert hit == {"Flow_Hit"}
    signal_starts = [s for s in g.starts if g.nodes[s].process == "riec-signal"]
    assert g.witness("SendTask_PoliceRequest", starts=signal_starts) is not None, "a hit leads on to the case and the request"
    assert g.witness("SendTask_PoliceRequest", hit, starts=signal_starts) is None
    assert g.witness("StartEvent_Case", hit, starts=signal_starts) is None


# --------------------------------------------------------------------------- onward provision (R-6.2, R-6.3; bpmn/onward.bpmn)

ONWARD = ROOT / "bpmn" / "onward.bpmn"
ONWARD_PROVIDED = "EndEvent_OnwardProvided"
ONWARD_ART9 = (("onwardArt9", True),)
ONWARD_ART10 = (("onwardArt10", True),)


def onward_requirements(g: Graph) -> list[Requirement]:
    """Every path to the onward provision passes the request check and the consent of the providing unit's R-5.1e
    officers: the 2:10 officer always, the case prosecutor for art. 9 data, the CIE prosecutor for art. 10(1)(a) data."""
    return [
        Requirement("R-6.2, R-6.3", "the request check (Task_OnwardCheck: package, region, ground, compatibility)",
                    frozenset(g.exits("Task_OnwardCheck"))),
        Requirement("R-6.2, R-6.3", "the 2:10 officer's consent task (Task_OnwardConsent210)", user_step(g, "Task_OnwardConsent210")),
        Requirement("R-6.2, R-6.3", "a gateway that requires the 2:10 officer's consent",
                    frozenset(g.guards("onwardOfficer210Consent", {"given"}))),
        Requirement("R-6.2, R-6.3", "the case prosecutor's consent task (Task_OnwardConsentCaseProsecutor)",
                    user_step(g, "Task_OnwardConsentCaseProsecutor"), ONWARD_ART9),
        Requirement("R-6.2, R-6.3", "a gateway that requires the case prosecutor's consent",
                    frozenset(g.guards("onwardCaseProsecutorConsent", {"given"}, dict(ONWARD_ART9))), ONWARD_ART9),
        Requirement("R-6.2, R-6.3", "the CIE prosecutor's consent task (Task_OnwardConsentCieProsecutor)",
                    user_step(g, "Task_OnwardConsentCieProsecutor"), ONWARD_ART10),
        Requirement("R-6.2, R-6.3", "a gateway that requires the CIE prosecutor's consent",
                    frozenset(g.guards("onwardCieProsecutorConsent", {"given"}, dict(ONWARD_ART10))), ONWARD_ART10),
        Requirement("R-6.2, R-6.3", "the CIE prosecutor's consent task (both types)",
                    user_step(g, "Task_OnwardConsentCieProsecutor"), ONWARD_ART9 + ONWARD_ART10),
        Requirement("R-6.2, R-6.3", "the case prosecutor's consent task (both types)",
                    user_step(g, "Task_OnwardConsentCaseProsecutor"), ONWARD_ART9 + ONWARD_ART10),
    ]


def onward_failures(onward_text: str | None = None, target: str = ONWARD_PROVIDED) -> list[str]:
    g = Graph.load([p if p != ONWARD or onward_text is None else onward_text for p in DIAGRAMS])
    return prove(g, target, onward_requirements(g))


def onward_broken(*replacements: tuple[str, str]) -> str:
    text = ONWARD.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, f"the mutation must change exactly one place: {old}"
        text = text.replace(old, new)
    return text


def test_r_6_2_r_6_3_no_path_to_onward_provision_without_the_providing_units_consent():
    assert onward_failures() == []
    assert onward_failures(target="Task_OnwardProvide") == [], "the grant itself (onward-provide) is behind the consent too"
    g = Graph.load(DIAGRAMS)
    for scenario in ({}, dict(ONWARD_ART9), dict(ONWARD_ART10), dict(ONWARD_ART9 + ONWARD_ART10)):
        assert g.witness(ONWARD_PROVIDED, scenario=scenario) is not None, "the proof is not over an unreachable end"
    # Nothing outside the onward process leads into it: the only way in is the requester's start form.
    assert [e.source for e in g.edges if e.target == "Task_OnwardProvide"] == ["Gateway_OnwardConsents"]


def test_r_6_2_proof_fails_when_the_check_goes_straight_to_the_provision():
    result = onward_failures(onward_broken(
        ('id="Flow_OnwardCheckToOnwardConsentsFork" sourceRef="Task_OnwardCheck" targetRef="Gateway_OnwardConsentsFork"',
         'id="Flow_OnwardCheckToOnwardConsentsFork" sourceRef="Task_OnwardCheck" targetRef="Task_OnwardProvide"')))
    assert any("2:10 officer's consent task" in f and "Task_OnwardCheck → Task_OnwardProvide → EndEvent_OnwardProvided" in f
               for f in result), result


def test_r_6_2_proof_fails_when_the_consent_gateway_stops_testing_the_case_prosecutor():
    result = onward_failures(onward_broken(
        ("(!onwardArt9 || execution.getVariable('onwardCaseProsecutorConsent') == 'given') &amp;&amp; ", "")))
    [case] = [f for f in result if "gateway that requires the case prosecutor's consent" in f]
    assert "(no flow tests it)" in case and "onwardArt9=True" in case


def test_r_6_3_proof_fails_when_a_refused_check_leads_past_the_consents():
    result = onward_failures(onward_broken(
        ('id="Flow_OnwardCheckRefused" sourceRef="Event_OnwardCheckRefused" targetRef="Gateway_OnwardRefuseIn"',
         'id="Flow_OnwardCheckRefused" sourceRef="Event_OnwardCheckRefused" targetRef="Gateway_OnwardConsents"')))
    [check] = [f for f in result if "request check" in f]
    assert "Task_OnwardCheck → Event_OnwardCheckRefused → Gateway_OnwardConsents → Task_OnwardProvide" in check
