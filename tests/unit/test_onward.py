"""Onward provision's topics against real registers (SQLite) and a fake engine. Rules: R-6.2, R-6.3.

The package, the requester and the partners come from the demo registers; the engine's answers (the police
request's purpose, who started the onward request, which consent tasks were completed) are faked.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest

from riec import onward
from riec.casework import DuePeriods
from riec.compliance import db, demo
from riec.compliance.provision_register import EntryKind, iter_entries
from riec.formcheck import dutch_problems
from riec.handlers import registry
from riec.handlers.onward import OnwardInput, ProvideInput, RefuseInput, check_request, provide, refuse
from riec.mail import outbox
from riec.runtime import BpmnError
from riec.vault.onward import grants_for_partner, onward_grant
from riec.vault.tables import vault_key, vault_package

PID = "onward-pi-1"
POLICE_PID = "police-pi-1"
DUE = DuePeriods(due_riec_analyst="P5D", due_police_unit="P10D", due_police_data_officer="P5D", due_case_prosecutor="P5D",
                 due_cie_prosecutor="P5D")
CONSENT_TASKS = ["Task_OnwardConsent210", "Task_OnwardConsentCaseProsecutor"]


class Engine:
    """The engine's answers onward-check and onward-provide ask for."""

    def __init__(self, started_by: str = "partner", completed: list[str] | None = None):
        self.started_by = started_by
        self.completed = CONSENT_TASKS if completed is None else completed

    def get(self, path: str, **params: Any) -> Any:
        if path == f"history/process-instance/{PID}":
            return {"id": PID, "startUserId": self.started_by}
        if path == "history/task":
            return [{"taskDefinitionKey": t, "deleteReason": "completed"} for t in self.completed]
        raise AssertionError(f"unexpected GET {path}")


@pytest.fixture
def database(tmp_path):
    database = db.open_database(f"sqlite:///{tmp_path / 'r.sqlite'}")
    db.migrate(database)
    demo.seed(database, dt.date.today())
    return database


@pytest.fixture
def package(database) -> str:
    """A package of case SIG-ONWARD (riec-noord, art. 9 data) provided to the designated person `partner`."""
    package_id, key_id = str(uuid.uuid4()), str(uuid.uuid4())
    now = dt.datetime.now(dt.UTC)
    with db.write_transaction(database) as conn:
        conn.execute(vault_key.insert().values(id=key_id, key=b"k" * 32, created_at=now))
        conn.execute(vault_package.insert().values(
            id=package_id, case_key="SIG-ONWARD", region="riec-noord", process_instance_id=POLICE_PID, key_id=key_id,
            nonce=b"n" * 12, ciphertext=b"c", name_nonce=b"n" * 12, name_ciphertext=b"c", content_type="text/plain",
            size=1, uploaded_by="politie", uploaded_at=now, provided_at=now,
            partner_ids=json.dumps(["bd-noord", "gem-groningen"]), recipient_ids=json.dumps(["partner"]),
            data_categories=json.dumps(["art9"]), person_refs=json.dumps(["P-1"]), legal_basis_id="wgs-2025"))
    return package_id


def to_partner(package: str, partner_id: str = "gem-maastricht", **over: Any) -> dict[str, Any]:
    return {"packageRef": package, "onwardKind": "partner", "toPartnerId": partner_id, "onwardRequestedBy": "partner",
            "tenantId": "riec-noord", "taskKey": f"{PID}/act-1", **over}


def to_third_party(package: str, **over: Any) -> dict[str, Any]:
    return {"packageRef": package, "onwardKind": "third_party", "thirdPartyName": "Gemeente Haren (bestuur)",
            "thirdPartyIsAdministrativeBody": True, "onwardGround": "third_party_task", "onwardPurpose": "intervention",
            "compatibilityMotivation": "De derde voert als bestuursorgaan de afgesproken sluiting uit.",
            "onwardRequestedBy": "partner", "tenantId": "riec-noord", "taskKey": f"{PID}/act-1", **over}


CONSENTED = {"onwardOfficer210Consent": "given", "onwardOfficer210By": "functionaris",
             "onwardCaseProsecutorConsent": "given", "onwardCaseProsecutorBy": "zaaksofficier"}


def check(database, variables: dict[str, Any], engine: Engine | None = None) -> dict[str, Any]:
    return check_request(OnwardInput.model_validate(variables), database=database, camunda=engine or Engine(), due_periods=DUE)


def do_provide(database, variables: dict[str, Any], engine: Engine | None = None) -> dict[str, Any]:
    return provide(ProvideInput.model_validate(variables), database=database, camunda=engine or Engine(),
                   tasklist_url="http://tasklist.example/")


def refused(call) -> BpmnError:  # noqa: ANN001
    with pytest.raises(BpmnError) as caught:
        call()
    assert caught.value.code == "ONWARD_REFUSED"
    return caught.value


def entries(database, kind: EntryKind) -> list:
    return [e.entry for e in iter_entries(database) if e.entry.kind is kind]


def test_every_onward_topic_is_served():
    for topic in ("validate-onward-request", "onward-check", "validate-onward-consent-2-10",
                  "validate-onward-consent-case-prosecutor", "validate-onward-consent-cie-prosecutor", "onward-provide",
                  "onward-refuse"):
        assert topic in registry.names()


# --------------------------------------------------------------------------- the request form


def test_r_6_2_request_form_needs_the_partner_and_r_6_3_the_ground_purpose_and_motivation():
    _, problems = dutch_problems(onward.OnwardRequest, {"packageRef": "abc", "onwardKind": "partner"})
    assert problems == ["Vul 'Partner van het andere RIEC' in."]
    _, problems = dutch_problems(onward.OnwardRequest, {"packageRef": "abc", "onwardKind": "third_party"})
    assert "Vul 'Derde' in." in problems[0] and "Grond" in problems[0] and "verenigbaar" in problems[0]
    valid, problems = dutch_problems(onward.OnwardRequest, {k: v for k, v in to_third_party("abc").items()
                                                             if k not in ("onwardRequestedBy", "tenantId", "taskKey")})
    assert problems == [] and valid.third_party_ref() == "derde:gemeente-haren-bestuur"


def test_r_6_3_compatibility_with_the_original_purpose():
    motivation = "De interventie volgt uit de casusanalyse."
    assert onward.compatibility_problems(onward.Purpose.INTERVENTION, motivation) == []
    assert onward.compatibility_problems(onward.Purpose.CASE_ANALYSIS, motivation) == []
    for other in (onward.Purpose.BIBOB, onward.Purpose.B_CBA, onward.Purpose.OTHER):
        [reason] = onward.compatibility_problems(other, motivation)
        assert "niet verenigbaar met het doel waarvoor de gegevens zijn verstrekt" in reason
    assert onward.compatibility_problems(onward.Purpose.CASE_ANALYSIS, "kort")


# ---------------------------------------------------------------------------


def test_r_6_2_check_registers_the_request_in_both_regions_and_asks_the_officers_of_the_original_provision(database, package):
    out = check(database, to_partner(package))
    assert out["caseKey"] == "SIG-ONWARD" and out["onwardReceivingRegion"] == "riec-limburg"
    assert out["onwardArt9"] is True and out["onwardArt10"] is False  # R-5.1e: 2:10 officer and case prosecutor
    [entry] = entries(database, EntryKind.ONWARD_PROVISION)
    assert entry.outcome == "needs_step" and entry.region == "riec-noord"
    assert entry.references["receiving_region"] == "riec-limburg" and entry.recipient_partner_id == "gem-maastricht"
    check(database, to_partner(package))  # a redelivery registers nothing twice
    assert len(entries(database, EntryKind.ONWARD_PROVISION)) == 1
    assert onward_grant(database, package, "gem-maastricht") is None, "no grant before consent"


def test_r_6_2_refused_within_the_own_region_for_an_unknown_partner_or_package_and_for_a_non_recipient(database, package):
    error = refused(lambda: check(database, to_partner(package, "bd-noord")))
    assert "R-6.2:same_region" in error.variables["onwardRefusalCodes"]
    error = refused(lambda: check(database, to_partner(package, "gem-nergens")))
    assert "geen (actieve) partner" in error.variables["onwardRefusalNl"]
    error = refused(lambda: check(database, to_partner(str(uuid.uuid4()))))
    assert error.variables["onwardRefusalNl"] == "Er is in uw regio geen verstrekt pakket met dit kenmerk."
    error = refused(lambda: check(database, to_partner(package, tenantId="riec-limburg")))
    assert "geen verstrekt pakket" in error.variables["onwardRefusalNl"], "R-6.1: another region's package is not revealed"
    error = refused(lambda: check(database, to_partner(package, onwardRequestedBy="nn-bd-medewerker")))
    assert "R-6.2:not_a_recipient" in error.variables["onwardRefusalCodes"]


def test_r_6_2_consent_grants_the_package_to_the_partner_of_the_other_region_and_registers_it(database, package):
    check(database, to_partner(package))
    out = do_provide(database, {**to_partner(package), **CONSENTED})
    assert onward_grant(database, package, "gem-maastricht") == out["onwardRef"]
    assert onward_grant(database, package, "gem-enschede") is None
    assert grants_for_partner(database, "gem-maastricht")[0]["receiving_region"] == "riec-limburg"
    requested, provided = entries(database, EntryKind.ONWARD_PROVISION)
    assert provided.outcome == "allowed" and provided.rule_ids == ("R-6.2",)
    assert provided.consent_refs == ("case_prosecutor:zaaksofficier", "officer_2_10:functionaris")
    assert provided.region == "riec-noord" and provided.references["receiving_region"] == "riec-limburg"
    # Both steps in both regions' view of the register (riec.cli_registers reads the receiving region from here).
    from riec.cli_registers import entry_regions
    stored = [e for e in iter_entries(database) if e.entry.kind is EntryKind.ONWARD_PROVISION]
    assert {entry_regions(e.to_export()) for e in stored} == {("riec-noord", "riec-limburg")}
    [mail] = outbox.rows(database)
    assert mail.recipient_group == "partner:gem-maastricht" and mail.region == "riec-limburg"
    do_provide(database, {**to_partner(package), **CONSENTED})  # redelivery: one grant, one entry, one mail
    assert len(entries(database, EntryKind.ONWARD_PROVISION)) == 2 and len(outbox.rows(database)) == 1


@pytest.mark.parametrize("completed, variables", [
    ([], CONSENTED),  # consents set as variables, no consent task completed (e.g. a start before the provide step)
    (["Task_OnwardConsent210"], CONSENTED),  # the case prosecutor's task never ran
    (CONSENT_TASKS, {**CONSENTED, "onwardCaseProsecutorConsent": "withheld"}),
    (CONSENT_TASKS, {}),
])
def test_r_6_2_no_grant_without_the_consent_of_every_officer_whatever_the_variables_say(database, package, completed, variables):
    error = refused(lambda: do_provide(database, {**to_partner(package), **variables}, Engine(completed=completed)))
    assert error.variables["onwardRefusalRuleIds"] == '["R-6.2"]'
    assert "toestemming" in error.variables["onwardRefusalNl"]
    assert onward_grant(database, package, "gem-maastricht") is None
    assert entries(database, EntryKind.ONWARD_PROVISION) == [] and outbox.rows(database) == []


def test_r_6_2_no_grant_for_a_requester_who_did_not_start_the_request(database, package):
    error = refused(lambda: do_provide(database, {**to_partner(package), **CONSENTED}, Engine(started_by="partner-limburg")))
    assert "requester_mismatch" in error.variables["onwardRefusalCodes"]
    assert onward_grant(database, package, "gem-maastricht") is None


def test_r_6_2_refusal_is_registered_with_the_officers_reason(database, package):
    out = refuse(RefuseInput.model_validate({
        "packageRef": package, "onwardKind": "partner", "caseKey": "SIG-ONWARD", "onwardOfficer210Consent": "given",
        "onwardCaseProsecutorConsent": "withheld", "onwardArt9": True, "onwardArt10": False, "tenantId": "riec-noord",
        "taskKey": f"{PID}/act-9"}), database=database)
    assert "toestemming" in out["onwardRefusalNl"]
    [entry] = entries(database, EntryKind.REFUSAL)
    assert entry.rule_ids == ("R-6.2",) and entry.reason_codes == ("R-6.2:consent_missing:case_prosecutor",)


# ---------------------------------------------------------------------------


def test_r_6_3_incompatible_purpose_is_refused_with_its_reason(database, package):
    error = refused(lambda: check(database, to_third_party(package, onwardPurpose="bibob")))
    assert error.variables["onwardRefusalNl"].startswith("Het doel bij de derde (Integriteitsbeoordeling (Wet Bibob)) is niet verenigbaar")
    error = refused(lambda: check(database, to_third_party(package, onwardPurpose="other")))
    assert "niet verenigbaar" in error.variables["onwardRefusalNl"]
    out = refuse(RefuseInput.model_validate({**to_third_party(package), "caseKey": "SIG-ONWARD", **{
        k: error.variables[k] for k in ("onwardRefusalRuleIds", "onwardRefusalCodes", "onwardRefusalNl")}}), database=database)
    assert "niet verenigbaar" in out["onwardRefusalNl"]
    [entry] = entries(database, EntryKind.REFUSAL)
    assert entry.rule_ids == ("R-6.3",) and entry.reason_codes == ("R-6.3:not_compatible",)


def test_r_6_3_a_third_party_task_is_a_ground_only_for_an_administrative_body(database, package):
    error = refused(lambda: check(database, to_third_party(package, thirdPartyIsAdministrativeBody=False)))
    assert "bestuursorgaan" in error.variables["onwardRefusalNl"]
    check(database, to_third_party(package, thirdPartyIsAdministrativeBody=False, onwardGround="partner_task"))


def test_r_6_3_with_consent_every_partner_of_the_riec_is_told_once(database, package):
    check(database, to_third_party(package))
    do_provide(database, {**to_third_party(package), **CONSENTED})
    do_provide(database, {**to_third_party(package), **CONSENTED})  # redelivered: nobody is told twice
    noord = sorted(p.id for p in demo.demo_partners() if p.region == "riec-noord")
    mails = outbox.rows(database)
    assert sorted(m.recipient_group for m in mails) == [f"partner:{p}" for p in noord]
    assert {m.region for m in mails} == {"riec-noord"} and {m.kind for m in mails} == {"onward_informed"}
    assert all("SIG-ONWARD" in m.subject and "Haren" not in m.body for m in mails), "a case number only"
    provided = entries(database, EntryKind.ONWARD_PROVISION)[-1]
    assert provided.outcome == "allowed" and provided.references["third_party"] == "derde:gemeente-haren-bestuur"
    assert onward_grant(database, package, "gem-maastricht") is None, "a third party gets no vault access"


def test_r_6_3_no_notification_and_no_registration_without_consent(database, package):
    refused(lambda: do_provide(database, {**to_third_party(package), **CONSENTED}, Engine(completed=[])))
    assert outbox.rows(database) == [] and entries(database, EntryKind.ONWARD_PROVISION) == []
